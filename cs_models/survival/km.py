"""Kaplan–Meier curves (log-log CIs, medians, survival at fixed months, at-risk table) and the life table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.results import Result
from cs_models.stats import ALPHA
from cs_models.survival.frames import (
    DAYS_PER_MONTH,
    DEFAULT_MAX_GROUPS,
    MIN_CUSTOMERS,
    SURVIVAL_MONTHS,
    _counts,
    _groups,
    _validate_frame,
)


@dataclass(frozen=True)
class KMResult(Result):
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



@dataclass(frozen=True)
class LifeTableResult(Result):
    """Monthly churn hazard (actuarial life table).

    Attributes
    ----------
    table : DataFrame
        ``group, month, at_risk, events, censored, hazard`` where month ``m`` covers
        lifetimes in [m, m + 1) months and ``hazard = events / (at_risk − censored / 2)``.
    notes : tuple of str
    """

    table: pd.DataFrame



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
    alpha: float = ALPHA,
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
        ticks = np.arange(0, np.floor(span / step) * step + step / 2, step, dtype=float)
    else:
        ticks = np.asarray(ticks_months, dtype=float)
    curve_parts, summary_rows, at_rows, risk_rows = [], [], [], []
    notes: list[str] = []
    for j, label in enumerate(g.labels):
        rows = counts.removed[:, j] > 0
        kg = _KMGroup(label, counts.times[rows], counts.events[rows, j], counts.removed[rows, j],
                         counts.at_risk[rows, j], int(counts.n[j]))
        s, lo, hi = _km_arrays(kg.d, kg.r, alpha)
        curve_parts.append(_curve(kg, s, lo, hi))
        summary_rows.append(_summary_row(kg, s, lo, hi))
        at_rows.append(_at_months(kg, s, lo, hi, months))
        risk_rows.append(_risk_table(kg, ticks))
        if 0 < kg.n < MIN_CUSTOMERS and "small_group" not in notes:
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


@dataclass(frozen=True)
class _KMGroup:
    """One group's distinct times with events ``d``, removals ``rem`` and at-risk ``r``."""

    label: str
    times: np.ndarray
    d: np.ndarray
    rem: np.ndarray
    r: np.ndarray
    n: int


def _curve(g: _KMGroup, s: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"group": g.label, "time_days": g.times, "at_risk": g.r, "events": g.d,
                         "censored": g.rem - g.d, "survival": s, "lower": lo, "upper": hi})


def _summary_row(g: _KMGroup, s: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> dict[str, Any]:
    events = int(g.d.sum())
    return {"group": g.label, "n": g.n, "events": events, "censored": g.n - events,
            "median_days": _first_time_below(g.times, s), "median_lower": _first_time_below(g.times, lo),
            "median_upper": _first_time_below(g.times, hi)}


def _at_months(g: _KMGroup, s: np.ndarray, lo: np.ndarray, hi: np.ndarray, months: np.ndarray) -> pd.DataFrame:
    """Survival with CI and number at risk at ``months`` (NaN beyond the last observed time)."""
    at_days = months * DAYS_PER_MONTH
    observed = at_days <= (g.times.max() if g.times.size else 0.0)
    return pd.DataFrame({
        "group": g.label,
        "months": months,
        "survival": np.where(observed, _step_at(g.times, s, at_days), np.nan),
        "lower": np.where(observed, _step_at(g.times, lo, at_days), np.nan),
        "upper": np.where(observed, _step_at(g.times, hi, at_days), np.nan),
        "at_risk": _at_risk_at(g.times, g.r, g.rem, at_days),
    })


def _risk_table(g: _KMGroup, ticks: np.ndarray) -> pd.DataFrame:
    """KMunicate rows: at risk at each tick, events and censored before it."""
    before = np.searchsorted(g.times, ticks * DAYS_PER_MONTH, side="left")  # times strictly before each tick
    cum_events = np.concatenate([[0], np.cumsum(g.d)])[before]
    cum_removed = np.concatenate([[0], np.cumsum(g.rem)])[before]
    return pd.DataFrame({"group": g.label, "months": ticks, "at_risk": g.n - cum_removed,
                         "events": cum_events, "censored": cum_removed - cum_events})


def _at_risk_at(times: np.ndarray, at_risk: np.ndarray, removed: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Number with lifetime ≥ each of ``at``."""
    if times.size == 0:
        return np.zeros(len(at), dtype=int)
    tail = np.concatenate([at_risk, [at_risk[-1] - removed[-1]]])
    return tail[np.searchsorted(times, at, side="left")]



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

    Returns
    -------
    LifeTableResult
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
