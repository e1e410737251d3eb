"""Cox proportional hazards on start/stop rows (Efron ties) for the upgrade effect.

The estimate, standard errors, Wald confidence intervals and p-values of lifelines'
``CoxTimeVaryingFitter`` (and, with every row starting at 0, of ``CoxPHFitter``), without importing
lifelines or fitting row by row (:func:`cs_models.efron.maximise`): the Overview's journey card fits
both models on every first visit. ``tests/models/test_journey_cox.py`` checks them against lifelines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from cs_models.efron import maximise


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
    x = np.asarray(x, float).reshape(len(stop), -1)
    fitted = maximise(start, stop, event, x - x.mean(axis=0))
    if fitted is None:
        return None
    beta, hessian = fitted
    try:
        variance = np.linalg.inv(-hessian)
    except np.linalg.LinAlgError:
        return None
    se = np.sqrt(np.diag(variance))
    if not np.all(np.isfinite(se)):
        return None
    z = NormalDist().inv_cdf(1 - alpha / 2)
    p = np.array([math.erfc(abs(b / s) / math.sqrt(2)) for b, s in zip(beta, se, strict=True)])
    return CoxEstimate(coef=beta, se=se, hr=np.exp(beta), hr_low=np.exp(beta - z * se), hr_high=np.exp(beta + z * se),
                       p=p)
