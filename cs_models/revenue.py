"""What moved MRR: monthly revenue movements (ChartMogul-style) and their trends over calendar time.

Each customer's MRR in a month is the sum of its event amounts in that month (an invoice log).
From one month to the next, a customer's change in MRR falls in exactly one movement:

- **new**: from zero, never billed before;
- **reactivation**: from zero, billed in some earlier month;
- **expansion** / **contraction**: from a positive MRR to a higher / lower positive one;
- **churned**: from a positive MRR to zero.

So ``start_mrr + new + reactivation + expansion + contraction + churned == end_mrr`` holds for
every month (contraction and churned are negative). Only months complete at the as-of date are
reported: a month still running would show every customer not yet billed as churned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.findings import Finding, ranked
from cs_models.results import Result, frame_records, jsonable
from cs_models.stats import ALPHA, check_alpha, proportion_interval

#: Movements in the order a stacked bar draws them (positive first).
MOVEMENTS: tuple[str, ...] = ("new", "reactivation", "expansion", "contraction", "churned")
#: Months of the trailing retention rates.
TRAILING_MONTHS = 12


@dataclass(frozen=True, kw_only=True)
class RevenueMovements(Result):
    """Monthly MRR movements and trends.

    Attributes
    ----------
    as_of : date
    months : DataFrame
        One row per complete month (``month`` = its first day): ``start_mrr``, the
        :data:`MOVEMENTS`, ``end_mrr``, ``customers_start``, ``new_customers``,
        ``reactivated_customers``, ``churned_customers``, ``customers_end``.
    trends : DataFrame
        Per month: ``churn_rate`` (churned customers / customers at the start) with
        ``churn_low``/``churn_high`` (Wilson), ``grr`` and ``nrr`` over the trailing
        :data:`TRAILING_MONTHS` months (``NaN`` until that much history exists), ``arpa``
        (end MRR per customer) and ``customers`` (at the end of the month).
    """

    as_of: date
    months: pd.DataFrame
    trends: pd.DataFrame


def monthly_mrr(events: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Each customer's MRR per complete calendar month up to the as-of date.

    Parameters
    ----------
    events : DataFrame
        Canonical events with ``customer_id``, ``date`` and ``amount``.
    as_of : date
        The last month reported is the last one that ends on or before this date.

    Returns
    -------
    DataFrame
        Customers (rows) by month start (columns), zero where nothing was billed.

    Raises
    ------
    DataError
        ``revenue_no_amount`` without amounts, ``revenue_no_months`` when no complete month
        has events.
    """
    if "amount" not in events:
        raise DataError("revenue_no_amount", "the events have no amount column")
    last = (pd.Timestamp(as_of) + pd.Timedelta(days=1)).to_period("M") - 1  # the last complete month
    known = events.dropna(subset=["customer_id", "date", "amount"])
    month = known["date"].dt.to_period("M")
    known = known.loc[month <= last]
    if known.empty:
        raise DataError("revenue_no_months", "no complete month has billed events")
    table = known.pivot_table(index="customer_id", columns=known["date"].dt.to_period("M"), values="amount",
                              aggfunc="sum", fill_value=0.0, observed=True)
    periods = pd.period_range(table.columns.min(), last, freq="M")
    table = table.reindex(columns=periods, fill_value=0.0)
    table.columns = periods.to_timestamp()
    return table.astype(float)


def _movements(mrr: pd.DataFrame) -> pd.DataFrame:
    """The movements of every month (the first month: everything billed is new)."""
    now = mrr.to_numpy()
    before = np.hstack([np.zeros((len(mrr), 1)), now[:, :-1]])
    seen = np.maximum.accumulate(before > 0, axis=1)  # billed in some earlier month
    grew, up, down = now - before, (before > 0) & (now > before), (before > 0) & (now > 0) & (now < before)
    parts = {
        "new": np.where((before == 0) & (now > 0) & ~seen, now, 0.0),
        "reactivation": np.where((before == 0) & (now > 0) & seen, now, 0.0),
        "expansion": np.where(up, grew, 0.0),
        "contraction": np.where(down, grew, 0.0),
        "churned": np.where((before > 0) & (now == 0), -before, 0.0),
    }
    out = pd.DataFrame({"month": mrr.columns, "start_mrr": before.sum(axis=0),
                        **{k: v.sum(axis=0) for k, v in parts.items()}, "end_mrr": now.sum(axis=0),
                        "customers_start": (before > 0).sum(axis=0),
                        "new_customers": (parts["new"] > 0).sum(axis=0),
                        "reactivated_customers": (parts["reactivation"] > 0).sum(axis=0),
                        "churned_customers": (parts["churned"] < 0).sum(axis=0),
                        "customers_end": (now > 0).sum(axis=0)})
    return out


def _trends(mrr: pd.DataFrame, months: pd.DataFrame, alpha: float) -> pd.DataFrame:
    now = mrr.to_numpy()
    low, high = proportion_interval(months["churned_customers"].to_numpy(), months["customers_start"].to_numpy(),
                                    alpha=alpha)
    grr, nrr = np.full(now.shape[1], np.nan), np.full(now.shape[1], np.nan)
    for j in range(TRAILING_MONTHS, now.shape[1]):
        base = now[:, j - TRAILING_MONTHS]
        kept = base > 0
        if kept.any():
            grr[j] = np.minimum(now[kept, j], base[kept]).sum() / base[kept].sum()
            nrr[j] = now[kept, j].sum() / base[kept].sum()
    start = months["customers_start"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(start > 0, months["churned_customers"].to_numpy() / start, np.nan)
        arpa = months["end_mrr"].to_numpy() / months["customers_end"].to_numpy(float)
    return pd.DataFrame({"month": months["month"], "churn_rate": rate, "churn_low": low, "churn_high": high,
                         "grr": grr, "nrr": nrr, "arpa": arpa, "customers": months["customers_end"]})


def revenue_movements(events: pd.DataFrame, as_of: date, *, alpha: float = ALPHA) -> RevenueMovements:
    """MRR movements per complete month and their trends.

    Parameters
    ----------
    events : DataFrame
        Canonical events with amounts (an invoice or payment log).
    as_of : date
        Months that end after it are left out.
    alpha : float
        ``1 - confidence level`` of the churn-rate intervals.

    Returns
    -------
    RevenueMovements
    """
    check_alpha(alpha)
    mrr = monthly_mrr(events, as_of)
    months = _movements(mrr)
    return RevenueMovements(as_of=as_of, months=months, trends=_trends(mrr, months, alpha), alpha=alpha)


# --------------------------------------------------------------------------- findings and report
SECTION = "revenue"


def findings(result: RevenueMovements) -> list[Finding]:
    """What moved MRR in the last complete month, and where retention stands.

    Parameters
    ----------
    result : RevenueMovements
        Output of :func:`revenue_movements`.

    Returns
    -------
    list of Finding
        ``revenue.last_month`` (the month's movements; ``positive`` when MRR grew, ``notice``
        when it shrank) and ``revenue.net_retention`` (trailing NRR/GRR, ``positive`` above 100%).
    """
    last = result.months.iloc[-1]
    net = float(last["end_mrr"] - last["start_mrr"])
    params = {"month": last["month"].strftime("%Y-%m"), "start": last["start_mrr"], "end": last["end_mrr"],
              "net": net, **{k: float(last[k]) for k in MOVEMENTS}}
    out = [Finding(f"{SECTION}.last_month", SECTION, "positive" if net > 0 else "notice" if net < 0 else "info",
                   params)]
    trend = result.trends.iloc[-1]
    if not np.isnan(trend["nrr"]):
        out.append(Finding(f"{SECTION}.net_retention", SECTION, "positive" if trend["nrr"] > 1 else "info",
                           {"nrr": float(trend["nrr"]), "grr": float(trend["grr"]), "months": TRAILING_MONTHS}))
    return ranked(out)


def report_section(datasets: Datasets, *, as_of: date, **_options: Any) -> dict[str, Any] | None:
    """The ``"revenue"`` section of the report (``None`` without events with amounts).

    Parameters
    ----------
    datasets : Datasets
        The loaded data (``events`` with ``amount``).
    as_of : date
        Months ending after it are left out.
    **_options
        Options of other sections (ignored).

    Returns
    -------
    dict or None
        ``{"months": [{"month", "start_mrr", "new", "expansion", "contraction", "churned",
        "reactivation", "end_mrr", "customers_start", "customers_end", ...}], "trends": [...],
        "results": {"movements"} (the complete :class:`RevenueMovements`), "findings": [...]}``.
    """
    events = datasets.events
    if events is None or "amount" not in events:
        return None
    result = revenue_movements(events, as_of)
    months = result.months.assign(month=result.months["month"].dt.strftime("%Y-%m"))
    trends = result.trends.assign(month=result.trends["month"].dt.strftime("%Y-%m"))
    return {"months": frame_records(months), "trends": frame_records(trends),
            "results": jsonable({"movements": result}), "findings": findings(result)}
