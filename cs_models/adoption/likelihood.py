"""Maximum likelihood of the Bass model on monthly counts, with profile-likelihood intervals.

Each month's new users are Poisson with mean ``m g_k``, ``g_k = F(k) − F(k−1)``. Given ``(p, q)``
the market size that maximises the likelihood is ``N / F(T)`` (``N`` users in ``T`` months), and the
profile of ``(p, q)`` is the multinomial likelihood of the months given ``N`` — the likelihood of
Schmittlein & Mahajan (1982) for users who each adopt at a Bass-distributed time. Intervals are
profile-likelihood intervals (Venzon & Moolgavkar 1988): the values whose profile log-likelihood is
within ``χ²₁(1 − α)/2`` of the maximum. The band of the curve comes from the normal approximation at
the maximum (observed information on the log scale).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.optimize import brentq, minimize, minimize_scalar
from scipy.stats import chi2

from cs_models.adoption.bass import P_BOUNDS, Q_BOUNDS, BassFit, FloatArray, bass_cdf, fit_bass

LOG_P = (math.log(P_BOUNDS[0]), math.log(P_BOUNDS[1]))
LOG_Q = (math.log(1e-6), math.log(Q_BOUNDS[1]))
#: How far (in log units) an interval is searched for before it is called open.
REACH = 12.0


def _shares(months: int, p: float, q: float) -> FloatArray:
    return np.diff(bass_cdf(np.arange(months + 1), p, q))


def loglik(counts: FloatArray, p: float, q: float, m: float | None = None) -> float:
    """Poisson log-likelihood (without the constant ``−Σ log n!``); ``m`` profiled out when ``None``.

    Parameters
    ----------
    counts : numpy.ndarray
        New users per month.
    p, q : float
        Innovation and imitation per month.
    m : float, optional
        Market size; the maximising ``N / F(T)`` when omitted.

    Returns
    -------
    float
        ``Σ n_k log(m g_k) − m F(T)``.
    """
    g = np.maximum(_shares(len(counts), p, q), 1e-300)
    total = float(g.sum())
    m = float(counts.sum()) / total if m is None else m
    return float(counts @ np.log(m * g) - m * total)


def _best_over(counts: FloatArray, fixed: Callable[[float], tuple[float, float]], bounds: tuple[float, float],
               m: float | None, start: float) -> float:
    """Maximum over one log-coefficient ``x`` of the log-likelihood at ``(p, q) = fixed(x)``."""
    def cost(x: float) -> float:
        return -loglik(counts, *fixed(x), m)
    low, high = bounds
    grid = np.linspace(low, high, 25)
    values = [cost(x) for x in grid]
    i = int(np.argmin(values))
    centre = start if cost(start) <= values[i] else float(grid[i])
    step = (high - low) / 24
    out = minimize_scalar(cost, bounds=(max(low, centre - step), min(high, centre + step)), method="bounded",
                          options={"xatol": 1e-9})
    return -float(min(out.fun, cost(start)))


def fit_mle(counts: FloatArray, *, m_fixed: float | None = None) -> BassFit:
    """Maximum-likelihood ``p``, ``q`` and ``m`` (started at the least-squares fit).

    Parameters
    ----------
    counts : numpy.ndarray
        New users per month.
    m_fixed : float, optional
        Known market size.

    Returns
    -------
    BassFit
        The estimates; ``rss`` holds the residual sum of squares of the fitted means.
    """
    nls = fit_bass(counts, m_fixed=m_fixed)
    starts = [(math.log(max(nls.p, 1e-5)), math.log(max(nls.q, 1e-5))), (math.log(0.01), math.log(0.3))]

    def cost(x: FloatArray) -> float:
        return -loglik(counts, math.exp(x[0]), math.exp(x[1]), m_fixed)
    best = min((minimize(cost, np.array(s), method="Nelder-Mead",
                         options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000}) for s in starts),
               key=lambda r: r.fun)
    p = min(math.exp(best.x[0]), P_BOUNDS[1])
    q = min(math.exp(best.x[1]), Q_BOUNDS[1])
    g = _shares(len(counts), p, q)
    m = float(counts.sum()) / float(g.sum()) if m_fixed is None else m_fixed
    rss = float(np.sum((counts - m * g) ** 2))
    converged = bool(best.success) and m <= float(counts.sum()) * 50
    return BassFit(p, q, m, rss, converged)


def _profile(counts: FloatArray, fit: BassFit, which: str, m_fixed: float | None) -> Callable[[float], float]:
    """The profile log-likelihood of ``which`` (``p``, ``q``, ``ratio`` = q/p, ``m``) as a function of its log."""
    lp, lq = math.log(fit.p), math.log(max(fit.q, 1e-6))
    if which == "p":
        return lambda x: _best_over(counts, lambda y: (math.exp(x), math.exp(y)), LOG_Q, m_fixed, lq)
    if which == "q":
        return lambda x: _best_over(counts, lambda y: (math.exp(y), math.exp(x)), LOG_P, m_fixed, lp)
    if which == "ratio":
        return lambda x: _best_over(counts, lambda y: (math.exp(y), math.exp(x + y)), LOG_P, m_fixed, lp)

    def at_m(x: float) -> float:
        out = minimize(lambda v: -loglik(counts, math.exp(v[0]), math.exp(v[1]), math.exp(x)), np.array([lp, lq]),
                       method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10})
        return -float(out.fun)
    return at_m


def profile_interval(counts: FloatArray, fit: BassFit, which: str, *, alpha: float,
                     m_fixed: float | None = None) -> tuple[float, float]:
    """Profile-likelihood interval of ``p``, ``q``, ``ratio`` (``q/p``) or ``m``.

    Parameters
    ----------
    counts : numpy.ndarray
        New users per month.
    fit : BassFit
        The maximum-likelihood fit (:func:`fit_mle`).
    which : {"p", "q", "ratio", "m"}
        The quantity.
    alpha : float
        ``1 −`` confidence.
    m_fixed : float, optional
        Known market size (then ``m`` has no interval).

    Returns
    -------
    tuple of float
        ``(low, high)``; an end is ``nan`` when the likelihood does not fall far enough within the
        searched range (the data cannot bound it).
    """
    profile = _profile(counts, fit, which, m_fixed)
    estimate = {"p": fit.p, "q": fit.q, "ratio": fit.q / fit.p, "m": fit.m}[which]
    top = loglik(counts, fit.p, fit.q, m_fixed)
    cut = chi2.ppf(1 - alpha, 1) / 2
    centre = math.log(estimate)

    def gap(x: float) -> float:
        return top - profile(x) - cut
    ends = []
    for direction in (-1.0, 1.0):
        step, found = 0.05, math.nan
        previous = centre
        while step <= REACH:
            x = centre + direction * step
            if gap(x) > 0:
                found = math.exp(brentq(gap, min(previous, x), max(previous, x), xtol=1e-7))
                break
            previous, step = x, step * 1.6
        ends.append(found)
    return ends[0], ends[1]


def normal_draws(counts: FloatArray, fit: BassFit, *, draws: int, seed: int,
                 m_fixed: float | None = None) -> FloatArray:
    """``(p, q, m)`` drawn from the normal approximation of the log-coefficients at the maximum.

    Parameters
    ----------
    counts : numpy.ndarray
        New users per month.
    fit : BassFit
        The maximum-likelihood fit.
    draws : int
        Number of draws.
    seed : int
        Seed of the random stream.
    m_fixed : float, optional
        Known market size (kept fixed).

    Returns
    -------
    numpy.ndarray
        ``(draws, 3)``; empty when the observed information is not positive definite.
    """
    x0 = np.array([math.log(fit.p), math.log(max(fit.q, 1e-6)), math.log(fit.m)])
    free = 3 if m_fixed is None else 2

    def nll(x: FloatArray) -> float:
        full = np.concatenate([x, x0[free:]])
        return -loglik(counts, math.exp(full[0]), math.exp(full[1]), math.exp(full[2]))
    h = 1e-4
    hess = np.zeros((free, free))
    for i in range(free):
        for j in range(free):
            e_i, e_j = np.eye(free)[i] * h, np.eye(free)[j] * h
            x = x0[:free]
            hess[i, j] = (nll(x + e_i + e_j) - nll(x + e_i - e_j) - nll(x - e_i + e_j)
                          + nll(x - e_i - e_j)) / (4 * h * h)
    try:
        cov = np.linalg.inv(hess)
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return np.empty((0, 3))
    rng = np.random.default_rng(seed)
    sample = rng.multivariate_normal(x0[:free], cov, size=draws)
    if free == 2:
        sample = np.column_stack([sample, np.full(draws, x0[2])])
    return np.exp(sample)
