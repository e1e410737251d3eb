"""Cohort tables from SQL: the cell sums of :mod:`cs_models.cohorts.raw` as one ibis query each.

The engine returns, per (segment, cohort, k), the customers active, those whose last active
period is k, the revenue and the revenue capped at each customer's period-0 revenue, and the
cohort sizes; :func:`cs_models.cohorts.table._assemble` labels them exactly as for a frame.
A table from customers alone is built from the customers frame (one row per customer).
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from typing import Any

import ibis
import numpy as np
import pandas as pd

from cs_models.cohorts.periods import _NS_PER_DAY, _Grid
from cs_models.cohorts.raw import _Raw
from cs_models.cohorts.table import METRICS, MODES, PERIODS, CohortTable, _assemble, cohort_table
from cs_models.errors import DataError
from cs_models.schema import ColumnMapping
from cs_models.stats import ALPHA, check_alpha
from cs_models.warehouse.connection import Warehouse
from cs_models.warehouse.mapping import canonical_frame, column, suggest

_EPOCH_MONTH = 1970 * 12


def period_expr(day: Any, period: str) -> Any:
    """Absolute period index of a date column, as :func:`cs_models.cohorts.period_index` counts.

    Parameters
    ----------
    day : ibis date column
        The dates.
    period : {"day", "week", "month", "quarter"}
        Period length (weeks start on Monday).

    Returns
    -------
    ibis integer column
        Days, ISO weeks, months or quarters since 1970-01-01.
    """
    if period == "day":
        return day.epoch_days().cast("int64")
    if period == "week":
        return ((day.epoch_days().cast("int64") + 3) / 7).floor().cast("int64")
    months = day.year().cast("int64") * 12 + day.month().cast("int64") - 1 - _EPOCH_MONTH
    return months if period == "month" else (months / 3).floor().cast("int64")


def _events(wh: Warehouse, mapping: ColumnMapping, asof: date, need_revenue: bool) -> Any:
    """Events dated on or before ``asof`` with a customer: ``cid``, ``day`` and ``amount``."""
    table = wh.table("events")
    fields = mapping.fields
    out = table.select(cid=column(table, fields["customer_id"], "string"), day=column(table, fields["date"], "date"),
                       amount=(column(table, fields["amount"], "float64").fill_null(0.0)
                               if need_revenue else ibis.literal(0.0)))
    return out.filter(out.cid.notnull() & out.day.notnull() & (out.day <= ibis.date(asof)))


def _customers(wh: Warehouse, mapping: ColumnMapping, asof: date, segment: str | None) -> Any:
    """Customers with ``cid``, ``start`` period-ready date, ``member`` and ``seg``."""
    table = wh.table("customers")
    fields = mapping.fields
    start = column(table, fields["start_date"], "date")
    seg = column(table, segment, "string") if segment else ibis.literal("", type="string")
    return table.select(cid=column(table, fields["customer_id"], "string"), start=start, seg=seg,
                        member=start.notnull() & (start <= ibis.date(asof)))


def _check_unique(wh: Warehouse, customers: Any) -> None:
    n = wh.scalar(customers.count())
    if n != wh.scalar(customers.cid.nunique()):
        raise DataError("cohorts_duplicate_customers", "customer ids are not unique")


def _pairs(wh: Warehouse, events: Any, customers: Any | None, period: str) -> tuple[Any, dict[str, int]]:
    """Active (customer, period) pairs with revenue, cohort and segment; counts of dropped events."""
    events = events.mutate(p=period_expr(events.day, period))
    counts = {"unmatched": 0, "before_start": 0}
    if customers is None:
        pairs = events.group_by("cid", "p").aggregate(rev=events.amount.sum())
        cohorts = pairs.group_by("cid").aggregate(c=pairs.p.min())
        pairs = pairs.join(cohorts, "cid").mutate(seg=ibis.literal("", type="string"))
        return pairs, counts
    cust = customers.mutate(c=period_expr(customers.start, period))
    joined = events.left_join(cust, events.cid == cust.cid)
    counts["unmatched"] = int(wh.scalar(joined.filter(joined.cid_right.isnull()).count()))
    kept = joined.filter(joined.member.fill_null(False))
    counts["before_start"] = int(wh.scalar(kept.filter(kept.p < kept.c).count()))
    kept = kept.filter(kept.p >= kept.c)
    pairs = kept.group_by(["cid", "p", "c", "seg"]).aggregate(rev=kept.amount.sum())
    return pairs, counts


def _cells(wh: Warehouse, pairs: Any, need_capped: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (seg, c, k): active, revenue (capped); per (seg, c, last k): customers."""
    pairs = pairs.mutate(k=pairs.p - pairs.c)
    if need_capped:
        base = pairs.filter(pairs.k == 0).select(bid="cid", base="rev")
        pairs = pairs.left_join(base, pairs.cid == base.bid)
        pairs = pairs.mutate(capped=ibis.least(pairs.rev, pairs.base.fill_null(0.0)))
    else:
        pairs = pairs.mutate(capped=ibis.literal(0.0))
    cells = pairs.group_by(["seg", "c", "k"]).aggregate(active=pairs.count(), revenue=pairs.rev.sum(),
                                                        capped=pairs.capped.sum())
    last = pairs.group_by(["cid", "seg", "c"]).aggregate(k=pairs.k.max())
    by_last = last.group_by(["seg", "c", "k"]).aggregate(n=last.count())
    return wh.fetch(cells, "cohort cells"), wh.fetch(by_last, "cohort cells")


def _groups(values: pd.Series | None) -> pd.Index:
    """Segment values in the order :func:`pandas.factorize` (sorted, blank last) gives them."""
    if values is None:
        return pd.Index([None], dtype=object)
    _, uniques = pd.factorize(values.astype(object).where(values.notna(), np.nan), use_na_sentinel=False,
                              sort=True)
    return pd.Index(uniques, dtype=object)


def _arrays(frame: pd.DataFrame, columns: list[str], groups: pd.Index, first: int, shape: tuple[int, ...],
            segmented: bool) -> list[np.ndarray]:
    """Scatter a cells frame into dense (G, C[, K]) arrays."""
    g = _group_codes(frame["seg"], groups) if segmented else np.zeros(len(frame), dtype=np.int64)
    index: tuple[np.ndarray, ...] = (g, frame["c"].to_numpy(np.int64) - first)
    if len(shape) == 3:
        index = (*index, frame["k"].to_numpy(np.int64))
    out = []
    for name in columns:
        values = np.zeros(shape, dtype=np.int64 if name in ("active", "n", "size") else np.float64)
        np.add.at(values, index, frame[name].to_numpy(values.dtype))
        out.append(values)
    return out


def _group_codes(seg: pd.Series, groups: pd.Index) -> np.ndarray:
    lookup = {v: i for i, v in enumerate(groups) if not pd.isna(v)}
    blank = next((i for i, v in enumerate(groups) if pd.isna(v)), -1)
    return np.array([blank if pd.isna(v) else lookup[v] for v in seg], dtype=np.int64)


def cohort_raw(wh: Warehouse, *, as_of: date, period: str = "month", segment: str | None = None,
               use_customers: bool = True, need_revenue: bool = False, need_capped: bool = False,
               mappings: dict[str, ColumnMapping] | None = None) -> _Raw:
    """The cell sums of a cohort table from events, computed by the engine.

    Parameters
    ----------
    wh : Warehouse
        The connection, with an ``events`` table (and ``customers`` for start-date cohorts).
    as_of : date
        The as-of date (inclusive).
    period : {"day", "week", "month", "quarter"}
        Period length.
    segment : str, optional
        Customers column of the segment groups.
    use_customers : bool
        Cohorts from the customers' start dates when the connection has customers.
    need_revenue, need_capped : bool
        Sum revenue (NRR) and capped revenue (GRR).
    mappings : dict of kind -> ColumnMapping, optional
        Column mappings; suggested from the column names when omitted.

    Returns
    -------
    _Raw
        What :func:`cs_models.cohorts.raw._from_events` gives for the same data.

    Raises
    ------
    DataError
        As :func:`cs_models.cohorts.cohort_table` (no events, no customers, duplicate ids).
    """
    mappings = mappings or {}
    grid = _Grid(period, int(pd.Timestamp(as_of).value // _NS_PER_DAY))
    events = _events(wh, mappings.get("events") or suggest(wh, "events"), as_of, need_revenue)
    customers = None
    if use_customers and wh.has("customers"):
        customers = _customers(wh, mappings.get("customers") or suggest(wh, "customers"), as_of, segment)
        _check_unique(wh, customers)
        if not wh.scalar(customers.member.any()):
            raise DataError("cohorts_no_customers", "no customer started by the as-of date")
    pairs, counts = _pairs(wh, events, customers, period)
    pairs = wh.reuse(pairs)
    if customers is not None:
        members = customers.filter(customers.member)
        sizes_q = members.mutate(c=period_expr(members.start, period)).group_by(["seg", "c"]).aggregate(
            size=ibis._.count())
        seg_values = wh.fetch(customers.select("seg").distinct(), "segments")["seg"] if segment else None
    else:
        sizes_q = pairs.group_by(["cid", "seg"]).aggregate(c=pairs.c.min()).group_by(["seg", "c"]).aggregate(
            size=ibis._.count())
        seg_values = None
    sizes_f = wh.fetch(sizes_q, "cohort sizes")
    if sizes_f.empty:
        raise DataError("cohorts_no_events", "no events on or before the as-of date")
    cells, by_last = _cells(wh, pairs, need_capped)
    first = int(sizes_f["c"].min())
    n_c = n_k = grid.now - first + 1
    groups = _groups(seg_values)
    seg = segment is not None and customers is not None
    (sizes,) = _arrays(sizes_f, ["size"], groups, first, (len(groups), n_c), seg)
    active, revenue, capped = _arrays(cells, ["active", "revenue", "capped"], groups, first,
                                      (len(groups), n_c, n_k), seg)
    (last,) = _arrays(by_last, ["n"], groups, first, (len(groups), n_c, n_k), seg)
    active_after = np.cumsum(last[:, :, ::-1], axis=2)[:, :, ::-1]
    return _Raw(first, n_k, sizes, active, active_after, revenue if need_revenue else None,
                capped if need_capped else None, groups, counts["unmatched"], counts["before_start"])


def _streamed_raw(wh: Warehouse, as_of: date, period: str, segment: str | None, metric: str,
                  mapping: ColumnMapping) -> _Raw | None:
    """The cells from the streamed engine (embedded DuckDB, events alone, grid within its limit), else None."""
    from cs_models.warehouse.stream import duckdb_connection, stream_cohort_raw, to_duckdb_sql

    con = duckdb_connection(wh)
    if con is None or wh.has("customers") or segment is not None:
        return None
    events = _events(wh, mapping, as_of, metric != "logo")
    try:
        return stream_cohort_raw(to_duckdb_sql(events), as_of=as_of, period=period, need_revenue=metric != "logo",
                                 need_capped=metric == "grr", con=con)
    except DataError as exc:
        if exc.code == "warehouse_too_many_cells":  # too large a grid: the SQL path has no grid
            return None
        raise


def cohort_table_sql(wh: Warehouse, *, as_of: date, source: str = "events", period: str = "month",
                     mode: str = "classic", metric: str = "logo", segment: str | None = None,
                     segment_value: Hashable | None = None, weighting: str = "size", max_k: int | None = None,
                     alpha: float = ALPHA, mappings: dict[str, ColumnMapping] | None = None) -> CohortTable:
    """:func:`cs_models.cohorts.cohort_table` with the heavy pass run by the engine.

    Parameters
    ----------
    wh : Warehouse
        The connection with ``events`` (and optionally ``customers``) tables.
    as_of : date
        The as-of date (inclusive).
    source, period, mode, metric, segment, segment_value, weighting, max_k, alpha
        As in :func:`cs_models.cohorts.cohort_table`.
    mappings : dict of kind -> ColumnMapping, optional
        Column mappings; suggested from the column names when omitted.

    Returns
    -------
    CohortTable
        Equal to the table built from the same data read as files. On the embedded engine, events
        alone (no customers table, no segment) are streamed into a grid
        (:mod:`cs_models.warehouse.stream`) when it fits :data:`~cs_models.warehouse.stream.MAX_CELLS`.

    Raises
    ------
    DataError
        As :func:`cs_models.cohorts.cohort_table`, plus ``warehouse_too_many_rows``.
    """
    if source == "customers" or not wh.has("events"):
        customers = canonical_frame(wh, "customers", (mappings or {}).get("customers"))
        return cohort_table(None, customers=customers, as_of=as_of, source="customers", period=period, mode=mode,
                            metric=metric, segment=segment, segment_value=segment_value, weighting=weighting,
                            max_k=max_k, alpha=alpha)
    if period not in PERIODS or mode not in MODES or metric not in METRICS:
        raise ValueError(f"unknown period/mode/metric {period!r}/{mode!r}/{metric!r}")
    check_alpha(alpha)
    events_mapping = (mappings or {}).get("events") or suggest(wh, "events")
    if metric != "logo":
        if "amount" not in events_mapping.fields:
            raise DataError("cohorts_no_amount", "revenue retention needs event amounts")
        if mode != "classic":
            raise ValueError("revenue retention uses each period's revenue: mode must be 'classic'")
    raw = _streamed_raw(wh, as_of, period, segment, metric, events_mapping)
    if raw is None:
        raw = cohort_raw(wh, as_of=as_of, period=period, segment=segment, need_revenue=metric != "logo",
                         need_capped=metric == "grr", mappings={**(mappings or {}), "events": events_mapping})
    if segment_value is not None:
        raw = raw.keep_group(segment_value)
    if max_k is not None:
        raw = raw.first_periods(max_k + 1)
    as_of_ts = pd.Timestamp(as_of).normalize()
    grid = _Grid(period, int(as_of_ts.value // _NS_PER_DAY))
    return _assemble(raw, grid, "events", period, mode, metric, as_of_ts, segment, weighting, alpha)
