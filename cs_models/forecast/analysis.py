"""Retention forecast per segment: sBG fits, projected retention with a band, DERL and LTV,
side by side with the Kaplan–Meier restricted mean lifetime (which stops at the data)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cs_models.errors import DataError
from cs_models.forecast.periods import Periods, check_period, contract_periods, counts, observed_retention
from cs_models.forecast.sbg import SBGFit, derl, derl_by_renewals, draws, fit_sbg, survival, survival_band
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha
from cs_models.survival import ALL, DAYS_PER_MONTH, DEFAULT_MAX_GROUPS, durations, rmst
from cs_models.survival.frames import _groups

#: Periods drawn (observed and projected) by default.
HORIZON: dict[str, int] = {"month": 60, "year": 10}
#: Fewest customers and complete periods a group needs for a fit.
MIN_GROUP_CUSTOMERS = 10
MIN_PERIODS = 2
#: Fewer complete periods than this in the window: the projection rests on little evidence (a note).
FEW_PERIODS = 4
#: Defaults of the valuation: gross margin share of revenue and annual discount rate.
MARGIN = 1.0
ANNUAL_DISCOUNT = 0.10


@dataclass(frozen=True)
class ForecastResult(Result):
    """Retention forecast and customer-base value per group.

    Attributes
    ----------
    period : {"month", "year"}
    period_months : int
    segment : str or None
        The segment column (``None``: all customers only).
    observed_periods : int
        Complete periods of the oldest cohort (the observed window).
    horizon : int
        Last period of the projected curves.
    margin, annual_discount, period_discount : float
        Gross margin share, the annual rate and the rate per period it gives.
    table : DataFrame
        One row per group (``__all__`` first): ``n, active, churned, periods, status`` (``ok``,
        ``too_few``, ``too_short``, ``no_churn``), ``alpha, alpha_lower, alpha_upper, beta,
        beta_lower, beta_upper, at_bound, revenue_per_period`` (mean of the group), ``derl``
        (mean over active customers, periods) ``derl_lower, derl_upper, ltv`` (mean per active
        customer) ``ltv_total, ltv_total_lower, ltv_total_upper`` (the active base's value),
        ``new_lifetime`` (discounted periods a new customer pays), ``new_ltv``,
        ``window_lifetime`` (sBG expected periods within the observed window, undiscounted),
        ``km_lifetime`` (Kaplan–Meier RMST over the same window, periods), ``km_ltv`` (its
        discounted LTV × margin), ``share_beyond`` (share of a new customer's discounted value
        after the observed window).
    curves : DataFrame
        ``group, t, observed, at_risk, fitted, lower, upper, projected`` (``t`` beyond the window).
    customers : DataFrame
        Active customers: ``customer_id, group, renewals, revenue_per_period, derl, ltv``.
    fits : mapping
        Group -> :class:`SBGFit`.
    alpha : float
    notes : tuple of str
        ``fit_at_bound``, ``few_periods`` (fewer than :data:`FEW_PERIODS` complete periods),
        ``no_revenue``.
    """

    period: str
    period_months: int
    segment: str | None
    observed_periods: int
    horizon: int
    margin: float
    annual_discount: float
    period_discount: float
    table: pd.DataFrame
    curves: pd.DataFrame
    customers: pd.DataFrame
    fits: Mapping[str, SBGFit]


def _check(margin: float, annual_discount: float, alpha: float) -> None:
    check_alpha(alpha)
    if not 0 < margin <= 1:
        raise DataError("forecast_bad_margin", f"margin must be in (0, 1]: {margin!r}", option="margin", value=margin)
    if not 0 < annual_discount <= 1:
        raise DataError("forecast_bad_discount", f"discount must be in (0, 1]: {annual_discount!r}",
                        option="annual_discount", value=annual_discount)


def forecast(
    customers: pd.DataFrame,
    as_of: date | pd.Timestamp,
    segment: str | None = None,
    *,
    period: str = "month",
    margin: float = MARGIN,
    annual_discount: float = ANNUAL_DISCOUNT,
    horizon: int | None = None,
    max_groups: int = DEFAULT_MAX_GROUPS,
    alpha: float = ALPHA,
) -> ForecastResult:
    """Fit the sBG model to all customers and to each level of ``segment``, and value the active base.

    Parameters
    ----------
    customers : DataFrame
        Canonical customers (``start_date``, ``end_date``, optional ``mrr`` and segments).
    as_of : date
        Only periods wholly elapsed by this date count.
    segment : str, optional
        Segment column (its largest ``max_groups − 1`` levels, the rest pooled).
    period : {"month", "year"}
        Contract period: renewals happen monthly or yearly.
    margin : float
        Gross margin share of revenue in (0, 1]; 1 values revenue.
    annual_discount : float
        Discount rate per year in (0, 1].
    horizon : int, optional
        Last period of the projected curves (default :data:`HORIZON`, at least the window + 12).
    max_groups : int
        Most groups of the segment.
    alpha : float
        ``1 −`` confidence level of the intervals and bands.

    Returns
    -------
    ForecastResult

    Raises
    ------
    DataError
        Bad options, or the errors of :func:`cs_models.survival.durations` (too few customers, …).
    """
    length = check_period(period)
    _check(margin, annual_discount, alpha)
    cutoff = pd.Timestamp(as_of)
    frame = durations(customers, cutoff)
    periods = contract_periods(frame, cutoff, period)
    window = int(periods.elapsed.max())
    horizon = max(horizon or HORIZON[period], window + (12 if period == "month" else 3))
    d = (1 + annual_discount) ** (length / 12) - 1
    revenue = (frame["mrr"].to_numpy(dtype=float) * length if "mrr" in frame
               else np.full(len(frame), np.nan))
    groups = [(ALL, np.ones(len(frame), dtype=bool))]
    if segment is not None:
        g = _groups(frame, segment, max_groups)
        groups += [(label, g.codes == j) for j, label in enumerate(g.labels)]
    rows, curves, fits, valued = [], [], {}, []
    for label, sel in groups:
        row, curve, fit, active = _group(label, sel, frame, periods, revenue, window, horizon, d, margin, alpha)
        rows.append(row)
        curves.append(curve)
        valued.append(active)
        if fit is not None:
            fits[label] = fit
    table = _with_km(pd.DataFrame(rows).set_index("group"), frame, segment, window * length, annual_discount,
                     margin, length, max_groups)
    notes = tuple(dict.fromkeys(n for f in fits.values() for n in f.notes))
    if window < FEW_PERIODS:
        notes += ("few_periods",)
    if np.isnan(revenue).all():  # no revenue column, or a blank one
        notes += ("no_revenue",)
    customers_out = pd.concat(valued[1:] if segment is not None else valued[:1], ignore_index=True)
    return ForecastResult(period, length, segment, window, horizon, margin, annual_discount, d, table,
                          pd.concat(curves, ignore_index=True), customers_out, fits, alpha=alpha, notes=notes)


def _status(n: int, churned: np.ndarray) -> str:
    if n < MIN_GROUP_CUSTOMERS:
        return "too_few"
    if churned.size < MIN_PERIODS:
        return "too_short"
    return "ok" if churned.sum() > 0 else "no_churn"


def _group(label: str, sel: np.ndarray, frame: pd.DataFrame, periods: Periods, revenue: np.ndarray, window: int,
           horizon: int, d: float, margin: float, alpha: float
           ) -> tuple[dict[str, object], pd.DataFrame, SBGFit | None, pd.DataFrame]:
    """One group's fit, curve, table row and active customers."""
    churned, censored = counts(periods, sel)
    observed, at_risk = observed_retention(churned, censored)
    status = _status(int(sel.sum()), churned)
    fit = fit_sbg(churned, censored, alpha=alpha) if status == "ok" else None
    t = np.arange(horizon + 1)
    obs = np.full(t.size, np.nan)
    risk = np.zeros(t.size)
    obs[: observed.size], risk[: at_risk.size] = observed[: t.size], at_risk[: t.size]
    fitted = survival(fit.alpha_hat, fit.beta_hat, horizon) if fit else np.full(t.size, np.nan)
    lower, upper = survival_band(fit, horizon) if fit else (np.full(t.size, np.nan),) * 2
    curve = pd.DataFrame({"group": label, "t": t, "observed": obs, "at_risk": risk, "fitted": fitted,
                          "lower": lower, "upper": upper, "projected": t > churned.size})
    active = sel & periods.active
    renewals = periods.elapsed[active]
    rev = revenue[active]
    value = derl(fit.alpha_hat, fit.beta_hat, renewals, d) if fit else np.full(renewals.size, np.nan)
    customers = pd.DataFrame({"customer_id": frame["customer_id"].to_numpy()[active] if "customer_id" in frame
                              else np.flatnonzero(active), "group": label, "renewals": renewals,
                              "revenue_per_period": rev, "derl": value, "ltv": margin * rev * value})
    row: dict[str, object] = {"group": label, "n": int(sel.sum()), "active": int(active.sum()),
                              "churned": int(churned.sum()), "periods": int(churned.size), "status": status}
    row |= _fit_columns(fit, renewals, rev, revenue[sel], window, d, margin)
    return row, curve, fit, customers


def _fit_columns(fit: SBGFit | None, renewals: np.ndarray, rev: np.ndarray, group_revenue: np.ndarray, window: int,
                 d: float, margin: float) -> dict[str, object]:
    """Parameters, DERL and LTV (with intervals from the parameter draws) of one group's fit."""
    keys = ("alpha", "alpha_lower", "alpha_upper", "beta", "beta_lower", "beta_upper", "derl", "derl_lower",
            "derl_upper", "ltv", "ltv_total", "ltv_total_lower", "ltv_total_upper", "new_lifetime", "new_ltv",
            "window_lifetime", "share_beyond")
    known = group_revenue[~np.isnan(group_revenue)]
    mean_revenue = float(known.mean()) if known.size else np.nan
    out: dict[str, object] = {**dict.fromkeys(keys, np.nan), "at_bound": False, "revenue_per_period": mean_revenue}
    if fit is None:
        return out
    a, b = fit.alpha_hat, fit.beta_hat
    unique, inverse = np.unique(renewals, return_inverse=True)
    n_r = np.bincount(inverse, minlength=unique.size).astype(float)
    # a blank revenue counts as 0 in the sums; with no revenue at all there is no value (NaN)
    rev_r = np.bincount(inverse, weights=np.nan_to_num(rev), minlength=unique.size) if known.size else np.full(
        unique.size, np.nan)
    sims = derl_by_renewals(*draws(fit), unique, d) if unique.size else np.empty((0, 0))
    means, totals = sims @ n_r / max(n_r.sum(), 1), margin * sims @ rev_r
    q = (fit.alpha / 2, 1 - fit.alpha / 2)
    point = derl(a, b, unique, d)
    s = survival(a, b, max(window, 1))
    x = (1 + d) ** -np.arange(s.size)
    total = 1 + float(derl(a, b, 0, d)) / (1 + d)  # Σ_{t≥0} S(t)/(1+d)^t: the first payment and the renewals
    out |= {"alpha": a, "alpha_lower": fit.alpha_ci[0], "alpha_upper": fit.alpha_ci[1], "beta": b,
            "beta_lower": fit.beta_ci[0], "beta_upper": fit.beta_ci[1], "at_bound": fit.at_bound,
            "derl": float(point @ n_r / n_r.sum()) if n_r.sum() else np.nan,
            "ltv": float(margin * point @ rev_r / n_r.sum()) if n_r.sum() else np.nan,
            "ltv_total": float(margin * point @ rev_r), "new_lifetime": total,
            "new_ltv": margin * mean_revenue * total,
            "window_lifetime": float(s[:window].sum()), "share_beyond": 1 - float(s[:window] @ x[:window]) / total}
    if sims.size and n_r.sum():
        out |= {"derl_lower": float(np.quantile(means, q[0])), "derl_upper": float(np.quantile(means, q[1])),
                "ltv_total_lower": float(np.quantile(totals, q[0])),
                "ltv_total_upper": float(np.quantile(totals, q[1]))}
    return out


def _with_km(table: pd.DataFrame, frame: pd.DataFrame, segment: str | None, window_months: int,
             annual_discount: float, margin: float, length: int, max_groups: int) -> pd.DataFrame:
    """Add the Kaplan–Meier restricted mean lifetime and its discounted LTV over the observed window."""
    table["km_lifetime"] = np.nan
    table["km_ltv"] = np.nan
    if window_months <= 0:
        return table
    parts = [rmst(frame, horizon_months=window_months, annual_discount=annual_discount).table]
    if segment is not None:
        parts.append(rmst(frame, segment, horizon_months=window_months, annual_discount=annual_discount,
                          max_groups=max_groups).table)
    km = pd.concat(parts)
    table["km_lifetime"] = km["rmst_days"].reindex(table.index) / DAYS_PER_MONTH / length
    table["km_ltv"] = margin * km["ltv_discounted"].reindex(table.index)
    return table
