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
