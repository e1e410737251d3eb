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

import math
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from cs_models.datasets import Datasets
from cs_models.errors import DataError

PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter")
MODES: tuple[str, ...] = ("classic", "on_or_after")
METRICS: tuple[str, ...] = ("logo", "nrr", "grr")
SOURCES: tuple[str, ...] = ("events", "customers")
WEIGHTINGS: tuple[str, ...] = ("size", "simple")
#: Cohorts smaller than this get their logo cells flagged as uncertain.
MIN_BASE = 30
#: Confidence level of the Wilson intervals.
CONFIDENCE = 0.95
#: (customer, period) grids up to this many cells are marked in a dense array;
#: larger ones fall back to sorting the keys.
DENSE_CELLS = 60_000_000
_NS_PER_DAY = 86_400_000_000_000
_EPOCH_MONDAY_OFFSET = 3  # 1970-01-01 was a Thursday; (days + 3) // 7 counts ISO weeks


@dataclass(frozen=True)
class CohortTable:
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
        Wilson 95 % interval of the logo retention per cell.
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
    notes: tuple[str, ...]

    @property
    def customers(self) -> int:
        """Customers in all cohorts."""
        return int(self.sizes.sum())

    def mature_horizon(self) -> int:
        """The largest ``k`` that at least one cohort has fully reached (-1 if none)."""
        ks = [int(k) for k, ok in self.rates.notna().any(axis=0).items() if ok]
        return max(ks) if ks else -1


# --------------------------------------------------------------------------- periods
def period_index(days: np.ndarray, period: str) -> np.ndarray:
    """Absolute index of the period containing each day (days since 1970-01-01).

    Parameters
    ----------
    days : numpy.ndarray of int
        Days since the Unix epoch.
    period : {"day", "week", "month", "quarter"}
        Weeks are ISO weeks starting on Monday.

    Returns
    -------
    numpy.ndarray of int64
        Consecutive integers: one step per period.
    """
    days = np.asarray(days, dtype=np.int64)
    if period == "day":
        return days
    if period == "week":
        return (days + _EPOCH_MONDAY_OFFSET) // 7
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months if period == "month" else months // 3


def period_start(index: int, period: str) -> pd.Timestamp:
    """First day of the period with absolute ``index`` (see :func:`period_index`)."""
    if period == "day":
        return pd.Timestamp(np.datetime64(int(index), "D"))
    if period == "week":
        return pd.Timestamp(np.datetime64(int(index) * 7 - _EPOCH_MONDAY_OFFSET, "D"))
    months = int(index) if period == "month" else int(index) * 3
    return pd.Timestamp(np.datetime64(months, "M"))


def period_label(index: int, period: str) -> str:
    """Label of a period: ``2024-01-05`` (day, or the Monday of a week), ``2024-01``, ``2024-Q1``."""
    start = period_start(index, period)
    if period in ("day", "week"):
        return start.strftime("%Y-%m-%d")
    if period == "month":
        return start.strftime("%Y-%m")
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _days(values: pd.Series) -> np.ndarray:
    """Days since the epoch of a datetime column (NaT -> minimum int64)."""
    raw = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]").view(np.int64)
    out = raw // _NS_PER_DAY
    out[raw == np.iinfo(np.int64).min] = np.iinfo(np.int64).min
    return out


def _lookup(days: np.ndarray, first_day: int, last_day: int, period: str) -> np.ndarray:
    """Period index of ``days`` (all within ``first_day..last_day``) via a small look-up table."""
    table = period_index(np.arange(first_day, last_day + 1), period).astype(np.int32)
    return table[days - first_day]


# ------------------------------------------------------------------------ validation
def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, not {value!r}")


def _customer_codes(ids: pd.Series) -> tuple[np.ndarray, int]:
    """Dense integer codes of customer ids, -1 for missing (fast paths for categorical and
    small integer ids)."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        return ids.cat.codes.to_numpy(), len(ids.cat.categories)
    if pd.api.types.is_integer_dtype(ids.dtype) and len(ids):
        values = ids.to_numpy(dtype=np.int64)
        low, high = int(values.min()), int(values.max())
        if high - low < 4 * len(values) + 1024:  # dense enough to index directly
            return values - low, high - low + 1
    codes, uniques = pd.factorize(ids)
    return codes.astype(np.int64), len(uniques)


# ------------------------------------------------------------------------ the table
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
    if segment_value is not None and segment is None:
        raise ValueError("segment_value needs segment")
    if max_k is not None and max_k < 0:
        raise ValueError("max_k must be >= 0")
    as_of_ts = pd.Timestamp(as_of).normalize()
    if as_of_ts is pd.NaT:
        raise ValueError("as_of must be a date")
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

    asof_day = int(as_of_ts.value // _NS_PER_DAY)
    grid = _Grid(period, asof_day)
    if source == "customers":
        raw = _from_customers(customers, grid, segment)  # type: ignore[arg-type]
    else:
        raw = _from_events(
            events, customers, grid, segment,  # type: ignore[arg-type]
            need_revenue=metric != "logo", need_capped=metric == "grr",
        )
    if segment_value is not None:
        raw = raw.keep_group(segment_value)
    if max_k is not None:
        raw = raw.first_periods(max_k + 1)
    return _assemble(raw, grid, source, period, mode, metric, as_of_ts, segment, weighting)


@dataclass(frozen=True)
class _Grid:
    """Period arithmetic shared by the builders."""

    period: str
    asof_day: int

    @property
    def now(self) -> int:
        """Index of the period containing the as-of date."""
        return int(period_index(np.array([self.asof_day]), self.period)[0])

    @property
    def last_complete(self) -> int:
        """Index of the last period that has fully ended by the as-of date."""
        return int(period_index(np.array([self.asof_day + 1]), self.period)[0]) - 1


@dataclass(frozen=True)
class _Raw:
    """Cell sums on a (group, cohort, k) grid before labelling."""

    first: int  # absolute period index of cohort 0
    n_k: int
    sizes: np.ndarray  # (G, C)
    active: np.ndarray  # (G, C, K) customers active in k (classic)
    active_after: np.ndarray  # (G, C, K) customers active in k or later
    revenue: np.ndarray | None  # (G, C, K)
    capped: np.ndarray | None  # (G, C, K)
    groups: pd.Index  # segment values (one dummy group without a segment)
    unmatched: int = 0
    before_start: int = 0

    def first_periods(self, n_k: int) -> _Raw:
        """The same cells for ``k < n_k`` only."""
        if n_k >= self.n_k:
            return self

        def cut(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else values[:, :, :n_k]

        return _Raw(
            self.first, n_k, self.sizes, cut(self.active), cut(self.active_after),  # type: ignore[arg-type]
            cut(self.revenue), cut(self.capped), self.groups, self.unmatched, self.before_start,
        )

    def keep_group(self, value: Hashable) -> _Raw:
        matches = [i for i, g in enumerate(self.groups) if g == value or (_isna(g) and _isna(value))]
        if not matches:
            raise DataError("cohorts_no_segment_value", f"no customers with {value!r}", value=str(value))
        sl = slice(matches[0], matches[0] + 1)
        return _Raw(
            self.first, self.n_k, self.sizes[sl], self.active[sl], self.active_after[sl],
            None if self.revenue is None else self.revenue[sl],
            None if self.capped is None else self.capped[sl],
            self.groups[sl], self.unmatched, self.before_start,
        )


def _isna(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _groups(customers: pd.DataFrame | None, segment: str | None, n: int) -> tuple[np.ndarray, pd.Index]:
    """Segment code of each customer row (one group when there is no segment)."""
    if segment is None or customers is None:
        return np.zeros(n, dtype=np.int64), pd.Index([None], dtype=object)
    codes, uniques = pd.factorize(customers[segment], use_na_sentinel=False, sort=True)
    return codes.astype(np.int64), pd.Index(uniques, dtype=object)


def _start_periods(customers: pd.DataFrame, grid: _Grid) -> np.ndarray:
    """Absolute start period per customer (minimum int64 for a missing start or one after the as-of date)."""
    start = _days(customers["start_date"])
    valid = (start != np.iinfo(np.int64).min) & (start <= grid.asof_day)
    out = np.full(len(start), np.iinfo(np.int64).min, dtype=np.int64)
    if valid.any():
        out[valid] = period_index(start[valid], grid.period)
    return out


def _from_customers(customers: pd.DataFrame, grid: _Grid, segment: str | None) -> _Raw:
    """Alive in period k = started before and not ended by the end of period k."""
    start = _start_periods(customers, grid)
    member = start != np.iinfo(np.int64).min
    if not member.any():
        raise DataError("cohorts_no_customers", "no customer started by the as-of date")
    group, groups = _groups(customers, segment, len(customers))
    end_days = _days(customers["end_date"])
    ended = (end_days != np.iinfo(np.int64).min) & (end_days <= grid.asof_day)
    end = np.full(len(end_days), np.iinfo(np.int64).max, dtype=np.int64)
    end[ended] = period_index(end_days[ended], grid.period)
    first = int(start[member].min())
    n_c = n_k = grid.now - first + 1
    cohort = start[member] - first
    lifetime = np.clip(end[member] - start[member], 0, n_k)  # alive in k iff k < lifetime
    g = group[member]
    n_g = len(groups)
    sizes = np.bincount(g * n_c + cohort, minlength=n_g * n_c).reshape(n_g, n_c)
    by_life = np.bincount((g * n_c + cohort) * (n_k + 1) + lifetime, minlength=n_g * n_c * (n_k + 1))
    by_life = by_life.reshape(n_g, n_c, n_k + 1)
    # customers whose lifetime exceeds k: reverse cumulative sum over lifetimes > k
    alive = np.cumsum(by_life[:, :, ::-1], axis=2)[:, :, ::-1][:, :, 1:]
    return _Raw(first, n_k, sizes, alive, alive, None, None, groups)


def _from_events(
    events: pd.DataFrame,
    customers: pd.DataFrame | None,
    grid: _Grid,
    segment: str | None,
    *,
    need_revenue: bool,
    need_capped: bool,
) -> _Raw:
    """Activity per (customer, period) from events, aggregated to cohort cells.

    Revenue per cell is summed when ``need_revenue``; revenue capped at each customer's
    period-0 revenue (which needs a per-customer pass) only when ``need_capped``.
    """
    days = _days(events["date"])
    keep = (days != np.iinfo(np.int64).min) & (days <= grid.asof_day)
    unmatched = before_start = 0
    if customers is not None:
        ids = pd.Index(customers["customer_id"])
        if not ids.is_unique:
            raise DataError("cohorts_duplicate_customers", "customer ids are not unique")
        cust = ids.get_indexer(events["customer_id"])
        unmatched = int(((cust < 0) & keep).sum())
        keep &= cust >= 0
        n_cust = len(ids)
        start = _start_periods(customers, grid)
        member = start != np.iinfo(np.int64).min
        keep &= member[np.maximum(cust, 0)]
    else:
        cust, n_cust = _customer_codes(events["customer_id"])
        keep &= cust >= 0
    all_kept = bool(keep.all())
    if not all_kept:
        days, cust = days[keep], cust[keep]
    if len(days) == 0 and customers is None:
        raise DataError("cohorts_no_events", "no events on or before the as-of date")
    amount = None
    if need_revenue:
        amount = events["amount"].to_numpy(dtype=np.float64, na_value=0.0)
        amount = amount if all_kept else amount[keep]
        amount = np.where(np.isnan(amount), 0.0, amount)

    period = _lookup(days, int(days.min()), grid.asof_day, grid.period) if len(days) else days
    # int32 halves the memory traffic of the passes below
    period = period.astype(np.int32, copy=False)
    cust = cust.astype(np.int32, copy=False) if n_cust < 2**31 else cust.astype(np.int64, copy=False)
    if customers is not None:
        if not member.any():
            raise DataError("cohorts_no_customers", "no customer started by the as-of date")
        cohort_abs = np.where(member, start, start[member].min()).astype(np.int32)
    else:
        cohort_abs = np.full(n_cust, np.iinfo(np.int32).max, dtype=np.int32)
        np.minimum.at(cohort_abs, cust, period)
        member = cohort_abs != np.iinfo(np.int32).max
    first = int(cohort_abs[member].min())
    n_c = n_k = grid.now - first + 1
    k = period - cohort_abs[cust]
    early = k < 0
    if early.any():
        before_start = int(early.sum())
        k, cust = k[~early], cust[~early]
        amount = None if amount is None else amount[~early]

    group, groups = _groups(customers, segment, n_cust)
    n_g = len(groups)
    size_of_grid = n_g * n_c * n_k
    # (group, cohort) row of each customer
    cell_row = group * n_c + np.where(member, cohort_abs.astype(np.int64), first) - first
    # one entry per (customer, k) pair with activity, sorted by customer then k
    grid_cells = n_cust * n_k
    key = (cust if grid_cells < 2**31 else cust.astype(np.int64)) * n_k + k
    pair_revenue = None
    if grid_cells <= DENSE_CELLS:
        marked = np.zeros(grid_cells, dtype=bool)
        marked[key] = True
        pairs = np.flatnonzero(marked)
        del marked
        if amount is not None and need_capped:
            pair_revenue = np.bincount(key, weights=amount, minlength=grid_cells)[pairs]
    else:
        pairs, inverse = np.unique(key, return_inverse=True)
        if amount is not None and need_capped:
            pair_revenue = np.bincount(inverse, weights=amount, minlength=len(pairs))
    del key
    pair_cust, pair_k = np.divmod(pairs, n_k)
    cells = cell_row[pair_cust] * n_k + pair_k
    active = np.bincount(cells, minlength=size_of_grid).reshape(n_g, n_c, n_k)
    # on or after: each customer's last active k, counted for every k up to it
    if len(pairs):
        last = np.flatnonzero(np.append(pair_cust[1:] != pair_cust[:-1], True))
        by_last = np.bincount(cells[last], minlength=size_of_grid).reshape(n_g, n_c, n_k)
    else:
        by_last = np.zeros((n_g, n_c, n_k), dtype=np.int64)
    active_after = np.cumsum(by_last[:, :, ::-1], axis=2)[:, :, ::-1]
    sizes = np.bincount(cell_row[member], minlength=n_g * n_c).reshape(n_g, n_c)
    revenue = capped = None
    if pair_revenue is not None:  # GRR: each customer's revenue capped at its own period-0 revenue
        base = np.zeros(n_cust)
        at_zero = pair_k == 0
        base[pair_cust[at_zero]] = pair_revenue[at_zero]
        revenue = np.bincount(cells, weights=pair_revenue, minlength=size_of_grid).reshape(n_g, n_c, n_k)
        capped_pair = np.minimum(pair_revenue, base[pair_cust])
        capped = np.bincount(cells, weights=capped_pair, minlength=size_of_grid).reshape(n_g, n_c, n_k)
    elif amount is not None:  # NRR needs cell sums only: one small bincount over the events
        event_cells = cell_row[cust] * n_k + k
        revenue = np.bincount(event_cells, weights=amount, minlength=size_of_grid).reshape(n_g, n_c, n_k)
    return _Raw(first, n_k, sizes, active, active_after, revenue, capped, groups, unmatched, before_start)


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
) -> CohortTable:
    active = raw.active_after if mode == "on_or_after" else raw.active
    sizes_g = raw.sizes.astype(np.float64)
    sizes = sizes_g.sum(axis=0)
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
    low, high = proportion_confint(
        np.nan_to_num(mature_counts), np.maximum(nobs, 1), alpha=1 - CONFIDENCE, method="wilson"
    )
    low_base = mature & (nobs < MIN_BASE)

    weighted, simple, n_cohorts, n_customers = _weighted_curve(rates[rows], sizes[rows])
    average = pd.DataFrame(
        {
            "weighted": weighted if weighting == "size" else simple,
            "simple": simple,
            "cohorts": n_cohorts.astype(int),
            "customers": n_customers.astype(int),
        },
        index=columns,
    )

    segment_average = segment_sizes = None
    if segment is not None:
        seg_counts = active.astype(np.float64)
        seg_rates = _metric_rates(metric, seg_counts, sizes_g, raw.revenue, raw.capped)
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
        segment_sizes = segment_sizes[segment_sizes > 0]

    notes: list[str] = []
    if partial[rows].any():
        notes.append("partial_period")
    if (sizes[rows] < MIN_BASE).any():
        notes.append("small_cohorts")
    if raw.unmatched:
        notes.append("unmatched_events")
    if raw.before_start:
        notes.append("events_before_start")
    if revenue is not None and metric != "logo" and (revenue[rows, 0] <= 0).any():
        notes.append("zero_base_revenue")
    if sizes.sum() < 10:
        notes.append("few_customers")

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
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- helpers
def segment_columns(customers: pd.DataFrame | None) -> list[str]:
    """Customers columns usable as segments: text columns other than the canonical ones."""
    if customers is None:
        return []
    canonical = {"customer_id", "start_date", "end_date", "mrr"}
    return [
        str(c)
        for c in customers.columns
        if c not in canonical
        and (customers[c].dtype == object or isinstance(customers[c].dtype, pd.CategoricalDtype)
             or pd.api.types.is_string_dtype(customers[c]))
        and 1 < customers[c].nunique() <= 30
    ]


def default_source(datasets: Datasets) -> str | None:
    """``"events"`` when events are loaded, else ``"customers"``, else ``None``."""
    if datasets.events is not None:
        return "events"
    if datasets.customers is not None:
        return "customers"
    return None


def available_metrics(datasets: Datasets, source: str) -> tuple[str, ...]:
    """Metrics that the data support for ``source`` (revenue needs event amounts)."""
    events = datasets.events
    if source == "events" and events is not None and "amount" in events.columns:
        return METRICS
    return ("logo",)


def build(datasets: Datasets, *, as_of: date | pd.Timestamp | str, source: str | None = None,
          **options: Any) -> CohortTable:
    """:func:`cohort_table` over a :class:`~cs_models.datasets.Datasets` (what page and report use)."""
    source = source or default_source(datasets)
    if source is None:
        raise DataError("cohorts_no_events", "neither events nor customers are loaded")
    return cohort_table(
        datasets.events if source == "events" else None,
        customers=datasets.customers,
        as_of=as_of,
        source=source,
        **options,
    )


def _json_number(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 6)


def report_section(
    datasets: Datasets,
    *,
    as_of: date | pd.Timestamp | str,
    period: str = "month",
    mode: str = "classic",
    metric: str = "logo",
    source: str | None = None,
    segment: str | None = None,
    **_other_options: Any,
) -> dict[str, Any] | None:
    """The cohort table as JSON for ``python -m cs_models report``.

    Parameters
    ----------
    datasets : Datasets
        The loaded data.
    as_of : date-like
        The as-of date.
    period, mode, metric, source
        As in :func:`cohort_table` (``source`` defaults to events when loaded).
    segment : str, optional
        A customers column: adds ``"segments"`` (average curve per value) when it exists.
    **_other_options
        Options of other sections (e.g. ``covariates``), ignored.

    Returns
    -------
    dict or None
        ``{"period", "mode", "metric", "source", "as_of", "sizes": {cohort: n},
        "retention": {cohort: [r0, r1, …, None for immature]}, "average": [...],
        "notes": [...]}`` (plus ``"segment"``/``"segments"``); ``None`` when neither
        events nor customers are loaded.
    """
    if default_source(datasets) is None:
        return None
    customers = datasets.customers
    if segment is not None and (customers is None or segment not in customers.columns):
        segment = None
    table = build(datasets, as_of=as_of, source=source, period=period, mode=mode, metric=metric,
                  segment=segment)
    section: dict[str, Any] = {
        "period": table.period,
        "mode": table.mode,
        "metric": table.metric,
        "source": table.source,
        "as_of": table.as_of.date().isoformat(),
        "sizes": {str(c): int(n) for c, n in table.sizes.items()},
        "retention": {
            str(cohort): [_json_number(v) for v in row]
            for cohort, row in zip(table.rates.index, table.rates.to_numpy(), strict=True)
        },
        "average": [_json_number(v) for v in table.average["weighted"]],
        "notes": list(table.notes),
    }
    if table.segment_average is not None:
        section["segment"] = table.segment
        section["segments"] = {
            ("" if _isna(value) else str(value)): [_json_number(v) for v in table.segment_average[value]]
            for value in table.segment_average.columns
        }
    return section
