"""Cache keys cover every cell of large frames (Streamlit alone samples 10,000 of 50,000+ rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ui.caching import cache_data, frame_digest


def test_digest_changes_with_any_cell_of_a_large_frame():
    frame = pd.DataFrame({"id": [f"C{i:06d}" for i in range(60_000)], "x": np.arange(60_000.0)})
    changed = frame.copy()
    changed.loc[59_999, "x"] = -1.0
    assert frame_digest(frame) != frame_digest(changed)
    assert frame_digest(frame) == frame_digest(frame.copy())


def test_cached_function_sees_a_corrected_row():
    """Second independent method: the sum computed without the cache."""

    @cache_data(show_spinner=False)
    def total(frame: pd.DataFrame) -> float:
        return float(frame["x"].sum())

    frame = pd.DataFrame({"x": np.ones(60_000)})
    assert total(frame) == 60_000.0
    for row in (1, 30_000, 59_999):
        corrected = frame.copy()
        corrected.loc[row, "x"] = 1001.0
        assert total(corrected) == corrected["x"].sum() == 61_000.0


def test_unhashable_cells_fall_back_to_pickle():
    frame = pd.DataFrame({"answers": [["a", "b"], ["c"]]})
    other = pd.DataFrame({"answers": [["a", "b"], ["d"]]})
    assert frame_digest(frame) != frame_digest(other)


def test_pages_and_ui_cache_only_through_ui_caching():
    """Every cached call in pages/ and ui/ goes through ``ui.caching.cache_data`` (full-content keys)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = [*sorted((root / "pages").glob("*.py")), *sorted((root / "ui").rglob("*.py"))]
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in files
        if path.name != "caching.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "st.cache_data" in line or "st.cache_resource" in line
    ]
    assert offenders == []


def test_frames_of_assembled_datasets_are_hashed_once(monkeypatch):
    """A rerun's cache keys cost O(1) in the data size: the frames of assembled datasets are
    hashed when they are assembled and never again; any other frame, and a copy, in full."""
    from cs_models.datasets import Datasets
    from ui import caching

    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "x": [1.0, 2.0]})
    datasets = caching.remember_digests(Datasets(customers=frame))
    expected = caching._full_digest(frame)
    calls = []
    monkeypatch.setattr(caching, "_full_digest", lambda f: calls.append(1) or expected)
    for _ in range(3):
        assert caching.frame_digest(datasets.customers) == expected
    assert calls == []
    caching.frame_digest(frame.copy())
    assert calls == [1]


def test_a_remembered_digest_dies_with_its_frame():
    """The memo holds no frame alive and no stale entry outlives it (ids are reused)."""
    import gc

    from cs_models.datasets import Datasets
    from ui import caching

    frame = pd.DataFrame({"x": np.arange(10.0)})
    caching.remember_digests(Datasets(events=frame))
    key = id(frame)
    assert key in caching._KNOWN
    del frame
    gc.collect()
    assert key not in caching._KNOWN


def test_full_garbage_collection_runs_at_most_once_a_minute(monkeypatch):
    """``runner.postScriptGC`` is off (it was a fifth of the CPU under load); ``collect_garbage`` at the
    end of every run collects and trims only when a minute has passed since the last time."""
    import ui.caching as caching

    runs: list[str] = []
    monkeypatch.setattr(caching.gc, "collect", lambda: runs.append("collect"))
    monkeypatch.setattr(caching, "_trim", lambda: runs.append("trim"))
    clock = [1_000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(caching, "_LAST_GC", [clock[0]])
    caching.collect_garbage()
    assert runs == []
    clock[0] += caching.GC_INTERVAL_SECONDS + 1
    caching.collect_garbage()
    caching.collect_garbage()
    assert runs == ["collect", "trim"]
