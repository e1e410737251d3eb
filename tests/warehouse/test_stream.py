"""The streamed engine (DuckDB record batches into a numpy grid) gives the pandas results exactly.

The reference is the pandas path of the same frame (:func:`cs_models.cohorts.cohort_table` without
customers, :func:`cs_models.revenue.revenue_movements`), on seeded random data written to Parquet:
gaps, zero and negative amounts, missing amounts and ids, string and integer ids. Amounts are whole
numbers, so sums are exact in any order and the comparison is exact.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from cs_models.catalogue import translate
from cs_models.cohorts import cohort_table
from cs_models.errors import DataError
from cs_models.revenue import revenue_movements
from cs_models.warehouse import stream
from cs_models.warehouse.stream import cohort_table_stream, parquet_events, revenue_movements_stream

AS_OF = date(2024, 12, 15)


def random_events(seed: int, n: int = 8000, customers: int = 400, integer_ids: bool = False) -> pd.DataFrame:
    """Events with the awkward cases: missing ids, dates and amounts, zero and negative amounts, gaps.

    Integer ids ``7 * i + 3`` are sparse enough to be coded through ``DISTINCT``; see also
    :func:`test_dense_integer_ids_are_used_as_codes`.
    """
    rng = np.random.default_rng(seed)
    who = rng.integers(0, customers, n)
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, customers), unit="D")
    day = start[who] + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    amount = rng.choice([0.0, -500.0, 1000.0, 2500.0, 9800.0, 12000.0, np.nan], n,
                        p=[.05, .05, .3, .3, .15, .1, .05])
    ids = pd.Series(who * 7 + 3) if integer_ids else pd.Series([f"C{i:04d}" for i in who], dtype=object)
    if not integer_ids:  # (the frame path takes integer ids without missing values)
        ids[rng.random(n) < 0.02] = None
    dates = pd.Series(day)
    dates[rng.random(n) < 0.01] = pd.NaT
    return pd.DataFrame({"customer_id": ids, "date": dates, "amount": amount})


def _parquet(events: pd.DataFrame, tmp_path) -> str:
    path = tmp_path / "events.parquet"
    events.to_parquet(path, index=False)
    return parquet_events(path)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("integer_ids", [False, True])
@pytest.mark.parametrize("options", [{}, {"metric": "grr"}, {"metric": "nrr", "period": "quarter"},
                                     {"mode": "on_or_after", "period": "week"}, {"period": "day", "max_k": 40},
                                     {"weighting": "simple", "max_k": 5}])
def test_streamed_cohort_tables_equal_pandas(seed, integer_ids, options, tmp_path):
    events = random_events(seed, integer_ids=integer_ids)
    expected = cohort_table(events, as_of=AS_OF, **options)
    got = cohort_table_stream(_parquet(events, tmp_path), as_of=AS_OF, **options)
    assert got.to_dict() == expected.to_dict()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("integer_ids", [False, True])
def test_streamed_movements_equal_pandas(seed, integer_ids, tmp_path):
    events = random_events(seed, integer_ids=integer_ids)
    expected = revenue_movements(events.dropna(subset=["customer_id"]), AS_OF)
    got = revenue_movements_stream(_parquet(events, tmp_path), AS_OF)
    assert got.to_dict() == expected.to_dict()


def test_small_batches_give_the_same_tables(tmp_path, monkeypatch):
    events = random_events(4)
    source = _parquet(events, tmp_path)
    whole = cohort_table_stream(source, as_of=AS_OF, metric="grr")
    moves = revenue_movements_stream(source, AS_OF)
    monkeypatch.setattr(stream, "BATCH_ROWS", 500)
    assert cohort_table_stream(source, as_of=AS_OF, metric="grr").to_dict() == whole.to_dict()
    assert revenue_movements_stream(source, AS_OF).to_dict() == moves.to_dict()


def test_a_single_month(tmp_path):
    events = pd.DataFrame({"customer_id": ["a", "b", "a", "c"],
                           "date": pd.to_datetime(["2024-03-01", "2024-03-05", "2024-03-31", "2024-03-10"]),
                           "amount": [100.0, 200.0, 50.0, 0.0]})
    source = _parquet(events, tmp_path)
    as_of = date(2024, 3, 31)
    for metric in ("logo", "nrr", "grr"):
        expected = cohort_table(events, as_of=as_of, metric=metric)
        assert cohort_table_stream(source, as_of=as_of, metric=metric).to_dict() == expected.to_dict()
    assert revenue_movements_stream(source, as_of).to_dict() == revenue_movements(events, as_of).to_dict()


def test_empty_data_is_the_pandas_error(tmp_path):
    events = random_events(1).iloc[:0]
    source = _parquet(events, tmp_path)
    with pytest.raises(DataError) as expected:
        cohort_table(events, as_of=AS_OF)
    with pytest.raises(DataError) as info:
        cohort_table_stream(source, as_of=AS_OF)
    assert info.value.code == expected.value.code == "cohorts_no_events"
    with pytest.raises(DataError) as expected:
        revenue_movements(events, AS_OF)
    with pytest.raises(DataError) as info:
        revenue_movements_stream(source, AS_OF)
    assert info.value.code == expected.value.code == "revenue_no_months"


def test_ids_all_missing_is_no_events(tmp_path):
    events = random_events(1)
    events["customer_id"] = None
    with pytest.raises(DataError) as info:
        cohort_table_stream(_parquet(events, tmp_path), as_of=AS_OF)
    assert info.value.code == "cohorts_no_events"


def test_a_grid_over_the_cell_limit_is_refused_with_a_translated_message(tmp_path):
    events = random_events(1)
    source = _parquet(events, tmp_path)
    with pytest.raises(DataError) as info:
        cohort_table_stream(source, as_of=AS_OF, period="day", max_cells=10_000)
    assert info.value.code == "warehouse_too_many_cells"
    assert info.value.params["limit"] == "10,000"
    for lang in ("en", "ja"):
        text = translate(lang, f"errors.{info.value.code}", **info.value.params)
        assert "10,000" in text
        assert "{" not in text
    with pytest.raises(DataError) as info:
        revenue_movements_stream(source, AS_OF, max_cells=100)
    assert info.value.code == "warehouse_too_many_cells"


def test_a_table_of_a_connection_and_timestamps(tmp_path):
    events = random_events(5)
    con = duckdb.connect()
    frame = events.assign(date=events["date"] + pd.Timedelta(hours=13))  # timestamps: the day counts
    con.register("raw_events", frame)
    sql = "SELECT customer_id AS cid, CAST(date AS DATE) AS day, amount FROM raw_events"
    got = cohort_table_stream(sql, as_of=AS_OF, metric="nrr", con=con)
    assert got.to_dict() == cohort_table(events, as_of=AS_OF, metric="nrr").to_dict()
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall()[0][0] == 0
    con.close()


def test_dense_integer_ids_are_used_as_codes(tmp_path):
    events = random_events(6)
    events["customer_id"] = events["customer_id"].str[1:].astype(float).fillna(0).astype(np.int64)
    source = _parquet(events, tmp_path)
    for metric in ("logo", "grr"):
        assert (cohort_table_stream(source, as_of=AS_OF, metric=metric).to_dict()
                == cohort_table(events, as_of=AS_OF, metric=metric).to_dict())
    assert revenue_movements_stream(source, AS_OF).to_dict() == revenue_movements(events, AS_OF).to_dict()


def test_the_embedded_engine_streams_events_alone_and_falls_back_to_sql_above_the_limit(monkeypatch):
    from cs_models.warehouse.cohorts import cohort_table_sql
    from cs_models.warehouse.connection import embedded
    from cs_models.warehouse.revenue import revenue_movements_sql

    events = random_events(7)
    calls = []
    original = stream._Coded.__init__

    def counted(self, *args, **kwargs):
        calls.append(args[2])
        original(self, *args, **kwargs)

    monkeypatch.setattr(stream._Coded, "__init__", counted)
    expected_table = cohort_table(events, as_of=AS_OF, metric="grr").to_dict()
    expected_moves = revenue_movements(events, AS_OF).to_dict()
    with embedded({"events": events}) as wh:
        assert cohort_table_sql(wh, as_of=AS_OF, metric="grr").to_dict() == expected_table
        assert revenue_movements_sql(wh, AS_OF).to_dict() == expected_moves
        assert len(calls) == 2  # both streamed
        monkeypatch.setattr(stream, "MAX_CELLS", 10)  # every grid too large: the SQL path answers
        assert cohort_table_sql(wh, as_of=AS_OF, metric="grr").to_dict() == expected_table
        assert revenue_movements_sql(wh, AS_OF).to_dict() == expected_moves


def test_the_report_of_a_duckdb_file_streams(tmp_path, monkeypatch):
    from cs_models.warehouse.report import run

    events = random_events(8).dropna(subset=["customer_id", "date"])
    path = tmp_path / "events.db"
    with duckdb.connect(str(path)) as con:
        con.register("frame", events)
        con.execute("CREATE TABLE events AS SELECT * FROM frame")
    calls = []
    original = stream._Coded.__init__

    def counted(self, *args, **kwargs):
        calls.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(stream._Coded, "__init__", counted)
    report, _, as_of = run(f"duckdb:///{path}", ["events=events"], as_of=AS_OF, lang="en")
    assert as_of == AS_OF
    assert len(calls) == 2
    assert "error" not in report["cohorts"]
    assert "error" not in report["revenue"]
    expected = revenue_movements(events, AS_OF)
    assert len(report["revenue"]["months"]) == len(expected.months)


def _close(got: dict, expected: dict, rtol: float = 1e-9) -> None:
    """Nested result dicts equal, floats to ``rtol`` relative."""
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        other = got[key]
        if isinstance(value, dict):
            _close(other, value, rtol)
        elif isinstance(value, list):
            assert len(other) == len(value)
            for a, b in zip(other, value, strict=True):
                if isinstance(b, dict):
                    _close(a, b, rtol)
                elif isinstance(b, float) and not np.isnan(b):
                    assert a == pytest.approx(b, rel=rtol, abs=1e-9)
                else:
                    assert (a == b) or (a != a and b != b)  # NaN equals NaN here
        elif isinstance(value, float) and not np.isnan(value):
            assert other == pytest.approx(value, rel=rtol, abs=1e-9)
        else:
            assert (other == value) or (other != other and value != value)


@pytest.mark.parametrize("integer_ids", [False, True])
def test_fractional_amounts_equal_pandas_to_1e_9(integer_ids, tmp_path):
    events = random_events(9, integer_ids=integer_ids)
    rng = np.random.default_rng(9)
    events["amount"] = events["amount"] * rng.uniform(0.1, 3.0, len(events))  # sums now depend on their order
    source = _parquet(events, tmp_path)
    for metric in ("nrr", "grr"):
        expected = cohort_table(events, as_of=AS_OF, metric=metric).to_dict()
        _close(cohort_table_stream(source, as_of=AS_OF, metric=metric).to_dict(), expected)
    expected = revenue_movements(events.dropna(subset=["customer_id"]), AS_OF).to_dict()
    _close(revenue_movements_stream(source, AS_OF).to_dict(), expected)


def test_movements_of_timestamps_keep_the_last_day_of_the_month(tmp_path):
    events = random_events(10)
    con = duckdb.connect()
    frame = events.assign(date=events["date"] + pd.Timedelta(hours=23, minutes=59))  # late on each day
    con.register("raw_events", frame)
    sql = "SELECT customer_id AS cid, date AS day, amount FROM raw_events"
    expected = revenue_movements(events.dropna(subset=["customer_id"]), AS_OF).to_dict()
    assert revenue_movements_stream(sql, AS_OF, con=con).to_dict() == expected
    con.close()


def test_the_byte_movement_labels_are_those_of_the_revenue_module():
    from cs_models.revenue import movement_labels

    rng = np.random.default_rng(11)
    size = 20_000
    value = rng.choice([-300.0, -0.0, 0.0, 50.0, 100.0, 100.5, 250.0], size)
    before = rng.choice([-300.0, -0.0, 0.0, 50.0, 100.0, 100.5, 250.0], size)
    billed = value > 0
    first = billed & (rng.random(size) < 0.3)
    from cs_models.warehouse._blocks import _labels

    label, change = _labels(value, before, first, billed)
    expected_label, expected_change = movement_labels(value, before, first)
    np.testing.assert_array_equal(label, expected_label)
    np.testing.assert_array_equal(change, expected_change)
    assert set(np.unique(label)) == {0, 1, 2, 3, 4}


@pytest.mark.parametrize(("period", "days", "block"), [("day", 100, 8), ("day", 40_000, 1 << 16), ("week", 3_000, 1),
                                                      ("quarter", 5_000, 4)])
def test_events_are_sorted_into_blocks_of_customers_in_the_order_read(period, days, block, tmp_path, monkeypatch):
    """8-, 16- and 32-bit sort keys, blocks cut to fit ``BLOCK_CELLS``; small batches."""
    from cs_models.cohorts.periods import period_index

    rng = np.random.default_rng(12)
    size = 3_000
    day = rng.integers(0, days, size)
    frame = pd.DataFrame({"cid": rng.integers(0, 500, size),
                          "day": pd.Timestamp("1950-01-01") + pd.to_timedelta(day, "D"),
                          "amount": rng.integers(1, 1000, size).astype(float)})
    con = duckdb.connect()
    con.register("frame", frame)
    monkeypatch.setattr(stream, "BATCH_ROWS", 256)
    monkeypatch.setattr(stream, "BLOCK_CUSTOMERS", block)
    sql = "SELECT cid, CAST(day AS DATE) AS day, amount FROM frame"
    with stream._coded(con, sql, "TRUE", period, "amount") as coded:
        first = coded.p_min
        width = coded.p_max - first + 1
        blocks, per_block = coded.blocks(first, width)
        read = con.execute(sql).df()  # the order read
    assert per_block <= max(1, stream.BLOCK_CELLS // width)
    assert per_block <= block
    periods = period_index((pd.to_datetime(read["day"]) - pd.Timestamp("1970-01-01")).dt.days.to_numpy(), period)
    codes = read["cid"].to_numpy() - read["cid"].min()
    cells = (periods - first) * per_block + codes % per_block
    assert blocks.width == -(-(codes.max() + 1) // per_block)
    for j in range(blocks.width):
        mine = codes // per_block == j
        parts = blocks.parts(j)
        np.testing.assert_array_equal(np.concatenate(parts) if parts else [], cells[mine])
        grid = np.zeros(width * per_block)
        np.add.at(grid, cells[mine], read["amount"].to_numpy()[mine])
        np.testing.assert_array_equal(blocks.money(j), grid)
    con.close()


def test_a_connection_opened_here_is_closed_and_a_given_one_left_open(tmp_path, monkeypatch):
    source = _parquet(random_events(13), tmp_path)
    opened = []
    real = duckdb.connect

    def connect(*args, **kwargs):
        opened.append(real(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(duckdb, "connect", connect)
    revenue_movements_stream(source, AS_OF)
    with pytest.raises(DataError):
        cohort_table_stream(source, as_of=date(2000, 1, 1))  # no events: raised inside, still closed
    assert len(opened) == 2
    for con in opened:
        with pytest.raises(duckdb.ConnectionException):
            con.execute("SELECT 1")
    con = real()
    revenue_movements_stream(source, AS_OF, con=con)
    assert con.execute("SELECT 1").fetchall() == [(1,)]
    con.close()


@pytest.mark.parametrize("block", [1, 16, 64])
@pytest.mark.parametrize("integer_ids", [False, True])
def test_movements_of_several_blocks_of_customers_equal_pandas(block, integer_ids, tmp_path, monkeypatch):
    """Blocks of customers (the last one partial) summed one after the other, batches cut small."""
    events = random_events(14, integer_ids=integer_ids)
    expected = revenue_movements(events.dropna(subset=["customer_id"]), AS_OF).to_dict()
    monkeypatch.setattr(stream, "BLOCK_CUSTOMERS", block)
    monkeypatch.setattr(stream, "BATCH_ROWS", 700)
    assert revenue_movements_stream(_parquet(events, tmp_path), AS_OF).to_dict() == expected


@pytest.mark.parametrize("block", [1, 16, 64])
@pytest.mark.parametrize("options", [{}, {"metric": "grr"}, {"metric": "nrr", "period": "week"},
                                     {"mode": "on_or_after", "period": "day", "max_k": 30}])
def test_cohort_tables_of_several_blocks_of_customers_equal_pandas(block, options, tmp_path, monkeypatch):
    """Blocks of customers (the last one partial) added one after the other, batches cut small."""
    events = random_events(15, integer_ids=True)
    expected = cohort_table(events, as_of=AS_OF, **options).to_dict()
    monkeypatch.setattr(stream, "BLOCK_CUSTOMERS", block)
    monkeypatch.setattr(stream, "BATCH_ROWS", 700)
    assert cohort_table_stream(_parquet(events, tmp_path), as_of=AS_OF, **options).to_dict() == expected
