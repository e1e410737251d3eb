"""Revenue movements from SQL: :func:`cs_models.revenue.revenue_movements` with the engine summing.

Each customer's MRR per month (the sum of its event amounts) is classified against the month
before and after by joins on ``(customer, month ± 1)``, then summed per month: only one row per
month comes back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import numpy as np
import pandas as pd

from cs_models.errors import DataError
from cs_models.revenue import EPOCH_MONTH, TRAILING_MONTHS, RevenueMovements, trends_frame
from cs_models.schema import ColumnMapping
from cs_models.stats import ALPHA, check_alpha
from cs_models.warehouse.cohorts import period_expr
from cs_models.warehouse.connection import Warehouse
from cs_models.warehouse.mapping import column, suggest

#: Movement label -> column of the months frame (labels as in :func:`cs_models.revenue._movements`).
_LABELS = {0: "new", 1: "reactivation", 2: "expansion", 3: "contraction"}


def _last_month(as_of: date) -> int:
    last = (pd.Timestamp(as_of) + pd.Timedelta(days=1)).to_period("M") - 1
    return int(last.year * 12 + last.month - 1 - EPOCH_MONTH)


def _billed_events(wh: Warehouse, mapping: ColumnMapping | None) -> Any:
    """The events' ``cid``, ``day`` and ``amount`` through the mapping (``revenue_no_amount`` without amounts)."""
    mapping = mapping or suggest(wh, "events")
    if "amount" not in mapping.fields:
        raise DataError("revenue_no_amount", "the events have no amount column")
    table = wh.table("events")
    fields = mapping.fields
    return table.select(cid=column(table, fields["customer_id"], "string"), day=column(table, fields["date"], "date"),
                        amount=column(table, fields["amount"], "float64"))


def monthly_cells(wh: Warehouse, as_of: date, mapping: ColumnMapping | None = None) -> Any:
    """Each customer's billed amount per complete month (``cid``, ``m``, ``v``), unevaluated.

    Parameters
    ----------
    wh : Warehouse
        The connection with an ``events`` table.
    as_of : date
        Months ending after it are left out.
    mapping : ColumnMapping, optional
        The events mapping; suggested when omitted.

    Returns
    -------
    ibis.Table
        One row per customer and month with events (months counted from 1970-01).

    Raises
    ------
    DataError
        ``revenue_no_amount`` when the events have no amount column.
    """
    ev = _billed_events(wh, mapping)
    ev = ev.filter(ev.cid.notnull() & ev.day.notnull() & ev.amount.notnull() & ~ev.amount.isnan())
    ev = ev.mutate(m=period_expr(ev.day, "month"))
    ev = ev.filter(ev.m <= _last_month(as_of))
    return ev.group_by(["cid", "m"]).aggregate(v=ev.amount.sum())


def _classified(cells: Any) -> Any:
    """Billed cells with their label, change, and whether the customer bills nothing the month after."""
    nz = cells.filter(cells.v != 0)
    prev = nz.select(pid="cid", pm=nz.m + 1, before="v")
    nxt = nz.select(nid="cid", nm=nz.m - 1, after="v")
    firsts = nz.filter(nz.v > 0).group_by("cid").aggregate(fb=ibis._.m.min()).rename(fid="cid")
    t = nz.left_join(prev, (nz.cid == prev.pid) & (nz.m == prev.pm))
    t = t.left_join(nxt, (t.cid == nxt.nid) & (t.m == nxt.nm))
    t = t.left_join(firsts, t.cid == firsts.fid)
    t = t.mutate(before=t.before.fill_null(0.0), after=t.after.fill_null(0.0))
    billed, was = t.v > 0, t.before > 0
    fresh = (t.before == 0) & billed
    label = ibis.cases(
        (fresh & (t.fb == t.m), 0), (fresh, 1), (was & (t.v > t.before), 2), (was & billed & (t.v < t.before), 3),
        else_=4)
    return t.mutate(label=label, billed=billed).mutate(
        change=ibis.ifelse(ibis._.label < 2, ibis._.v, ibis._.v - ibis._.before))


def _per_month(wh: Warehouse, t: Any, last: int) -> pd.DataFrame:
    """One row per month of the movement sums, counts, end MRR and churn of the month after."""
    aggs: dict[str, Any] = {name: t.change.sum(where=t.label == code) for code, name in _LABELS.items()}
    aggs.update(new_customers=t.count(where=t.label == 0), reactivated_customers=t.count(where=t.label == 1),
                end_mrr=t.v.sum(), customers_end=t.count(where=t.billed))
    months = wh.fetch(t.group_by("m").aggregate(**aggs), "revenue months")
    ends = t.filter(t.billed & (t.m < last) & (t.after == 0))
    churn = wh.fetch(ends.group_by(m=ends.m + 1).aggregate(churned=(-ends.v).sum(), churned_customers=ends.count()),
                     "revenue months")
    return months.merge(churn, on="m", how="outer")


def _trailing(wh: Warehouse, cells: Any, last: int) -> pd.DataFrame:
    """Per target month: base MRR of the customers billed 12 months before, now capped, now."""
    billed = cells.filter(cells.v > 0)
    base = billed.filter(billed.m + TRAILING_MONTHS <= last).select("cid", tm=billed.m + TRAILING_MONTHS, base="v")
    later = cells.filter(cells.v != 0).select(lid="cid", lm="m", now="v")
    j = base.left_join(later, (base.cid == later.lid) & (base.tm == later.lm))
    j = j.mutate(now=j.now.fill_null(0.0))
    return wh.fetch(j.group_by(m="tm").aggregate(den=j.base.sum(), capped=ibis.least(j.now, j.base).sum(),
                                                 net=j.now.sum()), "revenue trends")


def revenue_movements_sql(wh: Warehouse, as_of: date, *, alpha: float = ALPHA,
                          mapping: ColumnMapping | None = None) -> RevenueMovements:
    """:func:`cs_models.revenue.revenue_movements` computed by the engine.

    Parameters
    ----------
    wh : Warehouse
        The connection with an ``events`` table (with amounts).
    as_of : date
        Months ending after it are left out.
    alpha : float
        ``1 - confidence level`` of the churn-rate intervals.
    mapping : ColumnMapping, optional
        The events mapping; suggested when omitted.

    Returns
    -------
    RevenueMovements
        Equal to the movements of the same events read from a file. On the embedded engine they
        are streamed into a grid (:mod:`cs_models.warehouse.stream`) when it fits.

    Raises
    ------
    DataError
        ``revenue_no_amount``, ``revenue_no_months``, ``warehouse_too_many_rows``.
    """
    check_alpha(alpha)
    from cs_models.warehouse.stream import duckdb_connection, revenue_movements_stream, to_duckdb_sql

    con = duckdb_connection(wh)
    if con is not None:  # the embedded engine: streamed into a grid when it fits
        try:
            return revenue_movements_stream(to_duckdb_sql(_billed_events(wh, mapping)), as_of, alpha=alpha, con=con)
        except DataError as exc:
            if exc.code != "warehouse_too_many_cells":
                raise
    cells = wh.reuse(monthly_cells(wh, as_of, mapping))
    first = wh.scalar(cells.m.min())
    if first is None:
        raise DataError("revenue_no_months", "no complete month has billed events")
    first, last = int(first), _last_month(as_of)
    width = last - first + 1
    per = _per_month(wh, wh.reuse(_classified(cells)), last).set_index("m").reindex(range(first, last + 1)).fillna(0)
    months_index = pd.period_range(pd.Period(year=1970 + first // 12, month=first % 12 + 1, freq="M"),
                                   periods=width, freq="M").to_timestamp()
    end_mrr = per["end_mrr"].to_numpy(float)
    customers_end = per["customers_end"].to_numpy(np.int64)
    months = pd.DataFrame({
        "month": months_index, "start_mrr": np.r_[0.0, end_mrr[:-1]],
        **{name: per[name].to_numpy(float) for name in _LABELS.values()},
        "churned": per["churned"].to_numpy(float), "end_mrr": end_mrr,
        "customers_start": np.r_[0, customers_end[:-1]],
        "new_customers": per["new_customers"].to_numpy(np.int64),
        "reactivated_customers": per["reactivated_customers"].to_numpy(np.int64),
        "churned_customers": per["churned_customers"].to_numpy(np.int64), "customers_end": customers_end})
    months = months[["month", "start_mrr", "new", "reactivation", "expansion", "contraction", "churned", "end_mrr",
                     "customers_start", "new_customers", "reactivated_customers", "churned_customers",
                     "customers_end"]]
    trail = _trailing(wh, cells, last).set_index("m").reindex(range(first, last + 1)).fillna(0.0)
    trends = trends_frame(months, trail["den"].to_numpy(float), trail["capped"].to_numpy(float),
                          trail["net"].to_numpy(float), alpha)
    return RevenueMovements(as_of=as_of, months=months, trends=trends, alpha=alpha)
