"""The embedded engine for data too large for pandas: DuckDB streams the events, numpy sums them.

DuckDB reads only the columns needed (customer id, date, amount) of Parquet files or of a table,
filters them and hands them over in Arrow record batches; the customer ids are integer-coded once
(an integer id column is used as it is when dense, other ids get codes from one ``DISTINCT`` pass).
numpy gives each event its period (a lookup table from day to period:
:func:`cs_models.cohorts.periods.period_index`) and sums them; the customer × period grid is
bounded (:data:`MAX_CELLS`, else ``DataError`` ``warehouse_too_many_cells``).

Activity alone (logo cohorts) is set in one period × customer grid of booleans, each event's cell
computed by DuckDB in its threads (180 MB for 5 million customers over three years). With revenue,
each batch is sorted by block of customers (:data:`BLOCK_CUSTOMERS`, fewer for many periods: a
stable radix sort of 8-bit keys for up to 127 blocks), each event given its cell in its block's
period × customer grid. One block at a time, the grid (a few MB, so that summing into it and walking
it stay in the processor's cache) is set and summed, and its cells added to the statistics
(:mod:`cs_models.warehouse._blocks`). 100 million events of 5 million customers over three years
take 1.2 GB of cells and amounts, never a 1.4 GB grid of floats.

The statistics are those of the frame path:

- cohort tables: block by block, the active customers add to their (cohort, k) cells the
  sums :func:`cs_models.cohorts.raw._from_events` makes (customers, customers active then or later,
  revenue, revenue capped at the cohort period's), and :func:`cs_models.cohorts.table._assemble`
  labels them exactly as for a frame;
- revenue movements: block by block and month by month, each customer's MRR against the month
  before is classified as :func:`cs_models.revenue.movement_labels` does it, and framed by
  :func:`cs_models.revenue.months_frame` and :func:`cs_models.revenue.trends_frame`; of the months
  before, only the customers billed and their MRR are kept (churn, trailing retention).

A customer's amounts in a cell are summed in the order read (batch by batch), and the movements'
month totals block by block, so revenue can differ from the frame path's in the last bits; counts
are identical.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cs_models.cohorts.periods import _NS_PER_DAY, _Grid, period_index
from cs_models.cohorts.raw import _Raw
from cs_models.cohorts.table import METRICS, MODES, PERIODS, WEIGHTINGS, CohortTable, _assemble
from cs_models.errors import DataError
from cs_models.revenue import EPOCH_MONTH, RevenueMovements
from cs_models.stats import ALPHA, check_alpha
from cs_models.warehouse._blocks import _Buckets, _CohortSums, _MovementSums

#: Largest grid (customers × periods) accumulated: 250M cells hold 250 MB of activity and 2 GB of revenue.
MAX_CELLS = 250_000_000
#: Customers per block of the revenue movements (a power of two; a month of a block is 512 KB, and up to
#: 127 blocks, 8.3 million customers, sort by 8-bit keys).
BLOCK_CUSTOMERS = 1 << 16
#: Largest cells (customers × periods) of a block: fewer customers per block for many periods.
BLOCK_CELLS = 1 << 22
#: Rows per Arrow record batch read from DuckDB.
BATCH_ROWS = 1 << 20
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
                  "HUGEINT")


# ------------------------------------------------------------------------ sources
_PARQUET = "SELECT {cid} AS cid, CAST({day} AS DATE) AS day, {money} AS amount FROM read_parquet([{files}])"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def parquet_events(paths: str | Path | Sequence[str | Path], *, customer_id: str = "customer_id",
                   date_column: str = "date", amount: str | None = "amount") -> str:
    """The SQL of events (``cid``, ``day``, ``amount``) read from Parquet files.

    Parameters
    ----------
    paths : path or sequence of paths
        The Parquet files (one dataset).
    customer_id, date_column, amount : str
        The columns holding the customer id, the date (a date or timestamp) and the amount
        (``None``: no amounts).

    Returns
    -------
    str
        A ``SELECT`` DuckDB can stream; only these columns are read from the files.
    """
    files = [paths] if isinstance(paths, str | Path) else list(paths)
    listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    money = f"CAST({_quote(amount)} AS DOUBLE)" if amount else "CAST(NULL AS DOUBLE)"
    return _PARQUET.format(cid=_quote(customer_id), day=_quote(date_column), money=money, files=listed)


#: The queries of :class:`_Coded` (the parts are identifiers quoted here and SQL built by this module or
#: compiled by ibis; no user text is spliced in unquoted).
_KEPT = "SELECT cid, CAST(day AS DATE) AS day, {amount} AS amount FROM ({events}) WHERE {where}"
_DESCRIBE = "DESCRIBE {kept}"
_INT_STATS = "SELECT min(cid), max(cid), count(*), min(day), max(day) FROM ({kept})"
_STATS = "SELECT count(*), min(day), max(day) FROM ({kept})"
_BY_INT = "SELECT CAST(cid - {low} AS INTEGER) AS code, day{amount} FROM ({kept})"
_IDS = ("CREATE TEMP TABLE {table} AS SELECT cid, CAST(row_number() OVER () - 1 AS INTEGER) AS code "
        "FROM (SELECT DISTINCT cid FROM ({kept}))")
_COUNT = "SELECT count(*) FROM {table}"
_BY_IDS = "SELECT i.code, e.day{amount} FROM ({kept}) e JOIN {table} i ON e.cid = i.cid"
_DROP = "DROP TABLE IF EXISTS {table}"
_CELLS = "SELECT CAST({period} - {first} AS BIGINT) * {n} + code AS cell FROM ({codes})"
_EPOCH = date(1970, 1, 1)


def _period_sql(period: str) -> str:
    """Absolute period index of ``day`` as :func:`cs_models.cohorts.periods.period_index` computes it."""
    days = "datediff('day', DATE '1970-01-01', day)"
    months = f"(year(day) * 12 + month(day) - 1 - {EPOCH_MONTH})"
    return {"day": f"CAST({days} AS INTEGER)", "week": f"CAST(floor(({days} + 3) / 7) AS INTEGER)",
            "month": f"CAST({months} AS INTEGER)", "quarter": f"CAST(floor({months} / 3) AS INTEGER)"}[period]


class _Coded:
    """The kept events of ``events_sql`` with integer customer codes: ``code``, ``day``, ``amount``.

    One cheap pass gives the number of rows, the customers (the range of dense integer ids, or the
    codes of a ``DISTINCT`` pass) and the first and last day; the periods are numpy's
    (:func:`cs_models.cohorts.periods.period_index`), not SQL's.
    """

    def __init__(self, con: Any, events_sql: str, where: str, period: str, amount: str) -> None:
        kept = _KEPT.format(amount=amount, events=events_sql, where=where)
        cid_type = con.execute(_DESCRIBE.format(kept=kept)).fetchall()[0][1].upper()
        self.con = con
        self.period = period
        self._table: str | None = None
        if cid_type in _INTEGER_TYPES:
            low, high, rows, d_min, d_max = con.execute(_INT_STATS.format(kept=kept)).fetchall()[0]
            if rows == 0 or int(high) - int(low) < 4 * int(rows) + 1024:  # dense enough to index directly
                self._stats(rows, d_min, d_max)
                self.n_cust = 0 if rows == 0 else int(high) - int(low) + 1
                self._sql = {amounts: _BY_INT.format(low=int(low or 0), kept=kept, amount=", amount" if amounts else "")
                             for amounts in (False, True)}
                return
        self._table = f"cs_lens_ids_{id(self)}"
        con.execute(_IDS.format(table=self._table, kept=kept))
        self.n_cust = int(con.execute(_COUNT.format(table=self._table)).fetchall()[0][0])
        self._stats(*con.execute(_STATS.format(kept=kept)).fetchall()[0])
        self._sql = {amounts: _BY_IDS.format(kept=kept, table=self._table, amount=", e.amount" if amounts else "")
                     for amounts in (False, True)}

    def _stats(self, rows: Any, d_min: date | None, d_max: date | None) -> None:
        self.rows = int(rows)
        self.d_min = 0 if d_min is None else (d_min - _EPOCH).days
        self.d_max = 0 if d_max is None else (d_max - _EPOCH).days
        self.p_min, self.p_max = (int(p) for p in period_index(np.array([self.d_min, self.d_max]), self.period))

    def batches(self, amounts: bool) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        """The kept events in record batches, read by a thread while the caller handles the last one.

        Parameters
        ----------
        amounts : bool
            Also hand over the amounts.

        Returns
        -------
        iterator of tuple
            Per batch: each event's customer code (int32), day (days since 1970-01-01, int32) and
            amount (``None`` unless ``amounts``), as numpy arrays.
        """
        import pyarrow as pa

        for batch in _read(self.con, self._sql[amounts]):
            yield (batch.column(0).to_numpy(zero_copy_only=False),
                   batch.column(1).view(pa.int32()).to_numpy(zero_copy_only=False),
                   batch.column(2).to_numpy(zero_copy_only=False) if amounts else None)

    def active(self, first: int, width: int) -> np.ndarray:
        """Whether each customer has an event in each period.

        DuckDB computes each event's cell ``(period - first) * customers + code`` (in its threads,
        as the batches are read); numpy sets it.

        Parameters
        ----------
        first, width : int
            The period of the grid's first row, and the number of rows.

        Returns
        -------
        numpy.ndarray
            A (``width``, customers) grid of booleans.
        """
        n = self.n_cust
        sql = _CELLS.format(period=_period_sql(self.period), first=int(first), n=n, codes=self._sql[False])
        grid = np.zeros(width * n, dtype=bool)
        for batch in _read(self.con, sql):
            grid[batch.column(0).to_numpy(zero_copy_only=False)] = True
        return grid.reshape(width, n)

    def blocks(self, first: int, width: int, amounts: bool = True) -> tuple[_Buckets, int]:
        """The kept events sorted by block of customers, and the block size.

        Block ``j`` holds the customers ``j * size`` to ``(j + 1) * size - 1`` (``size`` a power of
        two, at most :data:`BLOCK_CUSTOMERS` and :data:`BLOCK_CELLS` / ``width``); each of its
        events is given its cell ``period * size + code % size`` of the block's period-major grid
        (a few MB, so that summing into it and walking it stay in the processor's cache). Each batch
        is ordered by block (a stable radix sort), so a cell's events keep the order they were read in.

        Parameters
        ----------
        first, width : int
            The period of the grids' first row, and the number of rows.
        amounts : bool
            Also keep the amounts.

        Returns
        -------
        tuple
            The events per block (:class:`~cs_models.warehouse._blocks._Buckets`) and ``size``.
        """
        fit = 1 << max(0, (max(1, BLOCK_CELLS // width)).bit_length() - 1)
        size = min(BLOCK_CUSTOMERS, fit, 1 << max(0, self.n_cust - 1).bit_length())
        count = -(-self.n_cust // size)
        cell = np.int32 if width * size <= np.iinfo(np.int32).max else np.int64
        lut = ((period_index(np.arange(self.d_min, self.d_max + 1), self.period) - first) * size).astype(cell)
        small = next((t for t in (np.int8, np.int16) if count <= np.iinfo(t).max), np.int32)
        shift = size.bit_length() - 1
        out = _Buckets(count, width * size, amounts)
        for code, day, amount in self.batches(amounts):
            key = lut[day - self.d_min]
            key += code & (size - 1)
            block = (code >> shift).astype(small)
            counts = np.bincount(block, minlength=count)
            present = np.flatnonzero(counts)
            if len(present) == 1:
                out.add(int(present[0]), key, amount)
                continue
            order = np.argsort(block, kind="stable")
            key = key[order]
            amount = None if amount is None else amount[order]
            ends = np.cumsum(counts)
            for j in present:
                start, end = int(ends[j] - counts[j]), int(ends[j])
                out.add(int(j), key[start:end], None if amount is None else amount[start:end])
        return out, size

    def close(self) -> None:
        """Drop the temporary table of codes."""
        if self._table is not None:
            self.con.execute(_DROP.format(table=self._table))
            self._table = None


def _read(con: Any, sql: str) -> Iterator[Any]:
    """The Arrow record batches of ``sql``, read by a thread while the caller handles the last one."""
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    ready: queue.Queue[Any] = queue.Queue(maxsize=2)

    def produce() -> None:
        try:
            for batch in reader:
                ready.put(batch)
            ready.put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            ready.put(exc)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while (batch := ready.get()) is not None:
            if isinstance(batch, BaseException):
                raise batch
            yield batch
    finally:
        while thread.is_alive():  # let the reader finish (drain what it still puts)
            try:
                ready.get(timeout=0.05)
            except queue.Empty:
                continue
        thread.join()


@contextmanager
def _coded(con: Any | None, events_sql: str, where: str, period: str, amount: str) -> Iterator[_Coded]:
    """:class:`_Coded` events on ``con`` (a new in-memory connection if ``None``), cleaned up after."""
    if con is None:
        import duckdb

        with duckdb.connect() as own, _coded(own, events_sql, where, period, amount) as coded:
            yield coded
        return
    coded = _Coded(con, events_sql, where, period, amount)
    try:
        yield coded
    finally:
        coded.close()


def _check_cells(n_cust: int, width: int, limit: int | None, what: str) -> None:
    limit = MAX_CELLS if limit is None else limit
    cells = n_cust * width
    if cells > limit:
        raise DataError("warehouse_too_many_cells",
                        f"{what}: a grid of {cells:,} customer × period cells (limit {limit:,})",
                        what=what, cells=f"{cells:,}", limit=f"{limit:,}")


def duckdb_connection(wh: Any) -> Any | None:
    """The DuckDB connection under a :class:`~cs_models.warehouse.connection.Warehouse`, if it is DuckDB.

    Parameters
    ----------
    wh : Warehouse
        A connection.

    Returns
    -------
    duckdb.DuckDBPyConnection or None
        The embedded engine's connection (the streamed path runs there); ``None`` for a remote
        warehouse, where the aggregations stay in SQL.
    """
    backend = getattr(wh, "backend", None)
    if getattr(backend, "name", None) != "duckdb":
        return None
    return getattr(backend, "con", None)


def to_duckdb_sql(expr: Any) -> str:
    """The DuckDB SQL of an ibis expression (the events selected through a column mapping).

    Parameters
    ----------
    expr : ibis.Table
        A table expression with ``cid``, ``day`` and ``amount``.

    Returns
    -------
    str
        Its ``SELECT``.
    """
    import ibis

    return str(ibis.to_sql(expr, dialect="duckdb"))


# ------------------------------------------------------------------------ cohorts
def stream_cohort_raw(events_sql: str, *, as_of: date, period: str = "month", need_revenue: bool = False,
                      need_capped: bool = False, con: Any | None = None, max_cells: int | None = None) -> _Raw:
    """The cell sums of an events-only cohort table, streamed from DuckDB.

    Parameters
    ----------
    events_sql : str
        A DuckDB query with columns ``cid``, ``day`` (DATE) and ``amount`` (DOUBLE), e.g.
        :func:`parquet_events`.
    as_of : date
        The as-of date (inclusive).
    period : {"day", "week", "month", "quarter"}
        Period length.
    need_revenue, need_capped : bool
        Sum revenue (NRR) and capped revenue (GRR).
    con : duckdb.DuckDBPyConnection, optional
        The connection to run on (a new in-memory one by default).
    max_cells : int, optional
        Largest customers × periods grid (default :data:`MAX_CELLS`).

    Returns
    -------
    _Raw
        What :func:`cs_models.cohorts.raw._from_events` gives for the same events without customers.

    Raises
    ------
    DataError
        ``cohorts_no_events`` without events by the as-of date, ``warehouse_too_many_cells``.
    """
    now = _Grid(period, int(pd.Timestamp(as_of).value // _NS_PER_DAY)).now
    with _coded(con, events_sql, f"cid IS NOT NULL AND day IS NOT NULL AND day <= DATE '{as_of.isoformat()}'",
                period, "CASE WHEN amount IS NULL OR isnan(amount) THEN 0.0 ELSE amount END") as coded:
        if coded.rows == 0:
            raise DataError("cohorts_no_events", "no events on or before the as-of date")
        first = coded.p_min
        width = now - first + 1
        _check_cells(coded.n_cust, width, max_cells, "cohorts")
        sums = _CohortSums(width, need_revenue, need_capped)
        if not need_revenue:  # activity alone: one grid of booleans (a byte a cell), walked block by block
            active = coded.active(first, width)
            for start in range(0, coded.n_cust, BLOCK_CUSTOMERS):
                sums.add(active[:, start:start + BLOCK_CUSTOMERS], None)
            return sums.raw(first)
        blocks, size = coded.blocks(first, width, True)
    cells = np.empty(width * size, dtype=bool)
    money = np.empty(width * size)
    for j in range(blocks.width):  # one block of customers at a time: its periods × customers grid
        customers = min(size, coded.n_cust - j * size)
        cells.fill(False)
        for part in blocks.parts(j):
            cells[part] = True
        sums.add(cells.reshape(width, size)[:, :customers], blocks.money(j, money).reshape(width, size)[:, :customers])
        blocks.release(j)
    return sums.raw(first)


def cohort_table_stream(events_sql: str, *, as_of: date, period: str = "month", mode: str = "classic",
                        metric: str = "logo", weighting: str = "size", max_k: int | None = None,
                        alpha: float = ALPHA, con: Any | None = None, max_cells: int | None = None) -> CohortTable:
    """:func:`cs_models.cohorts.cohort_table` of events alone (cohort = first event's period), streamed.

    Parameters
    ----------
    events_sql : str
        A DuckDB query with ``cid``, ``day`` and ``amount`` (see :func:`parquet_events`).
    as_of : date
        The as-of date (inclusive).
    period, mode, metric, weighting, max_k, alpha
        As in :func:`cs_models.cohorts.cohort_table`.
    con : duckdb.DuckDBPyConnection, optional
        The connection to run on.
    max_cells : int, optional
        Largest customers × periods grid (default :data:`MAX_CELLS`).

    Returns
    -------
    CohortTable
        Equal to ``cohort_table(events, as_of=as_of, ...)`` of the same events as a frame.

    Raises
    ------
    ValueError
        For an unknown code or inconsistent parameters.
    DataError
        ``cohorts_no_events``, ``warehouse_too_many_cells``.
    """
    if period not in PERIODS or mode not in MODES or metric not in METRICS or weighting not in WEIGHTINGS:
        raise ValueError(f"unknown period/mode/metric/weighting {period!r}/{mode!r}/{metric!r}/{weighting!r}")
    if metric != "logo" and mode != "classic":
        raise ValueError("revenue retention uses each period's revenue: mode must be 'classic'")
    if max_k is not None and max_k < 0:
        raise ValueError("max_k must be >= 0")
    check_alpha(alpha)
    raw = stream_cohort_raw(events_sql, as_of=as_of, period=period, need_revenue=metric != "logo",
                            need_capped=metric == "grr", con=con, max_cells=max_cells)
    if max_k is not None:
        raw = raw.first_periods(max_k + 1)
    as_of_ts = pd.Timestamp(as_of).normalize()
    grid = _Grid(period, int(as_of_ts.value // _NS_PER_DAY))
    return _assemble(raw, grid, "events", period, mode, metric, as_of_ts, None, weighting, alpha)


# ------------------------------------------------------------------------ revenue movements
def _last_month(as_of: date) -> int:
    last = (pd.Timestamp(as_of) + pd.Timedelta(days=1)).to_period("M") - 1
    return int(last.year * 12 + last.month - 1 - EPOCH_MONTH)


def revenue_movements_stream(events_sql: str, as_of: date, *, alpha: float = ALPHA, con: Any | None = None,
                             max_cells: int | None = None) -> RevenueMovements:
    """:func:`cs_models.revenue.revenue_movements` streamed from DuckDB.

    Parameters
    ----------
    events_sql : str
        A DuckDB query with ``cid``, ``day`` and ``amount`` (see :func:`parquet_events`).
    as_of : date
        Months ending after it are left out.
    alpha : float
        ``1 - confidence level`` of the churn-rate intervals.
    con : duckdb.DuckDBPyConnection, optional
        The connection to run on.
    max_cells : int, optional
        Largest customers × months grid (default :data:`MAX_CELLS`).

    Returns
    -------
    RevenueMovements
        Equal to the movements of the same events as a frame.

    Raises
    ------
    DataError
        ``revenue_no_months`` when no complete month has events, ``warehouse_too_many_cells``.
    """
    check_alpha(alpha)
    last = _last_month(as_of)
    month_after = date(1970 + (last + 1) // 12, (last + 1) % 12 + 1, 1)
    with _coded(con, events_sql, f"cid IS NOT NULL AND day IS NOT NULL AND amount IS NOT NULL "
                f"AND NOT isnan(amount) AND day < DATE '{month_after.isoformat()}'", "month", "amount") as coded:
        if coded.rows == 0:
            raise DataError("revenue_no_months", "no complete month has billed events")
        first = coded.p_min
        width = last - first + 1
        _check_cells(coded.n_cust, width, max_cells, "revenue")
        blocks, size = coded.blocks(first, width)
    months = pd.period_range(pd.Period(year=1970 + first // 12, month=first % 12 + 1, freq="M"),
                             periods=width, freq="M").to_timestamp()
    sums = _MovementSums(width)
    grid = np.empty(width * size)
    for j in range(blocks.width):  # one block of customers at a time: its months × customers grid
        customers = min(size, coded.n_cust - j * size)
        sums.add(blocks.money(j, grid).reshape(width, size)[:, :customers], customers)
        blocks.release(j)
    return sums.result(months, as_of, alpha)
