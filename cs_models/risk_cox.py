"""The churn-risk model's Cox fit, vectorised in NumPy: the estimate of lifelines'
``CoxPHFitter(penalizer=p)`` (Efron ties, ridge penalty ``n·p·β²/2`` on standardised columns,
Breslow baseline) without its row-by-row Python loop.

lifelines walks the customers one by one in Python (27 s for 200,000 customers); here each
Newton step is a handful of array operations over all of them:

- the risk-set sums at each distinct duration are reverse cumulative sums of the per-duration sums;
- Efron's correction enumerates the ``l = 0 … d−1`` tied churns of every duration as one array;
- the Hessian's sum over risk sets, ``Σ_k a_k Σ_{i∈R_k} φ_i x_i x_iᵀ``, is ``Xᵀ diag(φ_i Σ_{k ≤ k(i)} a_k) X``.

``tests/models/test_risk_cox.py`` checks coefficients, baseline and risks against lifelines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cs_models.errors import DataError

#: Newton-Raphson stops when no coefficient moves more than this (on the standardised scale).
TOLERANCE = 1e-10
MAX_STEPS = 100


@dataclass(frozen=True)
class CoxFit:
    """A fitted penalised Cox model.

    Attributes
    ----------
    params : ndarray
        Log hazard ratio per unit of each column (lifelines' ``params_``).
    mean : ndarray
        Column means: partial hazards are ``exp((x − mean)·params)`` (lifelines' convention).
    times, cumulative_hazard : ndarray
        Distinct durations (ascending) and the Breslow baseline cumulative hazard at them.
    """

    params: np.ndarray
    mean: np.ndarray
    times: np.ndarray
    cumulative_hazard: np.ndarray

    def partial_hazard(self, x: np.ndarray) -> np.ndarray:
        """``exp((x − mean)·params)`` of each row.

        Parameters
        ----------
        x : ndarray
            Rows of the model's columns, in the fitted order.

        Returns
        -------
        ndarray
            One relative hazard per row.
        """
        return np.exp((np.asarray(x, float) - self.mean) @ self.params)


@dataclass(frozen=True)
class _Sorted:
    """Standardised rows sorted by duration, with their distinct-duration groups."""

    x: np.ndarray
    event: np.ndarray
    group: np.ndarray  # index of each row's distinct duration
    starts: np.ndarray  # first row of each distinct duration
    deaths: np.ndarray  # churns at each distinct duration
    pair_group: np.ndarray  # for every churn: its duration's group (Efron's l = 0 … d−1)
    pair_frac: np.ndarray  # l / d


def _prepare(x: np.ndarray, duration: np.ndarray, event: np.ndarray) -> tuple[_Sorted, np.ndarray]:
    order = np.argsort(duration, kind="stable")
    t, e = duration[order], event[order].astype(bool)
    times, starts, group = np.unique(t, return_index=True, return_inverse=True)
    deaths = np.add.reduceat(e.astype(float), starts)
    counts = deaths.astype(int)
    pair_group = np.repeat(np.arange(len(times)), counts)
    first = np.cumsum(counts) - counts
    rank = np.arange(counts.sum()) - np.repeat(first, counts)
    frac = rank / np.maximum(counts[pair_group], 1)
    return _Sorted(x[order], e, group, starts, deaths, pair_group, frac), times


def _efron(s: _Sorted, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Efron partial log-likelihood, gradient and Hessian at ``beta`` (no penalty)."""
    eta = s.x @ beta
    phi = np.exp(eta)
    phi_x = phi[:, None] * s.x
    risk0 = np.add.reduceat(phi, s.starts)[::-1].cumsum()[::-1]
    risk1 = np.add.reduceat(phi_x, s.starts, axis=0)[::-1].cumsum(axis=0)[::-1]
    dead = s.event.astype(float)
    tie0 = np.add.reduceat(phi * dead, s.starts)
    tie1 = np.add.reduceat(phi_x * dead[:, None], s.starts, axis=0)
    g, f = s.pair_group, s.pair_frac
    den = risk0[g] - f * tie0[g]
    num = risk1[g] - f[:, None] * tie1[g]
    z = num / den[:, None]
    ll = float(eta[s.event].sum() - np.log(den).sum())
    grad = s.x[s.event].sum(axis=0) - z.sum(axis=0)
    k = len(s.starts)
    a = np.bincount(g, weights=1 / den, minlength=k).cumsum()[s.group]  # Σ over the risk sets holding i
    b = np.bincount(g, weights=f / den, minlength=k)[s.group] * dead
    w = phi * (a - b)
    hess = z.T @ z - (s.x * w[:, None]).T @ s.x
    return ll, grad, hess


def _newton(s: _Sorted, penalty: float) -> np.ndarray:
    """Maximise the penalised likelihood (strictly concave) by Newton steps with step halving."""
    d = s.x.shape[1]
    beta = np.zeros(d)

    def evaluate(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        ll, grad, hess = _efron(s, b)
        return ll - 0.5 * penalty * b @ b, grad - penalty * b, hess - penalty * np.eye(d)

    ll, grad, hess = evaluate(beta)
    for _ in range(MAX_STEPS):
        delta = np.linalg.solve(-hess, grad)
        step = 1.0
        while True:
            trial = beta + step * delta
            new = evaluate(trial)
            if (np.isfinite(new[0]) and new[0] >= ll - 1e-12 * abs(ll)) or step < 1e-6:
                break
            step /= 2
        beta, (ll, grad, hess) = trial, new
        if np.max(np.abs(step * delta)) < TOLERANCE:
            return beta
    raise DataError("risk_cox_failed", "the Cox model did not converge")


def fit_cox(x: np.ndarray, duration: np.ndarray, event: np.ndarray, *, penalizer: float,
            fit_rows: np.ndarray | None = None) -> CoxFit:
    """Penalised Cox model (Efron ties) of ``duration``/``event`` on the columns of ``x``.

    Parameters
    ----------
    x : ndarray
        ``(n, d)`` covariates (no constant column).
    duration : ndarray
        Time to churn or censoring of each row.
    event : ndarray
        True where the row churned.
    penalizer : float
        lifelines' ``penalizer``: the ridge penalty ``n·penalizer·‖β‖²/2`` on standardised columns.
    fit_rows : ndarray, optional
        Indices of the rows whose likelihood gives the coefficients (a sample of a large table);
        the baseline hazard always uses every row.

    Returns
    -------
    CoxFit
        Coefficients per unit of the columns, their means, and the Breslow baseline.
    """
    x = np.asarray(x, float)
    duration, event = np.asarray(duration, float), np.asarray(event, bool)
    rows = np.arange(len(x)) if fit_rows is None else np.asarray(fit_rows)
    mean, std = x[rows].mean(axis=0), x[rows].std(axis=0, ddof=1)
    std = np.where(std > 0, std, 1.0)  # a column constant in the sample: its coefficient stays 0
    sample, _ = _prepare((x[rows] - mean) / std, duration[rows], event[rows])
    beta = _newton(sample, penalizer * len(rows)) / std
    full, times = _prepare(x - mean, duration, event)
    phi = np.exp(full.x @ beta)
    at_risk = np.add.reduceat(phi, full.starts)[::-1].cumsum()[::-1]
    return CoxFit(params=beta, mean=mean, times=times, cumulative_hazard=np.cumsum(full.deaths / at_risk))
