"""Cohort retention tables that never lie about immature cohorts.

A *cohort* is the set of customers who joined in the same period (day, ISO week
starting Monday, month or quarter). Cell ``(cohort, k)`` describes the cohort
``k`` periods after it joined:

- **logo retention**: the share of the cohort's customers active in period ``k``
  (``classic``) or in period ``k`` or any later period (``on_or_after``);
- **NRR** (net revenue retention): the cohort's revenue in period ``k`` divided by
  its revenue in period 0 (may exceed 100 % when customers expand);
- **GRR** (gross revenue retention): the same with each customer's revenue capped
  at its own period-0 revenue (never above 100 %).

Cohorts come from **events** (period of a customer's first event, or of its
``start_date`` when a customers frame is given) or from **customers alone**
(a customer is alive in period ``k`` when it started before and had not ended by
the end of period ``k``).

Right-censoring: a cell whose period has not fully ended by the as-of date is
missing (NaN), never 0; cells of the partly elapsed current period are flagged in
:attr:`CohortTable.partial`. The average row uses, for each ``k``, only the cohorts
that reached ``k``, weighted by cohort size (the simple mean is given too).

The computation is a handful of vectorised numpy passes (a period look-up table,
``bincount`` over flattened cell keys), so ten million events take well under a
second; see ``bench/bench_cohorts.py``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cs_models.cohorts.periods import _NS_PER_DAY, _Grid, period_label
from cs_models.cohorts.raw import _from_customers, _from_events, _Raw
from cs_models.errors import DataError
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha, proportion_interval

PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter")
MODES: tuple[str, ...] = ("classic", "on_or_after")
METRICS: tuple[str, ...] = ("logo", "nrr", "grr")
SOURCES: tuple[str, ...] = ("events", "customers")
WEIGHTINGS: tuple[str, ...] = ("size", "simple")
#: Cohorts smaller than this get their logo cells flagged as uncertain.
MIN_BASE = 30


@dataclass(frozen=True)
class CohortTable(Result):
    """A cohort retention table (rows: cohorts, columns: periods since joining ``k``).

    Attributes
    ----------
    source, period, mode, metric : str
        The codes the table was built with.
    as_of : pandas.Timestamp
        The as-of date (inclusive).
    sizes : pandas.Series
        Customers per cohort (index: cohort label such as ``"2024-01"``).
    counts : pandas.DataFrame
        Active customers per cell (NaN where the period has not fully ended).
    rates : pandas.DataFrame
        The chosen metric per cell as a fraction (NaN = immature or undefined).
    logo : pandas.DataFrame
        Logo retention per cell (``counts / sizes``).
    ci_low, ci_high : pandas.DataFrame
        Wilson interval (level ``1 - alpha``) of the logo retention per cell.
    low_base : pandas.DataFrame
        True for mature cells whose base (the cohort size) is under :data:`MIN_BASE`.
    partial : pandas.DataFrame
        True for cells of the partly elapsed current period (shown blank).
    revenue, capped_revenue : pandas.DataFrame or None
        Revenue per cell (metrics ``nrr`` and ``grr``), and the same with each customer
        capped at its period-0 revenue (metric ``grr`` only); ``None`` otherwise.
    base_revenue : pandas.Series or None
        Period-0 revenue per cohort (the NRR/GRR denominator).
    average : pandas.DataFrame
        Per ``k``: ``weighted`` (by cohort size, over cohorts that reached ``k``),
        ``simple`` (unweighted mean), ``cohorts`` and ``customers`` behind it.
    segment : str or None
        Customers column of the per-segment curves.
    segment_average : pandas.DataFrame or None
        Size-weighted average curve per segment value (columns) by ``k`` (rows).
    segment_sizes : pandas.Series or None
        Customers per segment value.
    unmatched_events, events_before_start : int
        Events dropped because their customer is not in the customers frame, or
        because they predate the customer's start period.
    alpha : float
        ``1 - confidence level`` of the intervals (from :class:`~cs_models.results.Result`).
    notes : tuple of str
        Codes of things the reader should know (``partial_period``, ``small_cohorts``,
        ``unmatched_events``, ``events_before_start``, ``zero_base_revenue``,
        ``few_customers``).
    """

    source: str
    period: str
    mode: str
    metric: str
    as_of: pd.Timestamp
    sizes: pd.Series
    counts: pd.DataFrame
    rates: pd.DataFrame
    logo: pd.DataFrame
    ci_low: pd.DataFrame
    ci_high: pd.DataFrame
    low_base: pd.DataFrame
    partial: pd.DataFrame
    revenue: pd.DataFrame | None
    capped_revenue: pd.DataFrame | None
    base_revenue: pd.Series | None
    average: pd.DataFrame
    segment: str | None
    segment_average: pd.DataFrame | None
    segment_sizes: pd.Series | None
    unmatched_events: int
    events_before_start: int

    @property
    def customers(self) -> int:
        """Customers in all cohorts."""
        return int(self.sizes.sum())

    def mature_horizon(self) -> int:
        """The largest ``k`` that at least one cohort has fully reached.

        Returns
        -------
        int
            That ``k``; -1 when no cohort has reached even period 0.
        """
        ks = [int(k) for k, ok in self.rates.notna().any(axis=0).items() if ok]
        return max(ks) if ks else -1

# ------------------------------------------------------------------------ validation
def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, not {value!r}")


# ------------------------------------------------------------------------ the table
def _check_data(
    events: pd.DataFrame | None,
    customers: pd.DataFrame | None,
    source: str,
    metric: str,
    mode: str,
    segment: str | None,
) -> None:
    """Raise the coded :class:`DataError` (or ``ValueError``) for data that cannot make the table."""
    if source == "events" and events is None:
        raise DataError("cohorts_no_events", "no events dataset")
    if source == "customers" and customers is None:
        raise DataError("cohorts_no_customers", "no customers dataset")
    if segment is not None and (customers is None or segment not in customers.columns):
        raise DataError("cohorts_missing_column", f"no customers column {segment!r}", column=segment)
    if metric != "logo":
        if source != "events" or events is None or "amount" not in events.columns:
            raise DataError("cohorts_no_amount", "revenue retention needs event amounts")
        if mode != "classic":
            raise ValueError("revenue retention uses each period's revenue: mode must be 'classic'")
    for frame, kind, columns in (
        (events if source == "events" else None, "events", ("customer_id", "date")),
        (customers, "customers", ("customer_id", "start_date", "end_date")),
    ):
        if frame is not None:
            for column in columns:
                if column not in frame.columns:
                    raise DataError(
                        "cohorts_missing_column", f"{kind} has no {column!r} column", column=column
                    )


def cohort_table(
    events: pd.DataFrame | None = None,
    *,
    customers: pd.DataFrame | None = None,
    as_of: date | pd.Timestamp | str,
    source: str = "events",
    period: str = "month",
    mode: str = "classic",
    metric: str = "logo",
    segment: str | None = None,
    segment_value: Hashable | None = None,
    weighting: str = "size",
    max_k: int | None = None,
    alpha: float = ALPHA,
) -> CohortTable:
    """Build the cohort retention table.

    Parameters
    ----------
    events : pandas.DataFrame, optional
        Canonical events (``customer_id``, ``date``, optional ``amount``); needed
        when ``source="events"``.
    customers : pandas.DataFrame, optional
        Canonical customers (``customer_id``, ``start_date``, ``end_date``, segments).
        With events, cohorts are the periods of ``start_date``; needed when
        ``source="customers"`` or when ``segment`` is given.
    as_of : date-like
        The as-of date (inclusive): later events are ignored, later periods immature.
    source : {"events", "customers"}
        Where activity comes from.
    period : {"day", "week", "month", "quarter"}
        Cohort and period length (weeks start on Monday).
    mode : {"classic", "on_or_after"}
        Logo activity in period ``k`` only, or in ``k`` or any later period.
        Customers alone cannot come back, so both modes agree there.
    metric : {"logo", "nrr", "grr"}
        What :attr:`CohortTable.rates` holds. Revenue metrics need event amounts
        and use the revenue of each period (``mode`` does not apply to them).
    segment : str, optional
        Customers column whose values get their own average curve.
    segment_value : hashable, optional
        Keep only customers whose ``segment`` equals this value.
    weighting : {"size", "simple"}
        What the ``weighted`` column of :attr:`CohortTable.average` (and the segment
        curves) hold: the mean weighted by cohort size (default) or the simple mean of
        the cohorts (the simple mean is always in the ``simple`` column too).
    max_k : int, optional
        Keep periods ``k <= max_k`` only (e.g. the first 90 days of daily cohorts).
    alpha : float
        ``1 - confidence level`` of the Wilson intervals (default :data:`~cs_models.stats.ALPHA`).

    Returns
    -------
    CohortTable

    Raises
    ------
    ValueError
        For an unknown code or inconsistent parameters (programming errors).
    DataError
        ``cohorts_no_events``, ``cohorts_no_customers``, ``cohorts_no_amount``,
        ``cohorts_missing_column``, ``cohorts_no_segment_value`` for unsuitable data.
    """
    _check_choice("source", source, SOURCES)
    _check_choice("period", period, PERIODS)
    _check_choice("mode", mode, MODES)
    _check_choice("metric", metric, METRICS)
    _check_choice("weighting", weighting, WEIGHTINGS)
    check_alpha(alpha)
    if segment_value is not None and segment is None:
        raise ValueError("segment_value needs segment")
    if max_k is not None and max_k < 0:
        raise ValueError("max_k must be >= 0")
    as_of_ts = pd.Timestamp(as_of).normalize()
    if as_of_ts is pd.NaT:
        raise ValueError("as_of must be a date")
    _check_data(events, customers, source, metric, mode, segment)
    asof_day = int(as_of_ts.value // _NS_PER_DAY)
    grid = _Grid(period, asof_day)
    if source == "customers":
        raw = _from_customers(customers, grid, segment)
    else:
        raw = _from_events(
            events, customers, grid, segment,
            need_revenue=metric != "logo", need_capped=metric == "grr",
        )
    if segment_value is not None:
        raw = raw.keep_group(segment_value)
    if max_k is not None:
        raw = raw.first_periods(max_k + 1)
    return _assemble(raw, grid, source, period, mode, metric, as_of_ts, segment, weighting, alpha)


# ------------------------------------------------------------------------ assembling
def _weighted_curve(rates: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, ...]:
    """Size-weighted and simple means over the cohorts (rows) with a value at each k."""
    has = ~np.isnan(rates)
    weights = np.where(has, sizes[:, None], 0.0)
    total = weights.sum(axis=0)
    filled = np.where(has, rates, 0.0)
    n_cohorts = has.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        weighted = np.where(total > 0, (filled * weights).sum(axis=0) / total, np.nan)
        simple = np.where(n_cohorts > 0, filled.sum(axis=0) / n_cohorts, np.nan)
    return weighted, simple, n_cohorts, total


def _metric_rates(metric: str, counts: np.ndarray, sizes: np.ndarray, revenue, capped) -> np.ndarray:
    """Cell values of ``metric`` (NaN where undefined) for arrays shaped (..., C, K)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if metric == "logo":
            return counts / sizes[..., None]
        base = revenue[..., :1]
        numerator = revenue if metric == "nrr" else capped
        return np.where(base > 0, numerator / np.where(base > 0, base, 1.0), np.nan)


def _average(rates: np.ndarray, sizes: np.ndarray, weighting: str, columns: pd.Index) -> pd.DataFrame:
    """The average row of the table: ``weighted`` (or simple), ``simple``, ``cohorts``, ``customers``."""
    weighted, simple, n_cohorts, n_customers = _weighted_curve(rates, sizes)
    return pd.DataFrame(
        {
            "weighted": weighted if weighting == "size" else simple,
            "simple": simple,
            "cohorts": n_cohorts.astype(int),
            "customers": n_customers.astype(int),
        },
        index=columns,
    )


def _segment_curves(
    raw: _Raw, active: np.ndarray, metric: str, mature: np.ndarray, weighting: str, segment: str,
    columns: pd.Index,
) -> tuple[pd.DataFrame, pd.Series]:
    """Average curve per segment value (columns) by ``k`` (rows), and customers per value."""
    sizes_g = raw.sizes.astype(np.float64)
    seg_rates = _metric_rates(metric, active.astype(np.float64), sizes_g, raw.revenue, raw.capped)
    curves = {}
    for gi, value in enumerate(raw.groups):
        seg_rows = sizes_g[gi] > 0
        if seg_rows.any():
            values = np.where(mature, seg_rates[gi], np.nan)[seg_rows]
            w, s, _, _ = _weighted_curve(values, sizes_g[gi][seg_rows])
            curves[value] = w if weighting == "size" else s
    segment_average = pd.DataFrame(curves, index=columns)
    segment_average.columns = pd.Index(list(curves), dtype=object, name=segment)
    segment_sizes = pd.Series(
        sizes_g.sum(axis=1).astype(int), index=pd.Index(list(raw.groups), dtype=object, name=segment)
    )
    return segment_average, segment_sizes[segment_sizes > 0]


def _notes(
    raw: _Raw, partial: bool, sizes: np.ndarray, base_revenue: np.ndarray | None, metric: str
) -> tuple[str, ...]:
    """Codes of the caveats of a table (see :attr:`CohortTable.notes`)."""
    checks = (
        ("partial_period", partial),
        ("small_cohorts", (sizes < MIN_BASE).any()),
        ("unmatched_events", raw.unmatched),
        ("events_before_start", raw.before_start),
        ("zero_base_revenue", base_revenue is not None and metric != "logo" and (base_revenue <= 0).any()),
        ("few_customers", sizes.sum() < 10),
    )
    return tuple(code for code, hit in checks if hit)


def _assemble(
    raw: _Raw,
    grid: _Grid,
    source: str,
    period: str,
    mode: str,
    metric: str,
    as_of: pd.Timestamp,
    segment: str | None,
    weighting: str,
    alpha: float = ALPHA,
) -> CohortTable:
    """The labelled :class:`CohortTable` of the cell sums ``raw``."""
    active = raw.active_after if mode == "on_or_after" else raw.active
    sizes = raw.sizes.astype(np.float64).sum(axis=0)
    counts = active.sum(axis=0).astype(np.float64)
    revenue = None if raw.revenue is None else raw.revenue.sum(axis=0)
    capped = None if raw.capped is None else raw.capped.sum(axis=0)
    absolute = raw.first + np.arange(len(sizes))[:, None] + np.arange(raw.n_k)[None, :]  # period of each cell
    mature = absolute <= grid.last_complete
    partial = (absolute == grid.now) & (grid.now > grid.last_complete)

    rows = sizes > 0
    labels = [period_label(raw.first + i, period) for i in np.flatnonzero(rows)]
    columns = pd.RangeIndex(raw.n_k, name="k")
    index = pd.Index(labels, name="cohort")

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values[rows], index=index, columns=columns)

    def masked(values: np.ndarray) -> np.ndarray:
        return np.where(mature, values, np.nan)

    logo = masked(_metric_rates("logo", counts, sizes, None, None))
    rates = logo if metric == "logo" else masked(_metric_rates(metric, counts, sizes, revenue, capped))
    mature_counts = masked(counts)
    nobs = np.broadcast_to(sizes[:, None], counts.shape)
    low, high = proportion_interval(np.nan_to_num(mature_counts), np.maximum(nobs, 1), alpha=alpha)
    low_base = mature & (nobs < MIN_BASE)

    average = _average(rates[rows], sizes[rows], weighting, columns)
    segment_average, segment_sizes = (None, None) if segment is None else _segment_curves(
        raw, active, metric, mature, weighting, segment, columns
    )
    notes = _notes(raw, partial[rows].any(), sizes[rows], None if revenue is None else revenue[rows, 0], metric)

    return CohortTable(
        source=source,
        period=period,
        mode=mode,
        metric=metric,
        as_of=as_of,
        sizes=pd.Series(sizes[rows].astype(int), index=index, name="customers"),
        counts=frame(mature_counts),
        rates=frame(rates),
        logo=frame(logo),
        ci_low=frame(np.where(mature, low, np.nan)),
        ci_high=frame(np.where(mature, high, np.nan)),
        low_base=frame(low_base),
        partial=frame(partial),
        revenue=None if revenue is None else frame(masked(revenue)),
        capped_revenue=None if capped is None else frame(masked(capped)),
        base_revenue=None if revenue is None else pd.Series(revenue[rows, 0], index=index, name="revenue"),
        average=average,
        segment=segment,
        segment_average=segment_average,
        segment_sizes=segment_sizes,
        unmatched_events=raw.unmatched,
        events_before_start=raw.before_start,
        notes=notes,
        alpha=alpha,
    )
