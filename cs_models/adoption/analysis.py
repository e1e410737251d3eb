"""Word-of-mouth adoption: first use per user, monthly adoptions, and the Bass model fitted to them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cs_models.adoption import bass, likelihood
from cs_models.errors import DataError
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha

#: Fewest complete months, and months with an adoption, a three-parameter curve is fitted to.
MIN_MONTHS = 6
MIN_ACTIVE_MONTHS = 3
#: Estimation methods: Poisson maximum likelihood with profile-likelihood intervals, or least squares
#: (Srinivasan & Mason 1986) with parametric-bootstrap intervals; the first is the default.
METHODS = ("mle", "nls")
#: Draws of the curve's band (normal approximation or bootstrap) and their seed (page and report agree).
DRAWS = 200
SEED = 20261
#: Months projected beyond the last complete month.
HORIZON = 12


@dataclass(frozen=True, kw_only=True)
class AdoptionFit(Result):
    """The Bass model fitted to monthly adoptions.

    Attributes
    ----------
    users : int
        Users with a first use on or before the as-of date.
    months : int
        Complete months fitted (from the first month with an adoption).
    launch : date
        First day of the first month with an adoption (``t = 0``).
    p, q, m : float
        Innovation and imitation per month, and market size (eventual adopters).
    p_ci, q_ci, m_ci : tuple of float
        ``1 − alpha`` intervals: profile likelihood (``mle``) or bootstrap percentiles (``nls``);
        ``m_ci`` is ``(m, m)`` when the market size was given; an end the data cannot bound is NaN.
    method : str
        One of :data:`METHODS`.
    population : float or None
        The known market size (e.g. head count), when given; then ``m`` is fixed to it.
    peak_t : float
        Months from ``launch`` to the peak of adoptions, ``ln(q/p)/(p+q)``.
    peak_month : str
        The calendar month of the peak (``YYYY-MM``).
    peak_adoptions : float
        Fitted adoptions in the peak month.
    imitation_share, imitation_ci : float, tuple of float
        Share of eventual adopters who adopt by imitation, ``1 − (p/q) ln(1 + q/p)``, and its interval.
    adopted_share : float
        ``users / m``: how far the diffusion has come.
    rss : float
        Residual sum of squares of the least-squares fit.
    draws : int
        Draws behind the band (and, for ``nls``, the intervals): bootstrap refits that converged.
    curve : pandas.DataFrame
        One row per month (observed and projected): ``month`` (first day), ``t``, ``observed``
        (NaN when projected), ``cumulative_observed``, ``fitted``, ``fitted_low``, ``fitted_high``,
        ``cumulative``, ``cumulative_low``, ``cumulative_high``, ``innovation``, ``imitation``,
        ``projected``.
    """

    users: int
    months: int
    launch: date
    p: float
    q: float
    m: float
    p_ci: tuple[float, float]
    q_ci: tuple[float, float]
    m_ci: tuple[float, float]
    method: str
    population: float | None
    peak_t: float
    peak_month: str
    peak_adoptions: float
    imitation_share: float
    imitation_ci: tuple[float, float]
    adopted_share: float
    rss: float
    draws: int
    curve: pd.DataFrame


def first_use(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per user: the first date the user appears, and the user's first non-blank segment values.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical ``adoption`` rows (``user_id``, ``first_used`` and any other columns; a user may
        appear on many rows, as in a usage log).

    Returns
    -------
    pandas.DataFrame
        ``user_id``, ``first_used`` and the other columns, sorted by ``first_used``.
    """
    rows = frame.dropna(subset=["user_id", "first_used"]).sort_values("first_used", kind="stable")
    return rows.groupby("user_id", sort=False, observed=True).first().reset_index()


def monthly_adoptions(frame: pd.DataFrame, as_of: date) -> tuple[pd.Series, tuple[str, ...]]:
    """New users per calendar month, from the first month with one to the last complete month.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical ``adoption`` rows.
    as_of : date
        Later first uses are left out; the as-of month counts only when ``as_of`` is its last day.

    Returns
    -------
    tuple
        Counts indexed by the month's first day (months without an adoption are 0), and notes
        (``partial_month`` when the as-of month was left out).
    """
    users = first_use(frame)
    cut = pd.Timestamp(as_of)
    users = users[users["first_used"] <= cut]
    if users.empty:
        raise DataError("adoption_no_users", "no user has a first use on or before the as-of date")
    months = users["first_used"].dt.to_period("M")
    last = cut.to_period("M")
    notes: tuple[str, ...] = ()
    if (cut + pd.Timedelta(days=1)).to_period("M") == last:  # the as-of month is not over
        last, notes = last - 1, ("partial_month",)
    index = pd.period_range(months.min(), max(last, months.min()), freq="M")
    counts = months[months <= last].value_counts().reindex(index, fill_value=0).sort_index()
    counts.index = index.to_timestamp()
    return counts.astype(int), notes


def _check(counts: pd.Series) -> None:
    if len(counts) < MIN_MONTHS:
        raise DataError("adoption_too_few_months", f"{len(counts)} complete months; at least {MIN_MONTHS} needed",
                        months=len(counts), minimum=MIN_MONTHS)
    if int((counts > 0).sum()) < MIN_ACTIVE_MONTHS:
        raise DataError("adoption_one_month", "the adoptions fall in too few months to show a curve",
                        months=int((counts > 0).sum()), minimum=MIN_ACTIVE_MONTHS)


def _interval(values: np.ndarray, alpha: float, estimate: float) -> tuple[float, float]:
    if len(values) == 0:
        return (math.nan, math.nan)
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return (float(min(low, estimate)), float(max(high, estimate)))


def _curve(counts: pd.Series, fit: bass.BassFit, sims: np.ndarray, alpha: float, horizon: int) -> pd.DataFrame:
    """Observed, fitted and projected adoptions per month, with bootstrap bands."""
    total = len(counts) + horizon
    fitted = bass.monthly(total, fit.p, fit.q, fit.m)
    innovation, imitation = bass.split(total, fit.p, fit.q, fit.m)
    draws = np.array([bass.monthly(total, *s) for s in sims]) if len(sims) else np.full((1, total), np.nan)
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    cum = np.cumsum(draws, axis=1)
    cum_low, cum_high = np.quantile(cum, [alpha / 2, 1 - alpha / 2], axis=0)
    observed = np.concatenate([counts.to_numpy(float), np.full(horizon, np.nan)])
    months = pd.date_range(counts.index[0], periods=total, freq="MS")
    return pd.DataFrame({
        "month": months, "t": np.arange(1, total + 1), "observed": observed,
        "cumulative_observed": np.cumsum(observed), "fitted": fitted, "fitted_low": low, "fitted_high": high,
        "cumulative": np.cumsum(fitted), "cumulative_low": cum_low, "cumulative_high": cum_high,
        "innovation": innovation, "imitation": imitation, "projected": np.arange(total) >= len(counts),
    })


def _estimate(counts: np.ndarray, method: str, alpha: float, population: float | None, draws: int,
              seed: int) -> tuple[bass.BassFit, dict[str, tuple[float, float]], np.ndarray]:
    """The fit, the intervals of ``p``, ``q``, ``m`` and ``ratio`` (q/p), and the draws behind the band."""
    if method == "nls":
        fit = bass.fit_bass(counts, m_fixed=population)
        if not fit.converged:
            return fit, {}, np.empty((0, 3))
        sims = bass.bootstrap(fit, len(counts), draws=draws, seed=seed, m_fixed=population)
        values = {"p": sims[:, 0], "q": sims[:, 1], "m": sims[:, 2], "ratio": sims[:, 1] / sims[:, 0]}
        estimates = {"p": fit.p, "q": fit.q, "m": fit.m, "ratio": fit.q / fit.p}
        return fit, {k: _interval(v, alpha, estimates[k]) for k, v in values.items()}, sims
    fit = likelihood.fit_mle(counts, m_fixed=population)
    if not fit.converged:
        return fit, {}, np.empty((0, 3))
    names = ("p", "q", "ratio") if population is not None else ("p", "q", "ratio", "m")
    intervals = {k: likelihood.profile_interval(counts, fit, k, alpha=alpha, m_fixed=population) for k in names}
    return fit, intervals, likelihood.normal_draws(counts, fit, draws=draws, seed=seed, m_fixed=population)


def _share_interval(ratio: tuple[float, float]) -> tuple[float, float]:
    """The imitation share's interval from that of ``q/p`` (the share rises with ``q/p``)."""
    def share(r: float) -> float:
        return math.nan if math.isnan(r) else bass.imitation_share(1.0, r)
    return share(ratio[0]), share(ratio[1])


def fit_adoption(frame: pd.DataFrame, as_of: date, *, population: float | None = None, method: str = "mle",
                 alpha: float = ALPHA, draws: int = DRAWS, horizon: int = HORIZON, seed: int = SEED) -> AdoptionFit:
    """Fit the Bass model to the monthly adoptions of ``frame`` up to ``as_of``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical ``adoption`` rows (``user_id``, ``first_used``; a usage log is reduced to each
        user's first date).
    as_of : date
        Last day of data; a month not over by then is left out of the fit.
    population : float, optional
        Known market size (e.g. the number of employees); fixes ``m``.
    method : {"mle", "nls"}
        Poisson maximum likelihood with profile-likelihood intervals, or least squares with
        parametric-bootstrap intervals.
    alpha : float
        ``1 −`` confidence of the intervals and the band.
    draws : int
        Draws of the band (and bootstrap refits for ``nls``).
    horizon : int
        Months projected after the last complete month.
    seed : int
        Seed of the draws.

    Returns
    -------
    AdoptionFit

    Raises
    ------
    DataError
        ``adoption_no_users``, ``adoption_too_few_months``, ``adoption_one_month``,
        ``adoption_bad_population`` (not above zero, or below the users seen) or
        ``adoption_no_fit`` (the curve has no shape to fit: the market size runs away).
    """
    check_alpha(alpha)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    counts, notes = monthly_adoptions(frame, as_of)
    _check(counts)
    users = int(counts.sum())
    if population is not None and not (population > 0 and population >= users):
        raise DataError("adoption_bad_population", "the population must be at least the number of users",
                        population=population, users=users)
    fit, ci, sims = _estimate(counts.to_numpy(float), method, alpha, population, draws, seed)
    if not fit.converged:
        raise DataError("adoption_no_fit", "the Bass model could not be fitted", months=len(counts))
    peak_t = bass.peak_time(fit.p, fit.q)
    notes += (("before_peak",) if peak_t > len(counts) else ()) + (("no_peak",) if fit.q <= fit.p else ())
    if len(sims) < draws * 0.8 or any(math.isnan(v) for pair in ci.values() for v in pair):
        notes += ("unstable",)
    curve = _curve(counts, fit, sims, alpha, horizon)
    peak_index = min(int(peak_t), len(curve) - 1)
    share = bass.imitation_share(fit.p, fit.q)
    return AdoptionFit(
        alpha=alpha, notes=notes, users=users, months=len(counts), launch=counts.index[0].date(),
        p=fit.p, q=fit.q, m=fit.m, p_ci=ci["p"], q_ci=ci["q"], m_ci=ci.get("m", (fit.m, fit.m)), method=method,
        population=population, peak_t=peak_t, peak_month=curve["month"].iloc[peak_index].strftime("%Y-%m"),
        peak_adoptions=float(curve["fitted"].iloc[peak_index]), imitation_share=share,
        imitation_ci=_share_interval(ci["ratio"]), adopted_share=users / fit.m, rss=fit.rss, draws=len(sims),
        curve=curve,
    )
