"""Cox proportional hazards on start/stop rows (Efron ties), vectorised in NumPy, for the upgrade effect.

The estimate, standard errors, Wald confidence intervals and p-values of lifelines'
``CoxTimeVaryingFitter`` (and, with every row starting at 0, of ``CoxPHFitter``), without importing
lifelines or fitting row by row: the Overview's journey card fits both models on every first visit.
``tests/models/test_journey_cox.py`` checks them against lifelines.

A row ``i`` is at risk at an event time ``t`` when ``start_i < t <= stop_i``. With the distinct event
times ``t_1 < … < t_K``, row ``i`` is at risk for ``k`` in ``[lo_i, hi_i)`` (two ``searchsorted``), so
the risk-set sums ``S0``, ``S1``, ``S2`` of ``φ``, ``φx``, ``φxxᵀ`` are cumulative sums of differences.
Efron's correction enumerates the ``l = 0 … d_k − 1`` tied events of each time as one array.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

#: Newton–Raphson stops when no coefficient moves more than this.
TOLERANCE = 1e-10
MAX_STEPS = 100


@dataclass(frozen=True)
class CoxEstimate:
    """A fitted Cox model.

    Attributes
    ----------
    coef, se : ndarray
        Log hazard ratios and their standard errors (inverse observed information).
    hr, hr_low, hr_high : ndarray
        ``exp(coef)`` and its Wald interval ``exp(coef ± z·se)``.
    p : ndarray
        Two-sided Wald p-values.
    """

    coef: np.ndarray
    se: np.ndarray
    hr: np.ndarray
    hr_low: np.ndarray
    hr_high: np.ndarray
    p: np.ndarray


@dataclass(frozen=True)
class _Design:
    x: np.ndarray  # (n, p) covariates, centred
    lo: np.ndarray  # first event time index at which each row is at risk
    hi: np.ndarray  # one past the last
    times: int  # distinct event times K
    ties: np.ndarray  # (K,) events at each time
    tied: np.ndarray  # event row -> its event time index
    events: np.ndarray  # rows with an event
    l_time: np.ndarray  # Efron terms: event time index of each term
    l_frac: np.ndarray  # Efron terms: l / d


def _design(start: np.ndarray, stop: np.ndarray, event: np.ndarray, x: np.ndarray) -> _Design:
    times = np.unique(stop[event])
    events = np.flatnonzero(event)
    tied = np.searchsorted(times, stop[events])
    ties = np.bincount(tied, minlength=len(times))
    l_time = np.repeat(np.arange(len(times)), ties)
    l_frac = (np.arange(len(l_time)) - np.repeat(np.cumsum(ties) - ties, ties)) / np.repeat(ties, ties)
    return _Design(x=x - x.mean(axis=0), lo=np.searchsorted(times, start, side="right"),
                   hi=np.searchsorted(times, stop, side="right"), times=len(times), ties=ties, tied=tied,
                   events=events, l_time=l_time, l_frac=l_frac)


def _at_risk(d: _Design, values: np.ndarray) -> np.ndarray:
    """``Σ values_i`` over the rows at risk at each event time; ``values`` is ``(n, m)``."""
    out = np.zeros((d.times + 1, values.shape[1]))
    np.add.at(out, d.lo, values)
    np.subtract.at(out, d.hi, values)
    return np.cumsum(out, axis=0)[: d.times]


def _step(d: _Design, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, gradient and Hessian at ``beta`` (Efron ties)."""
    n, p = d.x.shape
    eta = d.x @ beta
    phi = np.exp(eta)
    outer = (d.x[:, :, None] * d.x[:, None, :]).reshape(n, p * p)
    weighted = phi[:, None] * np.hstack([np.ones((n, 1)), d.x, outer])
    risk = _at_risk(d, weighted)
    tie = np.zeros((d.times, 1 + p + p * p))
    np.add.at(tie, d.tied, weighted[d.events])
    s = risk[d.l_time] - d.l_frac[:, None] * tie[d.l_time]
    s0, s1, s2 = s[:, 0], s[:, 1 : 1 + p], s[:, 1 + p :].reshape(-1, p, p)
    mean = s1 / s0[:, None]
    loglik = float(eta[d.events].sum() - np.log(s0).sum())
    gradient = d.x[d.events].sum(axis=0) - mean.sum(axis=0)
    hessian = -(s2 / s0[:, None, None] - mean[:, :, None] * mean[:, None, :]).sum(axis=0)
    return loglik, gradient, hessian


def fit(start: np.ndarray, stop: np.ndarray, event: np.ndarray, x: np.ndarray, alpha: float) -> CoxEstimate | None:
    """Fit the Cox model of ``event`` at ``stop`` on the columns of ``x`` for rows at risk after ``start``.

    Parameters
    ----------
    start, stop : ndarray
        ``(n,)`` the interval ``(start, stop]`` of each row.
    event : ndarray
        ``(n,)`` bool: the row ends with the event.
    x : ndarray
        ``(n, p)`` covariates, constant within a row.
    alpha : float
        ``1 - confidence level`` of the intervals.

    Returns
    -------
    CoxEstimate or None
        ``None`` without events, when the information matrix is singular or the estimate does not
        converge (lifelines raises ``ConvergenceError`` there).
    """
    start, stop = np.asarray(start, float), np.asarray(stop, float)
    event, x = np.asarray(event, bool), np.asarray(x, float).reshape(len(stop), -1)
    if not event.any():
        return None
    d = _design(start, stop, event, x)
    beta = np.zeros(x.shape[1])
    loglik, gradient, hessian = _step(d, beta)
    for _ in range(MAX_STEPS):
        try:
            delta = np.linalg.solve(-hessian, gradient)
        except np.linalg.LinAlgError:
            return None
        size = 1.0
        while True:  # halve the step while the likelihood falls (it rises near the optimum)
            candidate = beta + size * delta
            new = _step(d, candidate)
            if np.isfinite(new[0]) and new[0] >= loglik - 1e-12 * abs(loglik):
                break
            size /= 2
            if size < 1e-8:
                return None
        beta, (loglik, gradient, hessian) = candidate, new
        if np.max(np.abs(size * delta)) < TOLERANCE:
            break
    else:
        return None
    try:
        variance = np.linalg.inv(-hessian)
    except np.linalg.LinAlgError:
        return None
    se = np.sqrt(np.diag(variance))
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(se))):
        return None
    z = NormalDist().inv_cdf(1 - alpha / 2)
    p = np.array([math.erfc(abs(b / s) / math.sqrt(2)) for b, s in zip(beta, se, strict=True)])
    return CoxEstimate(coef=beta, se=se, hr=np.exp(beta), hr_low=np.exp(beta - z * se), hr_high=np.exp(beta + z * se),
                       p=p)
