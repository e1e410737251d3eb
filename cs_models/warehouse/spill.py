"""Large uploaded events spilled once to Parquet, and the engine each heavy aggregation runs on.

An uploaded events dataset of :data:`SPILL_ROWS` rows or more is written once, as Parquet, to a
folder private to the session (:class:`Spill`: created by :func:`tempfile.mkdtemp`, mode ``0700``,
removed when the owner is collected — the session's state dropped — or at interpreter exit). The
cohort table and the revenue movements of that session then run as SQL over the file through the
streamed DuckDB engine (:func:`~cs_models.warehouse.stream.cohort_table_stream`,
:func:`~cs_models.warehouse.stream.revenue_movements_stream`); smaller data keep the pandas path.
Both paths give the same results (counts exactly; revenue sums are added in another order, so
they can differ in the last bits): ``tests/warehouse/test_spill.py``. Categorical customer ids (what
``validate`` gives) are written as their integer codes, which the engine takes as they are (10M events:
``bench/results/2026-12-07-0630-vm-spill-10000000-codes.md``).

Routing (:func:`cohort_table_for`, :func:`movements_for`):

- cohorts go through SQL for events-only tables (``source="events"`` without a customers frame and
  without a segment): with customers loaded, cohorts are the periods of their start dates, unmatched
  events are counted and segments split the curves, which the streamed engine does not do, so those
  tables keep the pandas path;
- movements go through SQL always, a segment filter by a semi-join on the kept customers' ids (the
  customers the filter keeps are exactly those whose events :meth:`SegmentFilter.apply` keeps);
- a grid over the engine's cell limit (``warehouse_too_many_cells``, e.g. daily cohorts of a
  million customers), an error of DuckDB or of the file system, and a file that could not be written
  (:func:`spill_for`) fall back to pandas.

The events frame stays in memory as well: the journey from events with a plan column, the
community leader candidates, the segment filter, the story and the report still read the frame, and
keeping it keeps every page working. Dropping it (the server's memory) needs those consumers in SQL
too; this module is the place their routing goes.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cs_models.errors import DataError

if TYPE_CHECKING:  # the analyses are imported when they run (the router imports this module)
    from cs_models.cohorts.table import CohortTable
    from cs_models.datasets import Datasets
    from cs_models.filters import SegmentFilter
    from cs_models.revenue import RevenueMovements

#: Uploaded events of at least this many rows are spilled to Parquet and aggregated in SQL.
SPILL_ROWS = 5_000_000
#: Columns of the canonical events that the SQL aggregations read.
SPILLED_COLUMNS = ("customer_id", "date", "amount")
#: Rows converted to Arrow and written at a time (a row group of the file).
WRITE_ROWS = 1 << 20
#: Prefix of the private folders (``cs-lens-spill-XXXXXXXX`` in the system's temp folder).
FOLDER_PREFIX = "cs-lens-spill-"
_SEQUENCE = itertools.count()
_KEPT_TABLE = "cs_lens_kept_ids"
#: The events of the kept customers (the parts are SQL built by this module; no user text is spliced in).
_KEPT_EVENTS = "SELECT * FROM ({events}) WHERE CAST(cid AS VARCHAR) IN (SELECT cid FROM {table})"
_KEPT_CODES = "SELECT * FROM ({events}) WHERE cid IN (SELECT cid FROM {table})"


@dataclass(frozen=True)
class SpilledEvents:
    """Events written to a Parquet file: what the SQL aggregations read, and a cache key.

    Attributes
    ----------
    path : str
        The Parquet file.
    rows : int
        Events written.
    digest : str
        SHA-256 of the file (results cached on it are those of these data).
    amount : bool
        Whether the events have amounts.
    coded : bool
        Whether ``customer_id`` holds the integer codes of the frame's categorical ids (the engine
        then takes them as they are: no ``DISTINCT`` or join of id texts).
    """

    path: str
    rows: int
    digest: str
    amount: bool
    coded: bool = False

    def sql(self) -> str:
        """The DuckDB ``SELECT`` of the events (``cid``, ``day``, ``amount``).

        Returns
        -------
        str
            :func:`~cs_models.warehouse.stream.parquet_events` of the file.
        """
        from cs_models.warehouse.stream import parquet_events

        return parquet_events(self.path, amount="amount" if self.amount else None)


def should_spill(events: pd.DataFrame | None) -> bool:
    """Whether an uploaded events frame is large enough for the SQL engine.

    Parameters
    ----------
    events : pandas.DataFrame or None
        Canonical events.

    Returns
    -------
    bool
        ``True`` for :data:`SPILL_ROWS` rows or more with the canonical id and date columns.
    """
    return (events is not None and len(events) >= SPILL_ROWS
            and all(c in events.columns for c in SPILLED_COLUMNS[:2]))


class Spill:
    """The owner of one session's private folder and the events spilled into it.

    The folder (mode ``0700``) is removed by :meth:`close`, when this object is collected (the
    session's state dropped), or at interpreter exit, whichever comes first.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events (``customer_id``, ``date``, optional ``amount``); written once.

    Attributes
    ----------
    folder : pathlib.Path
        The private folder.
    events : SpilledEvents
        The file written.
    """

    def __init__(self, events: pd.DataFrame) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.folder), ignore_errors=True)
        os.chmod(self.folder, 0o700)
        self._source = weakref.ref(events)
        try:
            self.events = write_events(events, self.folder / f"events-{next(_SEQUENCE)}.parquet")
        except BaseException:
            self.close()
            raise

    def holds(self, events: pd.DataFrame | None) -> bool:
        """Whether this spill was written from ``events`` (the very frame) and is still there.

        Parameters
        ----------
        events : pandas.DataFrame or None
            A frame.

        Returns
        -------
        bool
            ``True`` when ``events`` is the frame spilled and the folder is not removed.
        """
        return events is not None and self._source() is events and self._finalizer.alive

    def close(self) -> None:
        """Remove the folder now (later calls do nothing)."""
        self._finalizer()


def spill_for(events: pd.DataFrame | None) -> Spill | None:
    """The spill of an uploaded events frame when it is large (:func:`should_spill`), else ``None``.

    Parameters
    ----------
    events : pandas.DataFrame or None
        Canonical events.

    Returns
    -------
    Spill or None
        The owner of the written file; ``None`` for small data, or when the file cannot be written
        (no space, no temp folder): the pandas path answers then.
    """
    if not should_spill(events):
        return None
    assert events is not None
    try:
        return Spill(events)
    except OSError:
        return None


def write_events(events: pd.DataFrame, path: Path) -> SpilledEvents:
    """Write the columns the SQL aggregations read to one Parquet file, :data:`WRITE_ROWS` rows at a time
    (one slice of the frame is converted to Arrow at once, so the memory the writing takes is bounded).

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    path : pathlib.Path
        The file to write.

    Returns
    -------
    SpilledEvents
        The file, its rows and digest.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = [c for c in SPILLED_COLUMNS if c in events.columns]
    frame = events[columns]
    coded = "customer_id" in columns and isinstance(frame["customer_id"].dtype, pd.CategoricalDtype)
    if coded:  # the categories' integer codes (blank ids stay null): dense integers the engine takes as they are
        codes = frame["customer_id"].cat.codes
        frame = frame.assign(customer_id=codes.astype("Int32").mask(codes < 0))
    schema = pa.Schema.from_pandas(frame.iloc[:0], preserve_index=False)
    if "customer_id" in columns and not coded:
        schema = schema.set(schema.get_field_index("customer_id"), pa.field("customer_id", pa.string()))
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, len(frame), WRITE_ROWS):
            part = frame.iloc[start:start + WRITE_ROWS]
            writer.write_table(pa.Table.from_pandas(part, schema=schema, preserve_index=False))
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 22):
            digest.update(chunk)
    return SpilledEvents(str(path), len(events), digest.hexdigest(), "amount" in columns, coded)


def _kept_connection(kept: pd.DataFrame | None, spilled: SpilledEvents, events: pd.DataFrame) -> Any:
    """A DuckDB connection with the kept customers' ids registered (``None`` without a filter): their
    texts, or their codes among the categories of ``events`` when the file holds codes."""
    if kept is None:
        return None
    import duckdb
    import pyarrow as pa

    ids = kept["customer_id"].dropna().astype(str).unique()
    if spilled.coded:
        codes = events["customer_id"].cat.categories.get_indexer(pd.Index(ids, dtype=object))
        column = pa.array(codes[codes >= 0], type=pa.int32())
    else:
        column = pa.array(ids, type=pa.string())
    con = duckdb.connect()
    con.register(_KEPT_TABLE, pa.table({"cid": column}))
    return con


def _events_sql(spilled: SpilledEvents, kept: pd.DataFrame | None) -> str:
    sql = spilled.sql()
    if kept is None:
        return sql
    return (_KEPT_CODES if spilled.coded else _KEPT_EVENTS).format(events=sql, table=_KEPT_TABLE)


def _too_large(exc: DataError) -> bool:
    return exc.code == "warehouse_too_many_cells"


def _engine_errors() -> tuple[type[BaseException], ...]:
    """What the SQL route may raise that the pandas path answers instead: DuckDB's own errors (e.g. the
    file gone with its session while a rerun still holds it) and the file system's."""
    import duckdb

    return duckdb.Error, OSError


def cohort_table_for(events: pd.DataFrame | None, spilled: SpilledEvents | None, *,
                     customers: pd.DataFrame | None = None, as_of: date, source: str = "events",
                     period: str = "month", mode: str = "classic", metric: str = "logo",
                     segment: str | None = None, segment_value: Any = None, weighting: str = "size",
                     max_k: int | None = None, alpha: float | None = None) -> CohortTable:
    """:func:`cs_models.cohorts.cohort_table`, in SQL over the spilled events when they can be.

    Parameters
    ----------
    events : pandas.DataFrame or None
        The events frame (the pandas path; also the cache key of the page).
    spilled : SpilledEvents or None
        The same events spilled to Parquet (``None``: small data, the pandas path).
    customers, as_of, source, period, mode, metric, segment, segment_value, weighting, max_k
        As in :func:`cs_models.cohorts.cohort_table`.
    alpha : float, optional
        As there (default :data:`~cs_models.stats.ALPHA`).

    Returns
    -------
    CohortTable
        Equal to ``cohort_table(events, customers=customers, ...)``.

    Raises
    ------
    DataError
        As :func:`cs_models.cohorts.cohort_table`.
    """
    from cs_models.cohorts.table import cohort_table
    from cs_models.stats import ALPHA

    alpha = ALPHA if alpha is None else alpha
    if spilled is not None and source == "events" and customers is None and segment is None:
        from cs_models.warehouse.stream import cohort_table_stream

        try:
            return cohort_table_stream(spilled.sql(), as_of=as_of, period=period, mode=mode, metric=metric,
                                       weighting=weighting, max_k=max_k, alpha=alpha)
        except DataError as exc:
            if not _too_large(exc) or events is None:
                raise
        except _engine_errors():
            if events is None:
                raise
    return cohort_table(events, customers=customers, as_of=as_of, source=source, period=period, mode=mode,
                        metric=metric, segment=segment, segment_value=segment_value, weighting=weighting,
                        max_k=max_k, alpha=alpha)


def movements_for(events: pd.DataFrame, spilled: SpilledEvents | None, as_of: date, *, alpha: float | None = None,
                  kept: pd.DataFrame | None = None) -> RevenueMovements:
    """:func:`cs_models.revenue.revenue_movements`, in SQL over the spilled events when they can be.

    Parameters
    ----------
    events : pandas.DataFrame
        The events frame (filtered by the segment filter when there is one).
    spilled : SpilledEvents or None
        The unfiltered events spilled to Parquet (``None``: small data, the pandas path).
    as_of : date
        Months ending after it are left out.
    alpha : float, optional
        ``1 - confidence level`` of the churn-rate intervals (default :data:`~cs_models.stats.ALPHA`).
    kept : pandas.DataFrame, optional
        With a segment filter, the customers it keeps (``customer_id``): the SQL reads only their events.

    Returns
    -------
    RevenueMovements
        Equal to ``revenue_movements(events, as_of, alpha=alpha)``.

    Raises
    ------
    DataError
        As :func:`cs_models.revenue.revenue_movements`.
    """
    from cs_models.revenue import revenue_movements
    from cs_models.stats import ALPHA

    alpha = ALPHA if alpha is None else alpha
    if spilled is not None and spilled.amount:
        from cs_models.warehouse.stream import revenue_movements_stream

        con = _kept_connection(kept, spilled, events)
        try:
            return revenue_movements_stream(_events_sql(spilled, kept), as_of, alpha=alpha, con=con)
        except DataError as exc:
            if not _too_large(exc):
                raise
        except _engine_errors():
            pass  # the pandas path below answers
        finally:
            if con is not None:
                con.close()
    return revenue_movements(events, as_of, alpha=alpha)


def route(spilled: SpilledEvents | None, chosen: SegmentFilter, unfiltered: Datasets,
          shown: Datasets) -> tuple[SpilledEvents | None, pd.DataFrame | None]:
    """The spilled events and kept customers to pass to :func:`movements_for` for the data shown.

    Parameters
    ----------
    spilled : SpilledEvents or None
        The unfiltered events spilled to Parquet.
    chosen : SegmentFilter
        The segment filter (empty: none).
    unfiltered : Datasets
        The data before the filter.
    shown : Datasets
        ``chosen.apply(unfiltered)``.

    Returns
    -------
    tuple
        ``(spilled, None)`` without a filter; ``(spilled, shown.customers)`` when the filter reaches the
        events through the customers it keeps; ``(None, None)`` otherwise (a filter on the events' own
        columns: the pandas path on the filtered frame).
    """
    if spilled is None or not chosen:
        return spilled, None
    customers = unfiltered.customers
    if customers is None or shown.customers is None or not all(c in customers.columns for c in chosen.columns):
        return None, None
    return spilled, shown.customers
