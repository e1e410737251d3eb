"""The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007, 2010).

Each customer churns at the end of a period with a probability θ that stays fixed over their
life; θ varies across customers as Beta(α, β). A customer's churn period ``T`` (1, 2, …) then has

- ``P(T = t) = B(α + 1, β + t − 1) / B(α, β)``,
- ``S(t) = P(T > t) = B(α, β + t) / B(α, β)`` (the share still active after ``t`` renewals),

and the retention rate ``S(t) / S(t − 1) = (β + t − 1) / (α + β + t − 1)`` rises with tenure
because the churn-prone leave first. The model is fitted by maximum likelihood to period counts:
customers lost in each period plus the survivors right-censored at the last period they were
observed through (several cohorts pooled; Fader & Hardie 2007, §4 and appendix B).

Discounted expected residual lifetime (Fader & Hardie 2010, eq. 6) of a customer who has
renewed ``r`` times (``n − 1`` in the paper):

``DERL = Σ_{t>r} S(t) / S(r) / (1 + d)^{t−r−1}
= (β + r) / (α + β + r) · ₂F₁(1, β + r + 1; α + β + r + 1; 1 / (1 + d))``.

It counts the customer's expected future renewals (payments), the next one undiscounted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from cs_models.results import Result
from cs_models.stats import ALPHA, FloatArray, check_alpha

#: Bounds of log α and log β of the search (α, β in [e^-9, e^9]); a fit on a bound is noted.
LOG_BOUND = 9.0
#: Draws of (log α, log β) from their asymptotic normal distribution for the bands.
DRAWS = 2000
#: Seed of those draws (the bands are deterministic).
SEED = 20070501


@dataclass(frozen=True)
class SBGFit(Result):
    """Maximum-likelihood sBG fit to period counts.

    Attributes
    ----------
    alpha_hat, beta_hat : float
        Estimates of the Beta(α, β) churn-probability distribution (``alpha`` is the
        significance level, as in every result).
    alpha_ci, beta_ci : tuple of float
        Wald intervals on the log scale (from the observed information), transformed back.
    log_cov : tuple of tuple of float
        Covariance of ``(log α, log β)`` (inverse of the observed information).
    log_likelihood : float
    customers : int
        Customers in the counts (those observed for at least one period and the rest).
    churned : int
        Churn events in the counts.
    periods : int
        The last period with a count.
    at_bound : bool
        An estimate lies on the search bound (the likelihood keeps rising: few churns, or a
        homogeneous, geometric population); its intervals are then unreliable.
    """

    alpha_hat: float
    beta_hat: float
    alpha_ci: tuple[float, float]
    beta_ci: tuple[float, float]
    log_cov: tuple[tuple[float, float], tuple[float, float]]
    log_likelihood: float
    customers: int
    churned: int
    periods: int
    at_bound: bool = False


def survival(alpha: float, beta: float, periods: int | np.ndarray) -> FloatArray:
    """``S(t) = B(α, β + t) / B(α, β)`` for ``t = 0 … periods`` (or the given ``t``).

    Parameters
    ----------
    alpha, beta : float
        sBG parameters.
    periods : int or array of int
        The last period (an ``int``: ``t = 0 … periods``) or the periods themselves.

    Returns
    -------
    numpy.ndarray
        The share still active after each ``t`` renewals (``S(0) = 1``).
    """
    t = np.arange(periods + 1) if isinstance(periods, int | np.integer) else np.asarray(periods)
    return np.asarray(np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta)), dtype=float)


def churn_probability(alpha: float, beta: float, periods: int) -> FloatArray:
    """``P(T = t) = B(α + 1, β + t − 1) / B(α, β)`` for ``t = 1 … periods``.

    Parameters
    ----------
    alpha, beta : float
        sBG parameters.
    periods : int
        The last period.

    Returns
    -------
    numpy.ndarray
        Probability of churning at the end of each period.
    """
    t = np.arange(1, periods + 1)
    return np.asarray(np.exp(special.betaln(alpha + 1, beta + t - 1) - special.betaln(alpha, beta)), dtype=float)


def _loglik_grad(theta: np.ndarray, churned: np.ndarray, censored: np.ndarray) -> tuple[float, np.ndarray]:
    """Log-likelihood and its gradient in ``(log α, log β)``; ``churned[t-1]`` lost at ``t``,
    ``censored[n]`` still active after ``n`` periods."""
    a, b = np.exp(theta)
    t = np.arange(1, churned.size + 1)
    n = np.arange(censored.size)
    base = special.betaln(a, b)
    ll = float(churned @ (special.betaln(a + 1, b + t - 1) - base) + censored @ (special.betaln(a, b + n) - base))
    psi_ab = special.digamma(a + b)
    da_p = special.digamma(a + 1) - special.digamma(a + b + t) - special.digamma(a) + psi_ab
    db_p = special.digamma(b + t - 1) - special.digamma(a + b + t) - special.digamma(b) + psi_ab
    da_s = psi_ab - special.digamma(a + b + n)
    db_s = special.digamma(b + n) - special.digamma(a + b + n) - special.digamma(b) + psi_ab
    grad = np.array([a * (churned @ da_p + censored @ da_s), b * (churned @ db_p + censored @ db_s)])
    return ll, grad


def _hessian(theta: np.ndarray, churned: np.ndarray, censored: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Hessian of the log-likelihood in ``(log α, log β)`` by central differences of the gradient."""
    h = np.empty((2, 2))
    for i in range(2):
        e = np.zeros(2)
        e[i] = step
        h[:, i] = (_loglik_grad(theta + e, churned, censored)[1] - _loglik_grad(theta - e, churned, censored)[1]) / (
            2 * step
        )
    return (h + h.T) / 2


def fit_sbg(churned: np.ndarray, censored: np.ndarray, *, alpha: float = ALPHA) -> SBGFit:
    """Fit the sBG model by maximum likelihood to churn and censoring counts.

    Parameters
    ----------
    churned : array of int
        ``churned[t − 1]``: customers lost at the end of period ``t`` (``t = 1 … T``).
    censored : array of int
        ``censored[n]``: customers still active after ``n`` periods, whose later periods are
        not yet complete (``n = 0 … T``); one cohort observed for ``T`` periods has only
        ``censored[T]``.
    alpha : float
        ``1 −`` confidence level of the intervals.

    Returns
    -------
    SBGFit

    Raises
    ------
    ValueError
        Negative counts, or no churn at all (the likelihood has no maximum).
    """
    check_alpha(alpha)
    churned = np.asarray(churned, dtype=float)
    censored = np.asarray(censored, dtype=float)
    if (churned < 0).any() or (censored < 0).any():
        raise ValueError("counts must be non-negative")
    if churned.sum() == 0:
        raise ValueError("no churn: the sBG likelihood has no maximum")
    bounds = [(-LOG_BOUND, LOG_BOUND)] * 2
    result = optimize.minimize(
        lambda th: tuple(-v for v in _loglik_grad(th, churned, censored)),
        x0=np.zeros(2), jac=True, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-10},
    )
    theta = result.x
    at_bound = bool(np.any(np.abs(theta) >= LOG_BOUND - 1e-6))
    info = -_hessian(theta, churned, censored)
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.full((2, 2), np.nan)
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        cov = np.full((2, 2), np.nan)
    z = stats.norm.ppf(1 - alpha / 2)
    se = np.sqrt(np.diag(cov))
    lows, highs = np.exp(theta - z * se), np.exp(theta + z * se)
    return SBGFit(
        alpha_hat=float(np.exp(theta[0])), beta_hat=float(np.exp(theta[1])),
        alpha_ci=(float(lows[0]), float(highs[0])), beta_ci=(float(lows[1]), float(highs[1])),
        log_cov=((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
        log_likelihood=float(-result.fun), customers=int(churned.sum() + censored.sum()),
        churned=int(churned.sum()), periods=int(max(churned.size, censored.size - 1)), at_bound=at_bound,
        alpha=alpha, notes=("fit_at_bound",) if at_bound else (),
    )


def counts_from_survival(survivors: np.ndarray) -> tuple[FloatArray, FloatArray]:
    """Churn and censoring counts of one cohort from its numbers still active after each period.

    Parameters
    ----------
    survivors : array
        Customers active after ``0, 1, …, T`` periods (``survivors[0]`` is the cohort size).

    Returns
    -------
    tuple of numpy.ndarray
        ``(churned, censored)`` as :func:`fit_sbg` takes them (all survivors censored at ``T``).
    """
    survivors = np.asarray(survivors, dtype=float)
    censored = np.zeros(survivors.size)
    censored[-1] = survivors[-1]
    return -np.diff(survivors), censored


def derl(alpha: float | np.ndarray, beta: float | np.ndarray, renewals: int | np.ndarray,
         discount: float) -> FloatArray:
    """Discounted expected residual lifetime (Fader & Hardie 2010, eq. 6), in periods.

    Parameters
    ----------
    alpha, beta : float or array
        sBG parameters (arrays broadcast with ``renewals``).
    renewals : int or array of int
        Renewals the customer has made so far (``n − 1`` in the paper; 0 for a new customer).
    discount : float
        Discount rate per period ``d`` (> 0).

    Returns
    -------
    numpy.ndarray
        Expected discounted number of future renewals (payments), the next one undiscounted.
    """
    if discount <= 0:
        raise ValueError("the discount rate must be positive (the undiscounted sum may diverge)")
    r = np.asarray(renewals, dtype=float)
    return np.asarray((beta + r) / (alpha + beta + r) * special.hyp2f1(1.0, beta + r + 1, alpha + beta + r + 1,
                                                                     1.0 / (1.0 + discount)), dtype=float)


def derl_by_renewals(alpha: np.ndarray, beta: np.ndarray, renewals: np.ndarray, discount: float) -> FloatArray:
    """DERL of many parameter pairs at several renewal counts: one ₂F₁ per pair, then the recursion.

    ``DERL(r) = ρ (1 + DERL(r + 1) / (1 + d))`` with ``ρ = (β + r) / (α + β + r)`` the retention
    rate of the next renewal, run down from the largest ``r`` (evaluated in closed form).

    Parameters
    ----------
    alpha, beta : numpy.ndarray
        Parameter pairs (same length).
    renewals : numpy.ndarray of int
        Renewal counts wanted (non-negative).
    discount : float
        Discount rate per period.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(alpha), len(renewals))``.
    """
    alpha, beta = np.asarray(alpha, dtype=float)[:, None], np.asarray(beta, dtype=float)[:, None]
    renewals = np.asarray(renewals, dtype=np.int64)
    top = int(renewals.max()) if renewals.size else 0
    table = np.empty((alpha.shape[0], top + 1))
    table[:, top] = derl(alpha[:, 0], beta[:, 0], top, discount)
    for r in range(top - 1, -1, -1):
        table[:, r] = (beta[:, 0] + r) / (alpha[:, 0] + beta[:, 0] + r) * (1 + table[:, r + 1] / (1 + discount))
    return table[:, renewals]


def draws(fit: SBGFit, n: int = DRAWS, seed: int = SEED) -> tuple[FloatArray, FloatArray]:
    """Parameter draws from the asymptotic normal distribution of ``(log α, log β)``.

    Parameters
    ----------
    fit : SBGFit
        The fit whose estimates and covariance are drawn from.
    n : int
        Number of draws.
    seed : int
        Seed of the generator (the bands are reproducible).

    Returns
    -------
    tuple of numpy.ndarray
        ``(alphas, betas)``; empty when the covariance is not available.
    """
    cov = np.array(fit.log_cov)
    if not np.all(np.isfinite(cov)):
        return np.empty(0), np.empty(0)
    rng = np.random.default_rng(seed)
    theta = rng.multivariate_normal([np.log(fit.alpha_hat), np.log(fit.beta_hat)], cov, size=n, method="cholesky")
    theta = np.clip(theta, -LOG_BOUND, LOG_BOUND)
    return np.exp(theta[:, 0]), np.exp(theta[:, 1])


def survival_band(fit: SBGFit, periods: int) -> tuple[FloatArray, FloatArray]:
    """Pointwise ``1 − alpha`` band of ``S(0 … periods)`` from the parameter draws.

    Parameters
    ----------
    fit : SBGFit
        The fit (its ``alpha`` sets the level).
    periods : int
        The last period of the band.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper ends (NaN without a covariance).
    """
    a, b = draws(fit)
    if a.size == 0:
        nan = np.full(periods + 1, np.nan)
        return nan, nan.copy()
    t = np.arange(periods + 1)
    s = np.exp(special.betaln(a[:, None], b[:, None] + t) - special.betaln(a, b)[:, None])
    q = fit.alpha / 2
    return np.quantile(s, q, axis=0), np.quantile(s, 1 - q, axis=0)


def derl_interval(fit: SBGFit, renewals: int, discount: float) -> tuple[float, float]:
    """Pointwise ``1 − alpha`` interval of the DERL of a customer with ``renewals`` renewals.

    Parameters
    ----------
    fit : SBGFit
        The fit (its ``alpha`` sets the level).
    renewals : int
        Renewals made so far.
    discount : float
        Discount rate per period.

    Returns
    -------
    tuple of float
        Lower and upper ends (NaN without a covariance).
    """
    a, b = draws(fit)
    if a.size == 0:
        return float("nan"), float("nan")
    values = derl(a, b, renewals, discount)
    q = fit.alpha / 2
    return float(np.quantile(values, q)), float(np.quantile(values, 1 - q))
