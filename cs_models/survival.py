"""Survival analysis of customer lifetimes: how long customers stay and who leaves sooner.

Public API (signatures are stable; other modules rely on them):

- :func:`durations` — lifetimes in days from ``start_date``/``end_date`` up to the as-of
  date (customers still active are right-censored there).
- :func:`kaplan_meier` — Kaplan–Meier curves overall or per segment, log-log
  (exponential Greenwood) confidence intervals as in lifelines and R's
  ``survfit(conf.type = "log-log")``, medians with CIs, survival at 3/6/12/24 months
  and a KMunicate-style at-risk table.
- :func:`logrank` — log-rank test across segments, pairwise with Holm correction.
- :func:`cox` — Cox proportional hazards (lifelines, Efron ties) with hazard ratios,
  concordance, likelihood-ratio test and a proportional-hazards check.
- :func:`rmst` — restricted mean survival time to a horizon per segment, differences
  and lifetime value (LTV = revenue per month × RMST, plus a discounted variant).
- :func:`life_table` — monthly churn hazard (actuarial life table).
- :func:`analyse` — everything the churn page shows for one segment (one call, one cache entry).
- :func:`concordance`, :func:`holm` — Harrell's C and Holm's adjustment, vectorised.
- :func:`report_section` — the ``"survival"`` part of ``python -m cs_models report``.

Kaplan–Meier and the log-rank test are computed with numpy on event/at-risk count
matrices (one pass over the data for all groups); the tests check them against
lifelines and published R values.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.datasets import Datasets
from cs_models.errors import DataError

DAYS_PER_MONTH = 365.25 / 12
#: Months at which survival is reported.
SURVIVAL_MONTHS: tuple[int, ...] = (3, 6, 12, 24)
#: Fewer customers than this and no survival analysis is attempted.
MIN_CUSTOMERS = 10
#: Segments with more levels keep the largest ``DEFAULT_MAX_GROUPS - 1`` and pool the rest.
DEFAULT_MAX_GROUPS = 6
#: Group codes (translated by the UI).
ALL = "__all__"
OTHER = "__other__"
MISSING = "__missing__"
#: Cox is fitted on a random sample of this many customers when there are more.
COX_MAX_ROWS = 100_000
COX_SEED = 20210119
#: The proportional-hazards check refits on a random sample of this many customers when there are more.
PH_MAX_ROWS = 5_000
CANONICAL = ("customer_id", "start_date", "end_date", "mrr")

__all__ = [
    "ALL",
    "DAYS_PER_MONTH",
    "MISSING",
    "OTHER",
    "SURVIVAL_MONTHS",
    "CoxResult",
    "KMResult",
    "LifeTableResult",
    "LogRankResult",
    "RMSTResult",
    "SurvivalAnalysis",
    "analyse",
    "concordance",
    "covariate_columns",
    "cox",
    "durations",
    "holm",
    "kaplan_meier",
    "life_table",
    "logrank",
    "report_section",
    "rmst",
    "segment_columns",
]


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class KMResult:
    """Kaplan–Meier estimates, overall or per group.

    Attributes
    ----------
    group_column : str or None
        The segment column, ``None`` for the overall curve (group code :data:`ALL`).
    groups : tuple of str
        Group codes in display order (largest first; :data:`OTHER`, :data:`MISSING` last).
    curves : DataFrame
        One row per group and distinct observed time: ``group, time_days, at_risk,
        events, censored, survival, lower, upper`` (survival just after ``time_days``).
    summary : DataFrame
        Indexed by group: ``n, events, censored, median_days, median_lower, median_upper``;
        ``inf`` means "not reached" (as lifelines).
    at_times : DataFrame
        ``group, months, survival, lower, upper, at_risk`` at :data:`SURVIVAL_MONTHS`
        (NaN beyond the last observed time).
    at_risk_table : DataFrame
        KMunicate table: ``group, months, at_risk, events, censored`` where ``at_risk``
        counts lifetimes ≥ the tick and events/censored are cumulative before it.
    alpha : float
        1 − confidence level.
    notes : tuple of str
        Codes explaining degenerate data (``no_events``, ``small_group`` …).
    """

    group_column: str | None
    groups: tuple[str, ...]
    curves: pd.DataFrame
    summary: pd.DataFrame
    at_times: pd.DataFrame
    at_risk_table: pd.DataFrame
    alpha: float = 0.05
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogRankResult:
    """Log-rank test of equal survival across groups.

    Attributes
    ----------
    group_column : str
    chi2, df, p : float
        Overall test (NaN with a note when it cannot be computed).
    table : DataFrame
        Indexed by group: ``n, observed, expected`` events.
    pairwise : DataFrame
        ``group_a, group_b, chi2, p, p_holm`` (empty with two or fewer groups).
    notes : tuple of str
        ``single_group``, ``no_events``.
    """

    group_column: str
    chi2: float
    df: int
    p: float
    table: pd.DataFrame
    pairwise: pd.DataFrame
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoxResult:
    """Cox proportional-hazards model.

    Attributes
    ----------
    table : DataFrame
        One row per model term: ``term, column, level, reference, coef, se, hr, hr_lower,
        hr_upper, p``. ``level``/``reference`` are set for one-hot terms of categorical
        columns (hazard of ``level`` relative to ``reference``), empty for numeric columns.
    concordance : float
        Harrell's C (:func:`concordance`, equal to lifelines' ``concordance_index_``).
    lr_chi2, lr_df, lr_p : float
        Likelihood-ratio test against the null model.
    ph_test : DataFrame
        Proportional-hazards test per term (``term, chi2, p``; scaled Schoenfeld residuals
        against the rank of time, lifelines' ``proportional_hazard_test``). Above
        :data:`PH_MAX_ROWS` customers it is run on a refit to a random sample of that
        size (note ``ph_check_sampled``): lifelines' residuals take quadratic time.
    ph_violations : tuple of str
        Columns whose terms fail the PH check at 5 %.
    dropped : tuple of (str, str)
        ``(column, reason)`` of covariates left out (``constant``, ``separating``,
        ``too_many_levels``).
    n, events : int
        Customers and churn events the model was fitted on.
    sampled_from : int or None
        Total customers when the model was fitted on a random sample.
    notes : tuple of str
    """

    table: pd.DataFrame
    concordance: float
    lr_chi2: float
    lr_df: int
    lr_p: float
    ph_test: pd.DataFrame
    ph_violations: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]
    n: int
    events: int
    sampled_from: int | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RMSTResult:
    """Restricted mean survival time (and lifetime value) to a horizon.

    Attributes
    ----------
    horizon_days : float
    reference : str
        Group the differences are taken against (the largest group).
    table : DataFrame
        Indexed by group: ``n, rmst_days, se_days, rmst_lower, rmst_upper, diff_days,
        diff_lower, diff_upper, diff_p, diff_p_holm, revenue_per_month, ltv, ltv_lower,
        ltv_upper, ltv_discounted`` (revenue columns NaN without a revenue column or when a
        group's revenue is all blank). ``diff_p_holm`` is ``diff_p`` Holm-adjusted over the
        comparisons with the reference (:func:`holm`).
    annual_discount : float
        Discount rate per year of the discounted LTV.
    alpha : float
    notes : tuple of str
    """

    horizon_days: float
    reference: str
    table: pd.DataFrame
    annual_discount: float
    alpha: float = 0.05
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LifeTableResult:
    """Monthly churn hazard (actuarial life table).

    Attributes
    ----------
    table : DataFrame
        ``group, month, at_risk, events, censored, hazard`` where month ``m`` covers
        lifetimes in [m, m + 1) months and ``hazard = events / (at_risk − censored / 2)``.
    notes : tuple of str
    """

    table: pd.DataFrame
    notes: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- columns
def segment_columns(frame: pd.DataFrame, *, max_levels: int = 12) -> list[str]:
    """Text columns with 2 to ``max_levels`` distinct values (candidate segments)."""
    out = []
    for column in frame.columns:
        if column in CANONICAL or column in ("duration_days", "event"):
            continue
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        if 2 <= series.nunique(dropna=True) <= max_levels:
            out.append(column)
    return out


def covariate_columns(frame: pd.DataFrame) -> list[str]:
    """Numeric columns other than ids, dates and revenue (default Cox covariates)."""
    return [
        column
        for column in frame.columns
        if column not in CANONICAL
        and column not in ("duration_days", "event")
        and pd.api.types.is_numeric_dtype(frame[column])
        and not pd.api.types.is_bool_dtype(frame[column])
    ]


# --------------------------------------------------------------------------- durations
def durations(customers: pd.DataFrame, as_of: date | pd.Timestamp) -> pd.DataFrame:
    """Lifetimes in days up to ``as_of``; customers still active are censored.

    Parameters
    ----------
    customers : DataFrame
        Canonical customers (``start_date``, ``end_date`` with NaT = active).
    as_of : date
        Customers who started after it are left out; churn after it is not yet known.

    Returns
    -------
    DataFrame
        The customers who started on or before ``as_of`` with ``duration_days`` (float)
        and ``event`` (bool, True = churned by ``as_of``) added. It shares the other
        columns' memory with ``customers`` (a shallow copy): add or replace columns, but
        do not modify values in place.

    Raises
    ------
    DataError
        ``survival_missing_dates`` without the date columns, ``survival_end_before_start``
        when a contract ends before it starts, ``survival_too_few`` with fewer than
        :data:`MIN_CUSTOMERS` customers.
    """
    missing = [c for c in ("start_date", "end_date") if c not in customers]
    if missing:
        raise DataError("survival_missing_dates", f"missing columns: {missing}", column=missing[0])
    cutoff = pd.Timestamp(as_of)
    start = pd.to_datetime(customers["start_date"])
    end = pd.to_datetime(customers["end_date"])
    keep = (start <= cutoff).to_numpy()
    bad = (end < start).to_numpy() & keep
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataError(
            "survival_end_before_start",
            f"{int(bad.sum())} contracts end before they start",
            row=first + 2,
            column="end_date",
            count=int(bad.sum()),
        )
    # a shallow copy: the new columns must not touch the caller's frame, the old ones need no copy
    frame = (customers if keep.all() else customers.loc[keep]).copy(deep=False)
    start, end = start[keep], end[keep]
    event = (end <= cutoff).to_numpy() & end.notna().to_numpy()
    stop = end.where(event, cutoff)
    frame["duration_days"] = ((stop - start) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    frame["event"] = event
    _check_size(len(frame))
    return frame


def _check_size(n: int) -> None:
    if n < MIN_CUSTOMERS:
        raise DataError(
            "survival_too_few", f"{n} customers; at least {MIN_CUSTOMERS} needed", n=n, minimum=MIN_CUSTOMERS
        )


def _validate_frame(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    for column in ("duration_days", "event"):
        if column not in frame:
            raise DataError("survival_not_durations", f"column {column} missing; call durations() first")
    t = frame["duration_days"].to_numpy(dtype=float)
    e = frame["event"].to_numpy(dtype=bool)
    if np.isnan(t).any() or (t < 0).any():
        raise DataError("survival_bad_durations", "durations must be non-negative numbers")
    _check_size(len(t))
    return t, e


# --------------------------------------------------------------------------- groups
@dataclass(frozen=True)
class _Groups:
    codes: np.ndarray  # int per row
    labels: tuple[str, ...]  # label per code


def _groups(frame: pd.DataFrame, group: str | None, max_groups: int) -> _Groups:
    n = len(frame)
    if group is None:
        return _Groups(np.zeros(n, dtype=np.intp), (ALL,))
    if group not in frame:
        raise DataError("survival_unknown_column", f"no column {group!r}", column=group)
    if max_groups < 2:
        raise ValueError("max_groups must be at least 2")
    raw, uniques = pd.factorize(frame[group], sort=False)
    counts = np.bincount(raw[raw >= 0], minlength=len(uniques))
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] > 0]  # unused categories of a categorical column
    labels = [str(u) for u in uniques]
    if len(order) > max_groups:
        kept = order[: max_groups - 1]
        rest = True
    else:
        kept, rest = order, False
    mapping = np.full(len(uniques), len(kept), dtype=np.intp)
    mapping[kept] = np.arange(len(kept))
    out_labels = [labels[i] for i in kept]
    if rest:
        out_labels.append(OTHER)
    codes = np.where(raw >= 0, mapping[np.maximum(raw, 0)], -1)
    if (raw < 0).any():
        codes = np.where(raw < 0, len(out_labels), codes)
        out_labels.append(MISSING)
    return _Groups(codes.astype(np.intp), tuple(out_labels))


# --------------------------------------------------------------------------- counting
@dataclass(frozen=True)
class _Counts:
    """Counts per distinct time (rows) and group (columns)."""

    times: np.ndarray  # (T,)
    events: np.ndarray  # (T, G)
    removed: np.ndarray  # (T, G) events + censored
    at_risk: np.ndarray  # (T, G) at risk just before each time
    n: np.ndarray  # (G,)


def _counts(t: np.ndarray, e: np.ndarray, codes: np.ndarray, n_groups: int) -> _Counts:
    """Event, removal and at-risk counts for all groups in one pass (bincount, no sort for days)."""
    integral = t.size > 0 and t.max() < 5_000_000 and np.array_equal(t, np.floor(t))
    if integral:
        index = t.astype(np.intp)
        size = int(index.max()) + 1 if t.size else 0
    else:
        times_u, index = np.unique(t, return_inverse=True)
        size = len(times_u)
    flat = index * n_groups + codes
    removed = np.bincount(flat, minlength=size * n_groups).reshape(size, n_groups)
    events = np.bincount(flat[e], minlength=size * n_groups).reshape(size, n_groups)
    present = removed.any(axis=1)
    removed, events = removed[present], events[present]
    times = np.flatnonzero(present).astype(float) if integral else times_u[present]
    n = removed.sum(axis=0)
    at_risk = n - np.vstack([np.zeros((1, n_groups), dtype=removed.dtype), np.cumsum(removed, axis=0)[:-1]])
    return _Counts(times, events, removed, at_risk, n)


def _km_arrays(d: np.ndarray, r: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Survival and log-log CI from events ``d`` and at-risk ``r`` at each time."""
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.cumprod(1.0 - d / r)
        greenwood = np.cumsum(np.where(d > 0, d / (r * (r - d)), 0.0))
        z = stats.norm.ppf(1 - alpha / 2)
        v = np.log(s)
        lower = np.exp(-np.exp(np.log(-v) - z * np.sqrt(greenwood) / v))
        upper = np.exp(-np.exp(np.log(-v) + z * np.sqrt(greenwood) / v))
    ones = s >= 1.0
    lower[ones], upper[ones] = 1.0, 1.0
    zero = s <= 0.0
    lower[zero], upper[zero] = 0.0, 0.0
    lower = np.where(np.isnan(lower), 0.0, lower)
    upper = np.where(np.isnan(upper), 0.0, upper)
    return s, lower, upper


def _first_time_below(times: np.ndarray, values: np.ndarray, q: float = 0.5) -> float:
    hit = np.flatnonzero(values <= q)
    return float(times[hit[0]]) if hit.size else np.inf


def _step_at(times: np.ndarray, values: np.ndarray, at: np.ndarray, start: float = 1.0) -> np.ndarray:
    pos = np.searchsorted(times, at, side="right") - 1
    return np.where(pos >= 0, values[np.maximum(pos, 0)], start)


# --------------------------------------------------------------------------- Kaplan–Meier
def kaplan_meier(
    frame: pd.DataFrame,
    group: str | None = None,
    *,
    max_groups: int = DEFAULT_MAX_GROUPS,
    alpha: float = 0.05,
    ticks_months: Sequence[float] | None = None,
) -> KMResult:
    """Kaplan–Meier survival overall or per level of ``group``.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`durations` (``duration_days``, ``event``).
    group : str, optional
        Segment column; levels beyond ``max_groups - 1`` are pooled as :data:`OTHER`,
        blanks become :data:`MISSING`.
    max_groups : int
        Most curves drawn.
    alpha : float
        1 − confidence level of the log-log intervals.
    ticks_months : sequence of float, optional
        Ticks of the at-risk table in months (default: every 6 months, or 3 when the
        follow-up is under 18 months).

    Returns
    -------
    KMResult
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    t, e = _validate_frame(frame)
    g = _groups(frame, group, max_groups)
    counts = _counts(t, e, g.codes, len(g.labels))
    months = np.asarray(SURVIVAL_MONTHS, dtype=float)
    if ticks_months is None:
        span = t.max() / DAYS_PER_MONTH
        step = 3 if span < 18 else 6
        ticks_months = np.arange(0, np.floor(span / step) * step + step / 2, step)
    ticks = np.asarray(ticks_months, dtype=float)
    curve_parts, summary_rows, at_rows, risk_rows = [], [], [], []
    notes: list[str] = []
    for j, label in enumerate(g.labels):
        rows = counts.removed[:, j] > 0
        times = counts.times[rows]
        d = counts.events[rows, j]
        rem = counts.removed[rows, j]
        r = counts.at_risk[rows, j]
        s, lo, hi = _km_arrays(d, r, alpha)
        curve_parts.append(
            pd.DataFrame(
                {
                    "group": label,
                    "time_days": times,
                    "at_risk": r,
                    "events": d,
                    "censored": rem - d,
                    "survival": s,
                    "lower": lo,
                    "upper": hi,
                }
            )
        )
        n_j, ev_j = int(counts.n[j]), int(d.sum())
        summary_rows.append(
            {
                "group": label,
                "n": n_j,
                "events": ev_j,
                "censored": n_j - ev_j,
                "median_days": _first_time_below(times, s),
                "median_lower": _first_time_below(times, lo),
                "median_upper": _first_time_below(times, hi),
            }
        )
        at_days = months * DAYS_PER_MONTH
        observed = at_days <= (times.max() if times.size else 0.0)
        at_rows.append(
            pd.DataFrame(
                {
                    "group": label,
                    "months": months,
                    "survival": np.where(observed, _step_at(times, s, at_days), np.nan),
                    "lower": np.where(observed, _step_at(times, lo, at_days), np.nan),
                    "upper": np.where(observed, _step_at(times, hi, at_days), np.nan),
                    "at_risk": _at_risk_at(times, r, rem, at_days),
                }
            )
        )
        tick_days = ticks * DAYS_PER_MONTH
        before = np.searchsorted(times, tick_days, side="left")  # times strictly before each tick
        cum_events = np.concatenate([[0], np.cumsum(d)])[before]
        cum_removed = np.concatenate([[0], np.cumsum(rem)])[before]
        risk_rows.append(
            pd.DataFrame(
                {
                    "group": label,
                    "months": ticks,
                    "at_risk": n_j - cum_removed,
                    "events": cum_events,
                    "censored": cum_removed - cum_events,
                }
            )
        )
        if 0 < n_j < MIN_CUSTOMERS and "small_group" not in notes:
            notes.append("small_group")
    summary = pd.DataFrame(summary_rows).set_index("group")
    if summary["events"].sum() == 0:
        notes.append("no_events")
    elif np.isinf(summary["median_days"]).any():
        notes.append("median_not_reached")
    return KMResult(
        group_column=group,
        groups=g.labels,
        curves=pd.concat(curve_parts, ignore_index=True),
        summary=summary,
        at_times=pd.concat(at_rows, ignore_index=True),
        at_risk_table=pd.concat(risk_rows, ignore_index=True),
        alpha=alpha,
        notes=tuple(notes),
    )


def _at_risk_at(times: np.ndarray, at_risk: np.ndarray, removed: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Number with lifetime ≥ each of ``at``."""
    if times.size == 0:
        return np.zeros(len(at), dtype=int)
    tail = np.concatenate([at_risk, [at_risk[-1] - removed[-1]]])
    return tail[np.searchsorted(times, at, side="left")]


# --------------------------------------------------------------------------- log-rank
def _logrank_stat(d: np.ndarray, r: np.ndarray) -> tuple[float, int, np.ndarray, np.ndarray]:
    """χ², df, observed and expected of the k-sample log-rank test from (T, G) matrices."""
    keep = r.sum(axis=1) > 0
    d, r = d[keep].astype(float), r[keep].astype(float)
    big_d, big_n = d.sum(axis=1), r.sum(axis=1)
    share = r / big_n[:, None]
    observed, expected = d.sum(axis=0), (share * big_d[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(big_n > 1, big_d * (big_n - big_d) / (big_n - 1), 0.0)
    variance = np.diag((w[:, None] * share).sum(axis=0)) - (share * w[:, None]).T @ share
    k = d.shape[1] - 1
    diff = (observed - expected)[:k]
    chi2 = float(diff @ np.linalg.pinv(variance[:k, :k]) @ diff)
    return chi2, k, observed, expected


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (as ``statsmodels`` ``multipletests(method="holm")``,
    which the tests compare against; that function runs a full ``gc.collect()`` per call,
    0.2 s with a million customers in memory)."""
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    m = len(p)
    stepped = np.maximum.accumulate(np.minimum(1.0, p[order] * (m - np.arange(m))))
    out = np.empty(m)
    out[order] = stepped
    return out


def logrank(frame: pd.DataFrame, group: str, *, max_groups: int = DEFAULT_MAX_GROUPS) -> LogRankResult:
    """Log-rank test of equal survival across the levels of ``group``.

    With more than two groups, each pair is also tested and the p-values are
    Holm-corrected (:func:`holm`).

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`durations`.
    group : str
        Segment column (levels pooled as in :func:`kaplan_meier`).
    max_groups : int
        Most groups compared.
    """
    t, e = _validate_frame(frame)
    g = _groups(frame, group, max_groups)
    counts = _counts(t, e, g.codes, len(g.labels))
    table = pd.DataFrame({"n": counts.n}, index=pd.Index(g.labels, name="group"))
    empty = pd.DataFrame(columns=["group_a", "group_b", "chi2", "p", "p_holm"])
    present = np.flatnonzero(counts.n > 0)
    if len(present) < 2:
        table["observed"], table["expected"] = counts.events.sum(axis=0), np.nan
        return LogRankResult(group, np.nan, 0, np.nan, table, empty, ("single_group",))
    if counts.events.sum() == 0:
        table["observed"], table["expected"] = 0, 0.0
        return LogRankResult(group, np.nan, len(present) - 1, np.nan, table, empty, ("no_events",))
    chi2, df, observed, expected = _logrank_stat(counts.events, counts.at_risk)
    table["observed"], table["expected"] = observed, expected
    pairs = []
    if len(present) > 2:
        for a_pos, a in enumerate(present):
            for b in present[a_pos + 1 :]:
                cols = [a, b]
                pc, pdf, _, _ = _logrank_stat(counts.events[:, cols], counts.at_risk[:, cols])
                pairs.append((g.labels[a], g.labels[b], pc, float(stats.chi2.sf(pc, pdf))))
    pairwise = pd.DataFrame(pairs, columns=["group_a", "group_b", "chi2", "p"]) if pairs else empty
    if pairs:
        pairwise["p_holm"] = holm(pairwise["p"].to_numpy())
    return LogRankResult(group, chi2, df, float(stats.chi2.sf(chi2, df)), table, pairwise)


# --------------------------------------------------------------------------- concordance
def concordance(time: np.ndarray, event: np.ndarray, score: np.ndarray) -> float:
    """Harrell's C: share of comparable pairs whose ``score`` orders them like their lifetimes.

    Same definition as ``lifelines.utils.concordance_index`` (higher ``score`` = longer
    life; a pair is comparable when the shorter lifetime ended in churn, lifetimes tied
    between two churned customers are not comparable, a customer censored at the time
    of a churn is; tied scores count one half), computed in O(n log² n) with numpy
    (merge-sort counting) instead of lifelines' Python tree, which takes seconds at 100k.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    _, rank = np.unique(np.asarray(score, dtype=float), return_inverse=True)
    rank = rank.astype(np.int64)
    n = len(time)
    if n < 2 or not event.any():
        return np.nan
    # sequence: by time; at a tie, churned before censored (a censored customer is compared
    # with churn at its own time) and churned by descending score (so same-time churn, which
    # is not comparable, is never counted as "less"; equal scores are corrected below)
    order = np.lexsort((-rank, ~event, time))
    r, e = rank[order], event[order]
    m = int(rank.max()) + 2
    less = np.zeros(n, dtype=np.int64)
    equal = np.zeros(n, dtype=np.int64)
    position = np.arange(n)
    level = 0
    while (1 << level) < n:
        pair = position >> (level + 1)
        left = ((position >> level) & 1) == 0
        keys = np.sort(pair[left & e] * m + r[left & e])
        right = ~left
        base = pair[right] * m
        lo = np.searchsorted(keys, base + r[right], side="left")
        hi = np.searchsorted(keys, base + r[right], side="right")
        less[right] += lo - np.searchsorted(keys, base, side="left")
        equal[right] += hi - lo
        level += 1
    death_times = np.sort(time[event])
    # comparable pool of each customer: churned strictly earlier (churned) or at/before (censored)
    pool = np.where(e, np.searchsorted(death_times, time[order], side="left"),
                    np.searchsorted(death_times, time[order], side="right"))
    # equal scores among churn at the same time were counted as ties: remove them
    churned = pd.DataFrame({"t": time[event], "r": rank[event]})
    same = churned.groupby(["t", "r"]).size().to_numpy()
    tied = int(equal.sum()) - int((same * (same - 1) // 2).sum())
    pairs = int(pool.sum())
    return float((less.sum() + 0.5 * tied) / pairs) if pairs else np.nan


# --------------------------------------------------------------------------- Cox
def _design(
    frame: pd.DataFrame, covariates: Sequence[str], max_levels: int
) -> tuple[pd.DataFrame, list[dict[str, Any]], list[tuple[str, str]]]:
    """Model matrix: numeric columns as they are, categoricals one-hot against the largest level."""
    event = frame["event"].to_numpy(dtype=bool)
    columns: dict[str, np.ndarray] = {}
    terms: list[dict[str, Any]] = []
    dropped: list[tuple[str, str]] = []

    def separating(x: np.ndarray) -> bool:
        # a binary term with no events on one side has an infinite maximum-likelihood HR
        on = x != 0
        return not event[on].any() or not event[~on].any()

    for column in covariates:
        if column not in frame:
            raise DataError("survival_unknown_column", f"no column {column!r}", column=column)
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            x = series.to_numpy(dtype=float)
            if np.nanstd(x) == 0:
                dropped.append((column, "constant"))
                continue
            if np.unique(x).size == 2 and separating(x != x.min()):
                dropped.append((column, "separating"))
                continue
            name = f"x{len(terms)}"
            columns[name] = x
            terms.append({"term": name, "column": column, "level": "", "reference": ""})
            continue
        text = series.astype("string").fillna(MISSING)
        counts = text.value_counts()
        if len(counts) < 2:
            dropped.append((column, "constant"))
            continue
        if len(counts) > max_levels:
            dropped.append((column, "too_many_levels"))
            continue
        reference = str(counts.index[0])
        values = text.to_numpy()
        column_terms = []
        for level in counts.index[1:]:
            x = (values == level).astype(float)
            if separating(x):
                dropped.append((column, "separating"))
                column_terms = []
                break
            column_terms.append((f"x{len(terms) + len(column_terms)}", str(level), x))
        for name, level, x in column_terms:
            columns[name] = x
            terms.append({"term": name, "column": column, "level": level, "reference": reference})
    design = pd.DataFrame(columns, index=frame.index)
    design["duration_days"] = frame["duration_days"].to_numpy(dtype=float)
    design["event"] = event.astype(int)
    return design, terms, dropped


def cox(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    *,
    max_levels: int = 12,
    alpha: float = 0.05,
    max_rows: int = COX_MAX_ROWS,
) -> CoxResult:
    """Cox proportional-hazards model of churn on ``covariates`` (lifelines, Efron ties).

    Categorical covariates are one-hot encoded against their most frequent level
    (named in the result); a blank text value is its own level, customers with a blank
    number are left out (note ``cox_rows_with_blanks_dropped``). Constant covariates
    and binary terms with no churn on one side (which would give an infinite hazard ratio) are dropped and listed in
    ``dropped``. With more than ``max_rows`` customers the model is fitted on a
    random sample of ``max_rows`` (fixed seed; ``sampled_from`` says so).

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`durations`.
    covariates : sequence of str
        Columns to model.
    max_levels : int
        Categorical columns with more levels are dropped (``too_many_levels``).
    alpha : float
        1 − confidence level of the hazard-ratio intervals.
    max_rows : int
        Largest sample fitted.

    Raises
    ------
    DataError
        ``survival_no_events`` without churn, ``survival_no_covariates`` when no usable
        covariate is left, ``survival_cox_failed`` when the fit does not converge.
    """
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError, ConvergenceWarning
    from lifelines.statistics import proportional_hazard_test

    if not covariates:
        raise DataError("survival_no_covariates", "choose at least one covariate")
    _, e = _validate_frame(frame)
    if not e.any():
        raise DataError("survival_no_events", "no customer has churned yet")
    sampled_from = None
    if len(frame) > max_rows:
        sampled_from = len(frame)
        frame = frame.sample(n=max_rows, random_state=np.random.RandomState(COX_SEED))
    covariates = list(dict.fromkeys(covariates))
    notes: list[str] = []
    numeric = [c for c in covariates if c in frame and pd.api.types.is_numeric_dtype(frame[c])]
    blank = frame[numeric].isna().any(axis=1) if numeric else pd.Series(False, index=frame.index)
    if blank.any():  # complete cases: a blank number is not imputed
        frame = frame.loc[~blank]
        notes.append("cox_rows_with_blanks_dropped")
        if not frame["event"].any():
            raise DataError("survival_no_events", "no churn among customers without blanks")
    design, terms, dropped = _design(frame, covariates, max_levels)
    if not terms:
        raise DataError(
            "survival_no_covariates",
            "no usable covariate left",
            dropped=", ".join(f"{c} ({r})" for c, r in dropped),
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cph = CoxPHFitter(alpha=alpha).fit(design, "duration_days", "event")
        except ConvergenceError as exc:
            raise DataError("survival_cox_failed", str(exc).splitlines()[0]) from exc
        ph_design = design
        if len(design) > PH_MAX_ROWS:  # lifelines' Schoenfeld residuals are quadratic in n
            ph_design = design.sample(n=PH_MAX_ROWS, random_state=np.random.RandomState(COX_SEED))
            ph_fit = CoxPHFitter(alpha=alpha).fit(ph_design, "duration_days", "event")
            notes.append("ph_check_sampled")
        else:
            ph_fit = cph
        ph = proportional_hazard_test(ph_fit, ph_design, time_transform="rank")
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        notes.append("cox_convergence_warning")
    summary = cph.summary
    lo_col, hi_col = f"exp(coef) lower {1 - alpha:.0%}", f"exp(coef) upper {1 - alpha:.0%}"
    info = pd.DataFrame(terms).set_index("term")
    table = pd.DataFrame(
        {
            "column": info["column"],
            "level": info["level"],
            "reference": info["reference"],
            "coef": summary["coef"],
            "se": summary["se(coef)"],
            "hr": summary["exp(coef)"],
            "hr_lower": summary[lo_col] if lo_col in summary else np.exp(summary["coef lower 95%"]),
            "hr_upper": summary[hi_col] if hi_col in summary else np.exp(summary["coef upper 95%"]),
            "p": summary["p"],
        }
    )
    table.index.name = "term"
    ph_table = pd.DataFrame({"chi2": ph.summary["test_statistic"], "p": ph.summary["p"]})
    ph_table.index.name = "term"
    failing = ph_table.index[ph_table["p"] < 0.05]
    violations = tuple(dict.fromkeys(info.loc[failing, "column"]))
    lr = cph.log_likelihood_ratio_test()
    return CoxResult(
        table=table.reset_index(),
        concordance=concordance(
            design["duration_days"].to_numpy(), design["event"].to_numpy(dtype=bool),
            -(design[cph.params_.index].to_numpy() @ cph.params_.to_numpy()),
        ),
        lr_chi2=float(lr.test_statistic),
        lr_df=int(lr.degrees_freedom),
        lr_p=float(lr.p_value),
        ph_test=ph_table.reset_index(),
        ph_violations=violations,
        dropped=tuple(dropped),
        n=len(design),
        events=int(design["event"].sum()),
        sampled_from=sampled_from,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- RMST and LTV
def _area(times: np.ndarray, s: np.ndarray, horizon: float, rate: float = 0.0) -> np.ndarray:
    """∫ S(u) e^{-rate u} du from each step start to ``horizon`` (array, one per step + start).

    Element 0 is the area from 0; element ``k`` the area from ``times[k-1]``.
    """
    inside = times < horizon
    edges = np.concatenate([[0.0], times[inside], [horizon]])
    values = np.concatenate([[1.0], s[inside]])
    if rate > 0:
        pieces = values * (np.exp(-rate * edges[:-1]) - np.exp(-rate * edges[1:])) / rate
    else:
        pieces = values * np.diff(edges)
    tail = np.cumsum(pieces[::-1])[::-1]
    return tail


def rmst(
    frame: pd.DataFrame,
    group: str | None = None,
    *,
    horizon_months: float = 24,
    revenue: str | None = "mrr",
    annual_discount: float = 0.10,
    max_groups: int = DEFAULT_MAX_GROUPS,
    alpha: float = 0.05,
) -> RMSTResult:
    """Restricted mean survival time to ``horizon_months``, differences and LTV per group.

    RMST is the area under the Kaplan–Meier curve up to the horizon: the expected
    months a customer stays within that window. Its standard error is the usual
    Greenwood-type estimator (Klein & Moeschberger 2003, §4.5; R ``survRM2``):
    ``Var = Σ_{t_j ≤ τ} A_j² d_j / (n_j (n_j − d_j))`` with ``A_j`` the area from
    ``t_j`` to ``τ``. Differences are against the largest group (independent groups).

    LTV assumes each customer pays the group's mean current monthly revenue for as
    long as they stay, counted only up to the horizon (no expansion, no churn after
    it); the discounted variant discounts continuously at ``annual_discount`` a year.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`durations`.
    group : str, optional
        Segment column.
    horizon_months : float
        Upper limit τ of the integral.
    revenue : str or None
        Monthly revenue column (``mrr``); ``None`` or absent: no LTV.
    annual_discount : float
        Discount rate per year for the discounted LTV.
    max_groups : int
    alpha : float
    """
    if horizon_months <= 0:
        raise ValueError("horizon_months must be positive")
    if annual_discount < 0:
        raise ValueError("annual_discount must be non-negative")
    t, e = _validate_frame(frame)
    g = _groups(frame, group, max_groups)
    counts = _counts(t, e, g.codes, len(g.labels))
    horizon = horizon_months * DAYS_PER_MONTH
    rate = np.log1p(annual_discount) / 365.25
    z = stats.norm.ppf(1 - alpha / 2)
    has_revenue = revenue is not None and revenue in frame
    rev = frame[revenue].to_numpy(dtype=float) if has_revenue else None
    rows = []
    notes: list[str] = []
    for j, label in enumerate(g.labels):
        sel = counts.removed[:, j] > 0
        times, d, r = counts.times[sel], counts.events[sel, j], counts.at_risk[sel, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.cumprod(1.0 - d / r)
        area = _area(times, s, horizon)
        inside = times[times < horizon]
        a_j = area[1 : len(inside) + 1]  # area from each event time within the window
        dj, rj = d[: len(inside)], r[: len(inside)]
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(dj > 0, a_j**2 * dj / (rj * (rj - dj)), 0.0)
        var = float(np.nansum(np.where(np.isinf(terms), 0.0, terms)))
        follow = times.max() if times.size else 0.0
        if follow < horizon and s.size and s[-1] > 0 and "horizon_beyond_follow_up" not in notes:
            notes.append("horizon_beyond_follow_up")
        known = rev[(g.codes == j) & ~np.isnan(rev)] if rev is not None else np.empty(0)
        mean_rev = float(known.mean()) if known.size else np.nan  # all blank: NaN, without a warning
        rows.append(
            {
                "group": label,
                "n": int(counts.n[j]),
                "rmst_days": float(area[0]),
                "se_days": np.sqrt(var),
                "revenue_per_month": mean_rev,
                "discounted_days": float(_area(times, s, horizon, rate)[0]),
            }
        )
    table = pd.DataFrame(rows).set_index("group")
    table["rmst_lower"] = table["rmst_days"] - z * table["se_days"]
    table["rmst_upper"] = table["rmst_days"] + z * table["se_days"]
    reference = str(table["n"].idxmax())
    ref = table.loc[reference]
    table["diff_days"] = table["rmst_days"] - ref["rmst_days"]
    diff_se = np.sqrt(table["se_days"] ** 2 + ref["se_days"] ** 2)
    table["diff_lower"] = table["diff_days"] - z * diff_se
    table["diff_upper"] = table["diff_days"] + z * diff_se
    with np.errstate(divide="ignore", invalid="ignore"):
        table["diff_p"] = 2 * stats.norm.sf(np.abs(table["diff_days"] / diff_se))
    table.loc[reference, ["diff_lower", "diff_upper", "diff_p"]] = np.nan
    # up to max_groups − 1 comparisons with the reference: Holm-adjust them, as the pairwise log-rank tests
    tested = table["diff_p"].notna()
    table["diff_p_holm"] = np.nan
    table.loc[tested, "diff_p_holm"] = holm(table.loc[tested, "diff_p"].to_numpy())
    per_day = table["revenue_per_month"] / DAYS_PER_MONTH
    table["ltv"] = per_day * table["rmst_days"]
    table["ltv_lower"] = per_day * table["rmst_lower"]
    table["ltv_upper"] = per_day * table["rmst_upper"]
    table["ltv_discounted"] = per_day * table["discounted_days"]
    table = table.drop(columns="discounted_days")
    order = [
        "n", "rmst_days", "se_days", "rmst_lower", "rmst_upper", "diff_days", "diff_lower",
        "diff_upper", "diff_p", "diff_p_holm", "revenue_per_month", "ltv", "ltv_lower", "ltv_upper", "ltv_discounted",
    ]
    if not has_revenue:
        notes.append("no_revenue")
    return RMSTResult(horizon, reference, table[order], annual_discount, alpha, tuple(notes))


# --------------------------------------------------------------------------- life table
def life_table(
    frame: pd.DataFrame,
    group: str | None = None,
    *,
    months: int | None = None,
    max_groups: int = DEFAULT_MAX_GROUPS,
) -> LifeTableResult:
    """Monthly churn hazard: share of customers at the start of each month who leave in it.

    Uses the actuarial adjustment (customers censored during a month count as at risk
    for half of it): ``hazard = events / (at_risk − censored / 2)``.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`durations`.
    group : str, optional
        Segment column.
    months : int, optional
        Number of months (default: the longest follow-up).
    max_groups : int
    """
    t, e = _validate_frame(frame)
    g = _groups(frame, group, max_groups)
    month = np.floor(t / DAYS_PER_MONTH).astype(np.intp)
    size = int(month.max()) + 1 if months is None else int(months)
    if size < 1:
        raise ValueError("months must be at least 1")
    n_groups = len(g.labels)
    inside = month < size
    flat = month[inside] * n_groups + g.codes[inside]
    removed = np.bincount(flat, minlength=size * n_groups).reshape(size, n_groups)
    events = np.bincount(flat[e[inside]], minlength=size * n_groups).reshape(size, n_groups)
    n = np.bincount(g.codes, minlength=n_groups)
    at_risk = n - np.vstack([np.zeros((1, n_groups), dtype=int), np.cumsum(removed, axis=0)[:-1]])
    censored = removed - events
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, events / (at_risk - censored / 2), np.nan)
    table = pd.DataFrame(
        {
            "group": np.tile(np.asarray(g.labels, dtype=object), size),
            "month": np.repeat(np.arange(size), n_groups),
            "at_risk": at_risk.ravel(),
            "events": events.ravel(),
            "censored": censored.ravel(),
            "hazard": hazard.ravel(),
        }
    )
    table = table.sort_values(["group", "month"], key=_label_order(g.labels), kind="stable")
    return LifeTableResult(table.reset_index(drop=True))


def _label_order(labels: tuple[str, ...]) -> Any:
    rank = {label: i for i, label in enumerate(labels)}

    def key(series: pd.Series) -> pd.Series:
        return series.map(rank) if series.name == "group" else series

    return key


# --------------------------------------------------------------------------- one view
@dataclass(frozen=True)
class SurvivalAnalysis:
    """Everything the churn page shows for one segment and horizon (except the Cox model).

    Attributes
    ----------
    overall : KMResult
        Kaplan–Meier of all customers.
    km : KMResult
        Per level of the segment (``overall`` without a segment).
    logrank : LogRankResult or None
        ``None`` without a segment.
    rmst : RMSTResult
    life : LifeTableResult
    """

    overall: KMResult
    km: KMResult
    logrank: LogRankResult | None
    rmst: RMSTResult
    life: LifeTableResult


def analyse(
    customers: pd.DataFrame,
    as_of: date | pd.Timestamp,
    segment: str | None = None,
    *,
    horizon_months: int = 24,
    annual_discount: float = 0.10,
    max_groups: int = DEFAULT_MAX_GROUPS,
) -> SurvivalAnalysis:
    """Durations, Kaplan–Meier (overall and per segment), log-rank, RMST/LTV and the life table.

    Parameters
    ----------
    customers : DataFrame
        Canonical customers.
    as_of : date
    segment : str, optional
        Segment column to compare.
    horizon_months : int
        RMST/LTV horizon, also the length of the life table.
    annual_discount : float
        Discount rate of the discounted LTV.
    max_groups : int
    """
    frame = durations(customers, as_of)
    if segment is not None and segment in frame:
        # factorise the segment once, not in each of the four analyses below
        frame[segment] = frame[segment].astype("category")
    overall = kaplan_meier(frame)
    by_group = kaplan_meier(frame, segment, max_groups=max_groups) if segment else overall
    return SurvivalAnalysis(
        overall=overall,
        km=by_group,
        logrank=logrank(frame, segment, max_groups=max_groups) if segment else None,
        rmst=rmst(frame, segment, horizon_months=horizon_months, annual_discount=annual_discount,
                  max_groups=max_groups),
        life=life_table(frame, segment, months=horizon_months, max_groups=max_groups),
    )


# --------------------------------------------------------------------------- report
def _num(value: Any) -> float | None:
    """A JSON-safe number (NaN/inf -> None)."""
    value = float(value)
    return value if np.isfinite(value) else None


def report_section(
    datasets: Datasets,
    *,
    as_of: date,
    segment: str | Sequence[str] | None = None,
    covariates: Sequence[str] | None = None,
    horizon_months: float = 24,
    **_options: Any,
) -> dict[str, Any] | None:
    """The ``"survival"`` section of the report (``None`` without customers).

    Parameters
    ----------
    datasets : Datasets
    as_of : date
    segment : str or list of str, optional
        Group columns (default: every text column with 2–12 levels).
    covariates : list of str, optional
        Cox columns (default: numeric columns other than ids, dates and revenue).
    horizon_months : float
        RMST horizon.
    **_options
        Options meant for other sections (ignored).
    """
    customers = datasets.customers
    if customers is None:
        return None
    frame = durations(customers, as_of)
    if isinstance(segment, str):
        segments = [segment]
    else:
        segments = list(segment) if segment is not None else segment_columns(frame)
    overall = kaplan_meier(frame)
    row = overall.summary.loc[ALL]
    out: dict[str, Any] = {
        "n": int(row["n"]),
        "events": int(row["events"]),
        "median_days": _num(row["median_days"]),
        "median_ci": [_num(row["median_lower"]), _num(row["median_upper"])],
        "groups": {},
        "logrank": {},
        "cox": None,
        "rmst": {},
        "notes": list(overall.notes),
    }
    for column in segments:
        km = kaplan_meier(frame, column)
        out["groups"][column] = {
            str(level): {
                "n": int(r["n"]),
                "events": int(r["events"]),
                "median_days": _num(r["median_days"]),
            }
            for level, r in km.summary.iterrows()
        }
        lr = logrank(frame, column)
        out["logrank"][column] = {
            "chi2": _num(lr.chi2), "p": _num(lr.p), "df": lr.df, "notes": list(lr.notes),
        }
        rm = rmst(frame, column, horizon_months=horizon_months)
        out["rmst"][column] = {
            "horizon_days": rm.horizon_days,
            "reference": rm.reference,
            "groups": {
                str(level): {
                    "rmst_days": _num(r["rmst_days"]),
                    "ci": [_num(r["rmst_lower"]), _num(r["rmst_upper"])],
                    "diff_days": _num(r["diff_days"]),
                    "ltv": _num(r["ltv"]),
                    "ltv_discounted": _num(r["ltv_discounted"]),
                }
                for level, r in rm.table.iterrows()
            },
        }
    cov = list(covariates) if covariates is not None else covariate_columns(frame)
    if cov:
        try:
            fit = cox(frame, cov)
        except DataError as exc:
            out["cox"] = {"error": exc.to_dict()}
        else:
            names = [_term_name(r) for r in fit.table.itertuples()]
            out["cox"] = {
                "coef": {k: _num(v) for k, v in zip(names, fit.table["coef"], strict=True)},
                "hr": {k: _num(v) for k, v in zip(names, fit.table["hr"], strict=True)},
                "hr_ci": {
                    k: [_num(lo), _num(hi)]
                    for k, lo, hi in zip(names, fit.table["hr_lower"], fit.table["hr_upper"], strict=True)
                },
                "p": {k: _num(v) for k, v in zip(names, fit.table["p"], strict=True)},
                "concordance": _num(fit.concordance),
                "lr_test": {"chi2": _num(fit.lr_chi2), "df": fit.lr_df, "p": _num(fit.lr_p)},
                "ph_violations": list(fit.ph_violations),
                "dropped": [list(d) for d in fit.dropped],
                "n": fit.n,
                "sampled_from": fit.sampled_from,
            }
    return out


def _term_name(row: Any) -> str:
    """``column`` for numeric terms, ``column=level`` for one-hot terms."""
    return f"{row.column}={row.level}" if row.level else str(row.column)
