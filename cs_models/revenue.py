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


@dataclass(frozen=True)
class _Cells:
    """Every customer's MRR per month as one flat array, customer by customer (``width`` months each)."""

    flat: np.ndarray
    customers: pd.Index
    months: pd.DatetimeIndex

    @property
    def width(self) -> int:
        return len(self.months)


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
        Customers (rows, sorted; a categorical's category order) by month start (columns), zero
        where nothing was billed.

    Raises
    ------
    DataError
        ``revenue_no_amount`` without amounts, ``revenue_no_months`` when no complete month
        has events.
    """
    cells = _cells(events, as_of)
    return pd.DataFrame(cells.flat.reshape(len(cells.customers), cells.width), index=cells.customers,
                        columns=cells.months)


def _cells(events: pd.DataFrame, as_of: date) -> _Cells:
    """The amounts summed per customer and month by one ``bincount`` over integer codes (no pivot)."""
    if "amount" not in events:
        raise DataError("revenue_no_amount", "the events have no amount column")
    last = (pd.Timestamp(as_of) + pd.Timedelta(days=1)).to_period("M") - 1  # the last complete month
    last_index = last.year * 12 + last.month - 1 - EPOCH_MONTH
    stamps = events["date"].to_numpy("datetime64[ns]")
    amount = events["amount"].to_numpy(float)
    keep = events["customer_id"].notna().to_numpy() & ~np.isnat(stamps) & ~np.isnan(amount)
    if not keep.any():
        raise DataError("revenue_no_months", "no complete month has billed events")
    if keep.all():  # the usual case: no copies of the columns
        month = _months(stamps)
    else:
        month = np.full(len(stamps), np.iinfo(np.int64).max)
        month[keep] = _months(stamps[keep])
    keep &= month <= last_index
    if not keep.any():
        raise DataError("revenue_no_months", "no complete month has billed events")
    rows = slice(None) if keep.all() else keep
    codes, ids = _customer_codes(events["customer_id"], rows)
    month, amount = month[rows], amount[rows]
    first = int(month.min())
    width = last_index - first + 1
    codes *= width
    codes += month
    codes -= first
    flat = np.bincount(codes, weights=amount, minlength=len(ids) * width)
    periods = pd.period_range(pd.Period(year=1970 + first // 12, month=first % 12 + 1, freq="M"), last, freq="M")
    return _Cells(flat, ids, periods.to_timestamp())


#: ``datetime64[M]`` counts months from 1970-01.
EPOCH_MONTH = 1970 * 12
NS_PER_DAY = 86_400_000_000_000


def _months(stamps: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of datetime64[ns] values (no NaT), through a table of the days they span
    (casting every value to ``datetime64[M]`` does the calendar arithmetic once per value: 10× slower)."""
    days = stamps.view(np.int64) // NS_PER_DAY
    low = int(days.min())
    table = np.arange(low, int(days.max()) + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return table[days - low]


def _customer_codes(ids: pd.Series, keep: np.ndarray | slice) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of the kept rows' customers and the customers they stand for, in the order a
    pivot table lists them (a categorical's category order, else sorted)."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        raw = ids.cat.codes.to_numpy()[keep].astype(np.int64)
        used = np.flatnonzero(np.bincount(raw, minlength=len(ids.cat.categories)))
        index = pd.CategoricalIndex(ids.cat.categories[used], categories=ids.cat.categories,
                                    ordered=ids.cat.ordered, name="customer_id")
        if len(used) == len(ids.cat.categories):
            return raw, index
        remap = np.full(len(ids.cat.categories), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        return remap[raw], index
    codes, uniques = pd.factorize(ids[keep], sort=True)
    return codes.astype(np.int64), pd.Index(uniques, name="customer_id")


def _movements(cells: _Cells) -> pd.DataFrame:
    """The movements of every month (the first month: everything billed is new), from the billed cells
    only: a cell's previous month is the cell before it in the flat array (same customer)."""
    width, flat = cells.width, cells.flat
    keys = np.flatnonzero(flat)
    value, customer, month = flat[keys], keys // width, keys % width
    later = month > 0
    before = np.zeros(len(keys))
    before[later] = flat[keys[later] - 1]
    billed = value > 0
    first_billed = np.full(len(cells.customers), width)
    who, when = customer[billed], month[billed]  # sorted: each customer's first billed month comes first
    starts = np.r_[True, who[1:] != who[:-1]] if len(who) else np.zeros(0, bool)
    first_billed[who[starts]] = when[starts]
    label, change = movement_labels(value, before, first_billed[customer] == month)
    index = month * 5 + label
    sums = np.bincount(index, change, minlength=5 * width).reshape(width, 5)
    counts = np.bincount(index, minlength=5 * width).reshape(width, 5)
    # churned: billed this month, nothing the next (the month after the last is not reported)
    ends = billed & (month < width - 1)
    ends[ends] = flat[keys[ends] + 1] == 0
    churned = np.bincount(month[ends] + 1, -value[ends], minlength=width)
    end_mrr = np.bincount(month, value, minlength=width)
    customers_end = np.bincount(month[billed], minlength=width)
    return months_frame(cells.months, sums, counts, churned, np.bincount(month[ends] + 1, minlength=width),
                        end_mrr, customers_end)


def movement_labels(value: np.ndarray, before: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each billed cell's movement (0 new, 1 reactivation, 2 expansion, 3 contraction, 4 none) and change.

    Parameters
    ----------
    value, before : numpy.ndarray
        A customer's MRR in a month and in the month before.
    first : numpy.ndarray
        Whether the month is the customer's first billed month.

    Returns
    -------
    tuple of numpy.ndarray
        The label (int64) and the change it moves MRR by (the whole MRR for new and reactivation).
    """
    billed = value > 0
    fresh = (before == 0) & billed
    label = np.full(len(value), 4, dtype=np.int64)
    was = before > 0
    label[was & (value > before)] = 2
    label[was & billed & (value < before)] = 3
    label[fresh] = 1
    label[fresh & first] = 0
    return label, np.where(label < 2, value, value - before)


def months_frame(months: pd.DatetimeIndex, sums: np.ndarray, counts: np.ndarray, churned: np.ndarray,
                 churned_customers: np.ndarray, end_mrr: np.ndarray, customers_end: np.ndarray) -> pd.DataFrame:
    """:attr:`RevenueMovements.months` from the per-month sums.

    Parameters
    ----------
    months : pandas.DatetimeIndex
        First day of each month.
    sums, counts : numpy.ndarray
        Per month (rows) and label of :func:`movement_labels` (5 columns): the changes and the cells.
    churned, churned_customers : numpy.ndarray
        Per month: minus the MRR of the month before of the customers billed nothing, and how many.
    end_mrr, customers_end : numpy.ndarray
        Per month: the MRR and the customers billed.

    Returns
    -------
    DataFrame
        The months frame.
    """
    return pd.DataFrame({"month": months, "start_mrr": np.r_[0.0, end_mrr[:-1]], "new": sums[:, 0],
                         "reactivation": sums[:, 1], "expansion": sums[:, 2], "contraction": sums[:, 3],
                         "churned": churned, "end_mrr": end_mrr, "customers_start": np.r_[0, customers_end[:-1]],
                         "new_customers": counts[:, 0], "reactivated_customers": counts[:, 1],
                         "churned_customers": churned_customers, "customers_end": customers_end})


def _trends(cells: _Cells, months: pd.DataFrame, alpha: float) -> pd.DataFrame:
    width, flat = cells.width, cells.flat
    keys = np.flatnonzero(flat > 0)
    month = keys % width
    base_keys = keys[month + TRAILING_MONTHS < width]  # billed, with a month TRAILING_MONTHS later
    target = base_keys % width + TRAILING_MONTHS
    base, now = flat[base_keys], flat[base_keys + TRAILING_MONTHS]
    return trends_frame(months, np.bincount(target, base, minlength=width),
                        np.bincount(target, np.minimum(now, base), minlength=width),
                        np.bincount(target, now, minlength=width), alpha)


def trends_frame(months: pd.DataFrame, denominator: np.ndarray, capped: np.ndarray, net: np.ndarray,
                 alpha: float) -> pd.DataFrame:
    """The trends of :class:`RevenueMovements` from the months and the trailing-retention sums.

    Parameters
    ----------
    months : DataFrame
        :attr:`RevenueMovements.months`.
    denominator, capped, net : numpy.ndarray
        Per month: the MRR of the customers billed :data:`TRAILING_MONTHS` months earlier, then, and
        their MRR now capped at it, and uncapped.
    alpha : float
        ``1 - confidence level`` of the churn-rate intervals.

    Returns
    -------
    DataFrame
        :attr:`RevenueMovements.trends`.
    """
    low, high = proportion_interval(months["churned_customers"].to_numpy(), months["customers_start"].to_numpy(),
                                    alpha=alpha)
    with np.errstate(invalid="ignore", divide="ignore"):
        grr = np.where(denominator > 0, capped / np.where(denominator > 0, denominator, 1), np.nan)
        nrr = np.where(denominator > 0, net / np.where(denominator > 0, denominator, 1), np.nan)
        start = months["customers_start"].to_numpy(float)
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
    cells = _cells(events, as_of)
    months = _movements(cells)
    return RevenueMovements(as_of=as_of, months=months, trends=_trends(cells, months, alpha), alpha=alpha)


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
    return section(revenue_movements(events, as_of))


def section(result: RevenueMovements) -> dict[str, Any]:
    """The ``"revenue"`` report section of computed movements (from a frame or from SQL).

    Parameters
    ----------
    result : RevenueMovements
        The movements.

    Returns
    -------
    dict
        As :func:`report_section` returns it.
    """
    months = result.months.assign(month=result.months["month"].dt.strftime("%Y-%m"))
    trends = result.trends.assign(month=result.trends["month"].dt.strftime("%Y-%m"))
    return {"months": frame_records(months), "trends": frame_records(trends),
            "results": jsonable({"movements": result}), "findings": findings(result)}
