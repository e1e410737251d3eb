"""The Bass diffusion model on monthly adoptions: the curve, a nonlinear least-squares fit and a
parametric bootstrap.

Bass (1969): the hazard of adopting at time ``t`` is ``p + q F(t)``, where ``p`` is innovation
(adopting on one's own: announcements, training) and ``q`` imitation (adopting because others
have: word of mouth). The cumulative share of the ``m`` eventual adopters is

    F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p) e^{−(p+q)t}),

and the adoptions of month ``k`` (``t`` in months since the start of the first month with an
adoption) are ``n_k = m [F(k) − F(k−1)]`` — the form Srinivasan & Mason (1986) fit by nonlinear
least squares, as done here. Adoption peaks at ``t* = ln(q/p)/(p+q)``; over the whole diffusion
a share ``(p/q) ln(1 + q/p)`` of adopters are innovators (Mahajan, Muller & Srivastava 1990),
the rest imitators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import least_squares

FloatArray = npt.NDArray[np.float64]

#: Bounds of the fit: ``p`` and ``q`` per month, ``m`` as a multiple of the adopters seen so far.
P_BOUNDS = (1e-6, 1.0)
Q_BOUNDS = (0.0, 3.0)
M_MAX_FACTOR = 50.0
#: Starting grid of ``(p, q)`` (``m`` is linear given them and solved exactly).
_P_GRID = np.geomspace(1e-4, 0.5, 24)
_Q_GRID = np.concatenate([[0.0], np.geomspace(0.01, 2.5, 30)])


def bass_cdf(t: npt.ArrayLike, p: float, q: float) -> FloatArray:
    """Cumulative share ``F(t)`` of the eventual adopters who have adopted by time ``t``.

    Parameters
    ----------
    t : array_like
        Times (months since the start of the first month), ``t >= 0``.
    p, q : float
        Innovation and imitation coefficients per month (``p > 0``, ``q >= 0``).

    Returns
    -------
    numpy.ndarray
        ``F(t)`` in ``[0, 1)``.
    """
    t = np.asarray(t, dtype=float)
    decay = np.exp(-(p + q) * t)
    return np.asarray((1 - decay) / (1 + (q / p) * decay), dtype=float)


def monthly(months: int, p: float, q: float, m: float) -> FloatArray:
    """Expected adoptions of months ``1 … months``: ``m [F(k) − F(k−1)]``.

    Parameters
    ----------
    months : int
        Number of months.
    p, q : float
        Innovation and imitation coefficients per month.
    m : float
        Market size (eventual adopters).

    Returns
    -------
    numpy.ndarray
        One expected count per month.
    """
    return m * np.diff(bass_cdf(np.arange(months + 1), p, q))


def split(months: int, p: float, q: float, m: float) -> tuple[FloatArray, FloatArray]:
    """The monthly adoptions split into innovators and imitators.

    Within month ``k`` the hazard ``p + q F`` is split in proportion ``p : q F`` at the month's
    midpoint, so the two parts add up to :func:`monthly`.

    Parameters
    ----------
    months : int
        Number of months.
    p, q : float
        Innovation and imitation coefficients per month.
    m : float
        Market size.

    Returns
    -------
    tuple of numpy.ndarray
        ``(innovation, imitation)`` per month.
    """
    total = monthly(months, p, q, m)
    mid = bass_cdf(np.arange(months) + 0.5, p, q)
    share = p / (p + q * mid)
    return total * share, total * (1 - share)


def peak_time(p: float, q: float) -> float:
    """Months from the start to the peak of adoptions, ``ln(q/p)/(p+q)`` (0 when ``q <= p``).

    Parameters
    ----------
    p, q : float
        Innovation and imitation coefficients per month.

    Returns
    -------
    float
        The peak time; ``0`` when adoptions fall from the start.
    """
    return math.log(q / p) / (p + q) if q > p else 0.0


def imitation_share(p: float, q: float) -> float:
    """Share of the eventual adopters who adopt through imitation, ``1 − (p/q) ln(1 + q/p)``.

    Parameters
    ----------
    p, q : float
        Innovation and imitation coefficients.

    Returns
    -------
    float
        In ``[0, 1)``; ``0`` when ``q = 0``.
    """
    return 0.0 if q <= 0 else 1 - (p / q) * math.log1p(q / p)


@dataclass(frozen=True)
class BassFit:
    """One least-squares fit: the coefficients, the residual sum of squares and whether it converged."""

    p: float
    q: float
    m: float
    rss: float
    converged: bool


def _m_given(counts: FloatArray, p: float, q: float) -> tuple[float, float]:
    """Least-squares ``m`` for fixed ``(p, q)`` and its residual sum of squares."""
    g = np.diff(bass_cdf(np.arange(len(counts) + 1), p, q))
    gg = float(g @ g)
    m = float(counts @ g) / gg if gg > 0 else 0.0
    return m, float(np.sum((counts - m * g) ** 2))


def _start(counts: FloatArray, m_fixed: float | None) -> tuple[float, float, float]:
    """The best point of a ``(p, q)`` grid (``m`` solved exactly, or fixed)."""
    best = (math.inf, 0.01, 0.3, float(counts.sum()))
    for p in _P_GRID:
        for q in _Q_GRID:
            if m_fixed is None:
                m, rss = _m_given(counts, p, q)
            else:
                m = m_fixed
                rss = float(np.sum((counts - monthly(len(counts), p, q, m)) ** 2))
            if rss < best[0] and m > 0:
                best = (rss, float(p), float(q), m)
    return best[1], best[2], best[3]


def fit_bass(counts: npt.ArrayLike, *, m_fixed: float | None = None,
             start: tuple[float, float, float] | None = None) -> BassFit:
    """Nonlinear least squares of ``n_k = m [F(k) − F(k−1)]`` (Srinivasan & Mason 1986).

    Parameters
    ----------
    counts : array_like
        Adoptions per month, from the first month with an adoption.
    m_fixed : float, optional
        A known market size (e.g. the head count); then only ``p`` and ``q`` are fitted.
    start : tuple of float, optional
        Starting ``(p, q, m)``; a grid search when omitted.

    Returns
    -------
    BassFit
        ``p``, ``q``, ``m`` (``m_fixed`` when given), the residual sum of squares and whether the
        optimiser converged inside the bounds.
    """
    y = np.asarray(counts, dtype=float)
    months, seen = len(y), float(y.sum())
    p0, q0, m0 = start if start is not None else _start(y, m_fixed)
    m_high = max(seen, 1.0) * M_MAX_FACTOR
    if m_fixed is None:
        x0 = np.array([p0, q0, min(max(m0, seen * 0.5), m_high * 0.99)])
        lower, upper = [P_BOUNDS[0], Q_BOUNDS[0], 1e-9], [P_BOUNDS[1], Q_BOUNDS[1], m_high]

        def residuals(x: FloatArray) -> FloatArray:
            return monthly(months, x[0], x[1], x[2]) - y
    else:
        x0 = np.array([p0, q0])
        lower, upper = [P_BOUNDS[0], Q_BOUNDS[0]], [P_BOUNDS[1], Q_BOUNDS[1]]

        def residuals(x: FloatArray) -> FloatArray:
            return monthly(months, x[0], x[1], m_fixed) - y
    x0 = np.clip(x0, np.array(lower) * 1.0001 + 1e-12, np.array(upper) * 0.9999)
    out = least_squares(residuals, x0, bounds=(lower, upper), method="trf", x_scale="jac",
                        xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    p, q = float(out.x[0]), float(out.x[1])
    m = float(out.x[2]) if m_fixed is None else float(m_fixed)
    at_bound = m_fixed is None and m >= m_high * 0.999
    return BassFit(p, q, m, float(2 * out.cost), bool(out.success) and not at_bound)


def bootstrap(fit: BassFit, months: int, *, draws: int, seed: int, m_fixed: float | None = None) -> FloatArray:
    """Parametric bootstrap: Poisson counts from the fitted curve, refitted ``draws`` times.

    Parameters
    ----------
    fit : BassFit
        The fit to resample from.
    months : int
        Number of observed months.
    draws : int
        Number of bootstrap samples.
    seed : int
        Seed of the random stream (results are reproducible).
    m_fixed : float, optional
        Keep the market size fixed, as in the original fit.

    Returns
    -------
    numpy.ndarray
        ``(k, 3)`` array of ``(p, q, m)`` of the ``k <= draws`` refits that converged.
    """
    rng = np.random.default_rng(seed)
    mean = monthly(months, fit.p, fit.q, fit.m)
    out = []
    for _ in range(draws):
        y = rng.poisson(np.maximum(mean, 0.0)).astype(float)
        if y.sum() == 0:
            continue
        refit = fit_bass(y, m_fixed=m_fixed, start=(fit.p, fit.q, fit.m))
        if refit.converged:
            out.append((refit.p, refit.q, refit.m))
    return np.asarray(out, dtype=float).reshape(-1, 3)
