"""The Cox partial likelihood with Efron ties on ``(start, stop]`` rows, vectorised in NumPy, and its
Newton–Raphson maximum (optionally with a ridge penalty): the one core of :mod:`cs_models.risk_cox`
(the churn-risk model, right-censored rows) and :mod:`cs_models.journey.cox` (the upgrade effect,
time-varying rows).

A row ``i`` is at risk at an event time ``t`` when ``start_i < t <= stop_i`` (``start = −∞`` for
right-censored data). With the distinct event times ``t_1 < … < t_K``, row ``i`` is at risk for ``k``
in ``[lo_i, hi_i)`` (two ``searchsorted``), so every risk-set sum is a cumulative sum of differences:

- ``S0``, ``S1`` (sums of ``φ`` and ``φx`` over the risk set) from two ``bincount`` per column;
- Efron's correction enumerates the ``l = 0 … d_k − 1`` tied events of every time as one array;
- the Hessian's ``Σ_k a_k Σ_{i∈R_k} φ_i x_i x_iᵀ`` is ``Xᵀ diag(φ_i Σ_{k∈[lo_i, hi_i)} a_k) X``.

``tests/models/test_risk_cox.py`` and ``tests/models/test_journey_cox.py`` check both users against
lifelines (``CoxPHFitter``, penalised, and ``CoxTimeVaryingFitter``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Newton–Raphson stops when no coefficient moves more than this.
TOLERANCE = 1e-10
MAX_STEPS = 100


@dataclass(frozen=True)
class _Design:
    x: np.ndarray  # (n, p) covariates
    lo: np.ndarray  # first event-time index at which each row is at risk
    hi: np.ndarray  # one past the last
    times: int  # distinct event times K
    events: np.ndarray  # rows with an event
    tied: np.ndarray  # event row -> its event-time index
    l_time: np.ndarray  # Efron terms: event-time index of each term
    l_frac: np.ndarray  # Efron terms: l / d


def _design(start: np.ndarray, stop: np.ndarray, event: np.ndarray, x: np.ndarray) -> _Design:
    times = np.unique(stop[event])
    events = np.flatnonzero(event)
    tied = np.searchsorted(times, stop[events])
    ties = np.bincount(tied, minlength=len(times))
    l_time = np.repeat(np.arange(len(times)), ties)
    l_frac = (np.arange(len(l_time)) - np.repeat(np.cumsum(ties) - ties, ties)) / np.repeat(ties, ties)
    return _Design(x=x, lo=np.searchsorted(times, start, side="right"), hi=np.searchsorted(times, stop, side="right"),
                   times=len(times), events=events, tied=tied, l_time=l_time, l_frac=l_frac)


def _at_risk(d: _Design, weights: np.ndarray) -> np.ndarray:
    """``Σ weights_i`` over the rows at risk at each event time."""
    k = d.times + 1
    return np.cumsum(np.bincount(d.lo, weights, k) - np.bincount(d.hi, weights, k))[: d.times]


def _efron(d: _Design, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, gradient and Hessian at ``beta`` (Efron ties, no penalty)."""
    x, p = d.x, d.x.shape[1]
    eta = x @ beta
    phi = np.exp(eta)
    risk0 = _at_risk(d, phi)
    risk1 = np.column_stack([_at_risk(d, phi * x[:, j]) for j in range(p)]) if p else np.zeros((d.times, 0))
    phi_e, x_e = phi[d.events], x[d.events]
    tie0 = np.bincount(d.tied, phi_e, d.times)
    tie1 = np.column_stack([np.bincount(d.tied, phi_e * x_e[:, j], d.times) for j in range(p)]) if p else risk1
    g, f = d.l_time, d.l_frac
    den = risk0[g] - f * tie0[g]
    z = (risk1[g] - f[:, None] * tie1[g]) / den[:, None]
    loglik = float(eta[d.events].sum() - np.log(den).sum())
    gradient = x_e.sum(axis=0) - z.sum(axis=0)
    a = np.concatenate([[0.0], np.bincount(g, 1 / den, d.times).cumsum()])  # Σ_{k<m} Σ_{terms at k} 1/den
    w = phi * (a[d.hi] - a[d.lo])
    w[d.events] -= phi_e * np.bincount(g, f / den, d.times)[d.tied]  # Efron: the tied share leaves
    hessian = z.T @ z - (x * w[:, None]).T @ x
    return loglik, gradient, hessian


def maximise(start: np.ndarray, stop: np.ndarray, event: np.ndarray, x: np.ndarray,
             penalty: float = 0.0) -> tuple[np.ndarray, np.ndarray] | None:
    """The coefficients that maximise the Cox log partial likelihood ``− penalty·‖β‖²/2``.

    Parameters
    ----------
    start, stop : ndarray
        ``(n,)`` the interval ``(start, stop]`` of each row (``start = −inf``: at risk from the outset).
    event : ndarray
        ``(n,)`` bool: the row ends with the event.
    x : ndarray
        ``(n, p)`` covariates (centre or standardise them first: the fit is then better conditioned).
    penalty : float, default 0
        Ridge penalty on ``β`` (in the units of ``x``).

    Returns
    -------
    tuple of ndarray or None
        ``β`` and the Hessian of the penalised log-likelihood there (its negative inverse is the
        covariance), or ``None`` without events, with a singular Hessian or when Newton–Raphson with
        step halving does not converge (lifelines raises ``ConvergenceError`` there).
    """
    event = np.asarray(event, bool)
    if not event.any():
        return None
    d = _design(np.asarray(start, float), np.asarray(stop, float), event, np.asarray(x, float))
    eye = penalty * np.eye(d.x.shape[1])

    def evaluate(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        loglik, gradient, hessian = _efron(d, b)
        return loglik - 0.5 * penalty * b @ b, gradient - penalty * b, hessian - eye

    beta = np.zeros(d.x.shape[1])
    loglik, gradient, hessian = evaluate(beta)
    for _ in range(MAX_STEPS):
        try:
            delta = np.linalg.solve(-hessian, gradient)
        except np.linalg.LinAlgError:
            return None
        size = 1.0
        while True:  # halve the step while the likelihood falls (it rises near the optimum)
            candidate = beta + size * delta
            new = evaluate(candidate)
            if np.isfinite(new[0]) and new[0] >= loglik - 1e-12 * abs(loglik):
                break
            size /= 2
            if size < 1e-8:
                return None
        beta, (loglik, gradient, hessian) = candidate, new
        if np.max(np.abs(size * delta), initial=0.0) < TOLERANCE:
            return (beta, hessian) if np.all(np.isfinite(beta)) else None
    return None
