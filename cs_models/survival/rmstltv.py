"""Restricted mean survival time per segment, differences and lifetime value (LTV)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.results import Result
from cs_models.stats import ALPHA, holm
from cs_models.survival.frames import (
    ANNUAL_DISCOUNT,
    DAYS_PER_MONTH,
    DEFAULT_MAX_GROUPS,
    _counts,
    _groups,
    _validate_frame,
)


@dataclass(frozen=True)
class RMSTResult(Result):
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
    annual_discount: float = ANNUAL_DISCOUNT,
    max_groups: int = DEFAULT_MAX_GROUPS,
    alpha: float = ALPHA,
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

    Returns
    -------
    RMSTResult
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
        row, beyond = _group_rmst(times, d, r, horizon, rate)
        if beyond and "horizon_beyond_follow_up" not in notes:
            notes.append("horizon_beyond_follow_up")
        known = rev[(g.codes == j) & ~np.isnan(rev)] if rev is not None else np.empty(0)
        mean_rev = float(known.mean()) if known.size else np.nan  # all blank: NaN, without a warning
        rows.append({"group": label, "n": int(counts.n[j]), **row, "revenue_per_month": mean_rev})
    table = pd.DataFrame(rows).set_index("group")
    table["rmst_lower"] = table["rmst_days"] - z * table["se_days"]
    table["rmst_upper"] = table["rmst_days"] + z * table["se_days"]
    reference = str(table["n"].idxmax())
    table = _differences(table, reference, z)
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
    return RMSTResult(horizon, reference, table[order], annual_discount, alpha=alpha, notes=tuple(notes))


def _group_rmst(
    times: np.ndarray, d: np.ndarray, r: np.ndarray, horizon: float, rate: float
) -> tuple[dict[str, float], bool]:
    """RMST, its standard error and the discounted area of one group; whether follow-up ends early."""
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
    beyond = bool(follow < horizon and s.size and s[-1] > 0)
    row = {"rmst_days": float(area[0]), "se_days": float(np.sqrt(var)),
           "discounted_days": float(_area(times, s, horizon, rate)[0])}
    return row, beyond


def _differences(table: pd.DataFrame, reference: str, z: float) -> pd.DataFrame:
    """Differences in RMST against ``reference`` with CIs, p-values and Holm-adjusted p-values."""
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
    return table
