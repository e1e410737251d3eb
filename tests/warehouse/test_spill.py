"""Large uploaded events spilled to Parquet: the SQL route equals the pandas path, the folder is private
and goes with its owner.

The threshold (:data:`cs_models.warehouse.spill.SPILL_ROWS`) is lowered so that seeded test data take
the SQL route. Amounts are fractional here (unlike ``test_stream.py``), so revenue sums may differ in
the last bits: revenue is compared to 1e-9 relative, counts exactly.
"""

from __future__ import annotations

import gc
import math
import stat
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cs_models.cohorts import cohort_table
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.filters import SegmentFilter
from cs_models.ids import align_ids, categorical_ids
from cs_models.revenue import revenue_movements
from cs_models.warehouse import spill
from cs_models.warehouse.spill import Spill, SpilledEvents, cohort_table_for, movements_for, should_spill

AS_OF = date(2024, 12, 15)


def uploaded_events(seed: int, n: int = 6000, customers: int = 300, integer_like: bool = False,
                    categorical: bool = False) -> pd.DataFrame:
    """Validated events: text ids (categorical, as ``validate`` gives them, or plain strings, as a
    frame built elsewhere may hold them), dates, fractional amounts (some missing, zero or negative),
    gaps between a customer's months."""
    rng = np.random.default_rng(seed)
    who = rng.integers(0, customers, n)
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, customers), unit="D")
    day = start[who] + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    amount = rng.choice([0.0, -512.5, 1000.1, 2500.37, 9800.0, 12000.99, np.nan], n,
                        p=[.05, .05, .3, .3, .15, .1, .05])
    ids = [str(i) if integer_like else f"C{i:04d}" for i in who]
    events = pd.DataFrame({"customer_id": pd.Series(ids, dtype=object), "date": pd.Series(day), "amount": amount})
    return categorical_ids(events) if categorical else events


def customers_of(events: pd.DataFrame) -> pd.DataFrame:
    ids = sorted(events["customer_id"].unique())
    region = np.where(np.arange(len(ids)) % 3 == 0, "east", "west")
    start = events.groupby("customer_id")["date"].min().reindex(ids).to_numpy()
    return pd.DataFrame({"customer_id": ids, "start_date": start, "end_date": pd.NaT, "region": region})


def assert_close(got, expected, path="") -> None:
    """Equal JSON data, floats to 1e-9 relative (integers and everything else exactly)."""
    if isinstance(expected, dict):
        assert isinstance(got, dict), path
        assert got.keys() == expected.keys(), path
        for key in expected:
            assert_close(got[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list), path
        assert len(got) == len(expected), path
        for i, (a, b) in enumerate(zip(got, expected, strict=True)):
            assert_close(a, b, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(got, bool):
        assert isinstance(got, int | float), path
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-6), (path, got, expected)
    else:
        assert got == expected, (path, got, expected)


@pytest.fixture
def low_threshold(monkeypatch):
    monkeypatch.setattr(spill, "SPILL_ROWS", 100)


def spilled(events: pd.DataFrame) -> Spill:
    assert should_spill(events)
    return Spill(events)


def test_the_threshold_decides(monkeypatch):
    events = uploaded_events(1, n=200)
    monkeypatch.setattr(spill, "SPILL_ROWS", 201)
    assert not should_spill(events)
    monkeypatch.setattr(spill, "SPILL_ROWS", 200)
    assert should_spill(events)
    assert not should_spill(None)
    assert not should_spill(events.drop(columns="date"))


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("integer_like", [False, True])
@pytest.mark.parametrize("categorical", [False, True])
@pytest.mark.parametrize("options", [{}, {"metric": "nrr"}, {"metric": "grr", "period": "quarter"},
                                     {"mode": "on_or_after", "period": "week"}, {"period": "day", "max_k": 90},
                                     {"weighting": "simple", "max_k": 5}])
def test_cohort_tables_through_sql_equal_pandas(low_threshold, seed, integer_like, categorical, options,
                                                monkeypatch):
    events = uploaded_events(seed, integer_like=integer_like, categorical=categorical)
    owner = spilled(events)
    assert owner.events.coded == categorical  # categorical ids are written as their integer codes
    expected = cohort_table(events, as_of=AS_OF, **options)
    calls = []
    from cs_models.warehouse import stream
    original = stream.cohort_table_stream
    monkeypatch.setattr(stream, "cohort_table_stream", lambda *a, **k: calls.append(1) or original(*a, **k))
    got = cohort_table_for(events, owner.events, as_of=AS_OF, **options)
    assert calls == [1]  # the SQL route was taken
    assert_close(got.to_dict(), expected.to_dict())
    owner.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("categorical", [False, True])
def test_movements_through_sql_equal_pandas(low_threshold, seed, categorical, monkeypatch):
    events = uploaded_events(seed, categorical=categorical)
    owner = spilled(events)
    from cs_models.warehouse import stream
    calls = []
    original = stream.revenue_movements_stream
    monkeypatch.setattr(stream, "revenue_movements_stream", lambda *a, **k: calls.append(1) or original(*a, **k))
    got = movements_for(events, owner.events, AS_OF)
    assert calls == [1]
    assert_close(got.to_dict(), revenue_movements(events, AS_OF).to_dict())
    owner.close()


@pytest.mark.parametrize("categorical", [False, True])
def test_a_segment_filter_reads_only_the_kept_customers(low_threshold, categorical, monkeypatch):
    events = uploaded_events(4)
    frames = {"customers": customers_of(events), "events": events}
    datasets = Datasets(**(align_ids(frames) if categorical else frames), source="upload")  # as assemble aligns
    events = datasets.events
    chosen = SegmentFilter.of({"region": ["east"]})
    filtered = chosen.apply(datasets)
    assert 0 < len(filtered.events) < len(events)
    owner = spilled(events)  # the unfiltered events, as uploaded
    assert owner.events.coded == categorical
    from cs_models.warehouse import stream
    calls = []
    original = stream.revenue_movements_stream
    monkeypatch.setattr(stream, "revenue_movements_stream", lambda *a, **k: calls.append(original(*a, **k))
                        or calls[-1])
    got = movements_for(filtered.events, owner.events, AS_OF, kept=filtered.customers)
    assert len(calls) == 1  # answered by the SQL route, not by the pandas fallback
    assert_close(got.to_dict(), revenue_movements(filtered.events, AS_OF).to_dict())
    owner.close()


def test_cohorts_by_customers_or_segments_keep_the_pandas_path(low_threshold):
    events = uploaded_events(5)
    customers = customers_of(events)
    owner = spilled(events)
    for options in ({"customers": customers}, {"customers": customers, "segment": "region"},
                    {"customers": customers, "source": "customers"}):
        expected = cohort_table(events, as_of=AS_OF, **options)
        assert cohort_table_for(events, owner.events, as_of=AS_OF, **options).to_dict() == expected.to_dict()
    owner.close()


def test_a_grid_over_the_cell_limit_falls_back_to_pandas(low_threshold, monkeypatch):
    from cs_models.warehouse import stream
    events = uploaded_events(6)
    owner = spilled(events)
    monkeypatch.setattr(stream, "MAX_CELLS", 10)
    assert_close(cohort_table_for(events, owner.events, as_of=AS_OF, metric="nrr").to_dict(),
                 cohort_table(events, as_of=AS_OF, metric="nrr").to_dict())
    assert_close(movements_for(events, owner.events, AS_OF).to_dict(), revenue_movements(events, AS_OF).to_dict())
    owner.close()


def test_errors_are_those_of_the_pandas_path(low_threshold):
    events = uploaded_events(7)
    owner = spilled(events)
    early = date(2000, 1, 1)
    for call in (lambda e, s: cohort_table_for(e, s, as_of=early), lambda e, s: movements_for(e, s, early)):
        with pytest.raises(DataError) as expected:
            call(events, None)
        with pytest.raises(DataError) as got:
            call(events, owner.events)
        assert got.value.code == expected.value.code
    owner.close()


def test_events_without_amounts(low_threshold):
    events = uploaded_events(8).drop(columns="amount")
    owner = spilled(events)
    assert not owner.events.amount
    assert cohort_table_for(events, owner.events, as_of=AS_OF).to_dict() == cohort_table(events, as_of=AS_OF).to_dict()
    with pytest.raises(DataError):
        movements_for(events, owner.events, AS_OF)
    owner.close()


def test_the_folder_is_private_and_goes_with_its_owner(low_threshold):
    events = uploaded_events(9)
    owner = spilled(events)
    folder, file = owner.folder, Path(owner.events.path)
    assert folder.is_dir()
    assert file.is_file()
    assert file.parent == folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert owner.holds(events)
    assert not owner.holds(events.copy())
    assert isinstance(owner.events, SpilledEvents)
    assert owner.events.rows == len(events)
    del owner
    gc.collect()
    assert not folder.exists()


def test_close_removes_the_folder_and_the_spill_no_longer_holds(low_threshold):
    events = uploaded_events(10)
    owner = spilled(events)
    owner.close()
    assert not owner.folder.exists()
    assert not owner.holds(events)
    owner.close()  # twice is harmless


def test_the_same_data_give_the_same_digest(low_threshold):
    events = uploaded_events(11)
    first, second = spilled(events), spilled(events.copy())
    assert first.events.digest == second.events.digest
    assert first.events.path != second.events.path
    changed = events.copy()
    changed.loc[0, "amount"] = 1.0
    third = spilled(changed)
    assert third.events.digest != first.events.digest
    for owner in (first, second, third):
        owner.close()


def test_route_passes_the_kept_customers_only_when_the_filter_reaches_the_events_through_them(low_threshold):
    events = uploaded_events(12)
    customers = customers_of(events)
    owner = spilled(events)
    both = Datasets(customers=customers, events=events, source="upload")
    by_customers = SegmentFilter.of({"region": ["east"]})
    shown = by_customers.apply(both)
    assert spill.route(owner.events, SegmentFilter(), both, both) == (owner.events, None)
    assert spill.route(None, by_customers, both, shown) == (None, None)
    got, kept = spill.route(owner.events, by_customers, both, shown)
    assert got == owner.events
    assert kept is shown.customers
    own_column = events.assign(channel=np.where(np.arange(len(events)) % 2 == 0, "web", "app"))
    alone = Datasets(events=own_column, source="upload")
    by_events = SegmentFilter.of({"channel": ["web"]})
    assert spill.route(owner.events, by_events, alone, by_events.apply(alone)) == (None, None)
    owner.close()


def test_the_folder_is_removed_at_interpreter_exit():
    """A spill still owned when the interpreter ends leaves nothing behind."""
    import subprocess
    import sys

    code = ("import pandas as pd\nfrom cs_models.warehouse.spill import Spill\n"
            "events = pd.DataFrame({'customer_id': ['a', 'b'], 'date': pd.to_datetime(['2024-01-01', '2024-02-01']),"
            " 'amount': [1.0, 2.0]})\nkept = Spill(events)\nprint(kept.folder)\n")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    folder = Path(done.stdout.strip().splitlines()[-1])
    assert folder.name.startswith(spill.FOLDER_PREFIX)
    assert not folder.exists()


@pytest.mark.parametrize("categorical", [False, True])
def test_writing_in_slices_gives_the_same_file_content(low_threshold, monkeypatch, categorical):
    events = uploaded_events(13)
    if categorical:  # ids as categorical (what validation may give)
        events["customer_id"] = events["customer_id"].astype("category")
    whole = spilled(events)
    monkeypatch.setattr(spill, "WRITE_ROWS", 500)
    sliced = spilled(events)
    assert pd.read_parquet(sliced.events.path).equals(pd.read_parquet(whole.events.path))
    assert_close(movements_for(events, sliced.events, AS_OF).to_dict(), revenue_movements(events, AS_OF).to_dict())
    assert_close(cohort_table_for(events, sliced.events, as_of=AS_OF, metric="grr").to_dict(),
                 cohort_table(events, as_of=AS_OF, metric="grr").to_dict())
    whole.close()
    sliced.close()


def test_a_file_that_cannot_be_written_leaves_the_pandas_path(low_threshold, monkeypatch):
    events = uploaded_events(14)
    assert spill.spill_for(events.iloc[:50]) is None  # small data: no file
    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(spill, "write_events", no_space)
    before = {p.name for p in Path(spill.tempfile.gettempdir()).glob(spill.FOLDER_PREFIX + "*")}
    assert spill.spill_for(events) is None
    after = {p.name for p in Path(spill.tempfile.gettempdir()).glob(spill.FOLDER_PREFIX + "*")}
    assert after <= before  # the half-made folder is gone


def test_a_file_gone_under_a_rerun_is_answered_by_pandas(low_threshold):
    events = uploaded_events(15)
    owner = spill.spill_for(events)
    assert owner is not None
    gone = owner.events
    owner.close()
    assert not Path(gone.path).exists()
    assert_close(cohort_table_for(events, gone, as_of=AS_OF).to_dict(), cohort_table(events, as_of=AS_OF).to_dict())
    assert_close(movements_for(events, gone, AS_OF).to_dict(), revenue_movements(events, AS_OF).to_dict())
    with pytest.raises(Exception):  # noqa: B017,PT011 - without the frame there is nothing to answer with
        cohort_table_for(None, gone, as_of=AS_OF)
