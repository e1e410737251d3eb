"""Lifetime value over the journey: a monthly Markov chain among the stages with churn absorbing.

With ``Q`` the monthly transitions among the stages (the transient block of the matrix), ``m`` the
monthly revenue in each stage and ``d = (1 + r)^(-1/12)`` the monthly discount factor of the annual
rate ``r``, the expected discounted revenue of a customer entering stage ``i`` (revenue at the start
of each month spent as a customer) is ``(N m)_i`` with the fundamental matrix ``N = (I − d Q)^(-1)``
(Kemeny & Snell, *Finite Markov Chains*, 1960, ch. 3). Undiscounted, ``N_ij`` is the expected number of
months spent in stage ``j`` and ``N_ij / N_jj`` the chance of ever reaching ``j``. The value of a
customer following a path of stages is :func:`path_ltv`. Confidence intervals come from a bootstrap
over customers (their transition counts resampled together, :func:`bootstrap`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

#: Bootstrap replicates of the LTV intervals.
BOOTSTRAP = 400
BOOTSTRAP_SEED = 14


def monthly_discount(annual_rate: float) -> float:
    """The monthly discount factor of an annual rate.

    Parameters
    ----------
    annual_rate : float
        E.g. ``0.1`` for 10% a year; ``0`` for no discounting.

    Returns
    -------
    float
        ``(1 + annual_rate) ** (-1/12)``.
    """
    if not 0 <= annual_rate < 10:
        raise ValueError("annual_rate must be in [0, 10)")
    return float((1.0 + annual_rate) ** (-1.0 / 12.0))


def transition_matrix(counts: np.ndarray) -> np.ndarray:
    """Row-normalised monthly transition probabilities (stages → stages and churn).

    Parameters
    ----------
    counts : ndarray
        ``(K, K + 1)`` transition counts (summed over customers).

    Returns
    -------
    ndarray
        ``(K, K + 1)``; a stage never observed with a successor has a row of NaN.
    """
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, counts / totals, np.nan)


def fundamental(matrix: np.ndarray, discount: float = 1.0) -> np.ndarray:
    """``N = (I − d Q)^(-1)``: expected (discounted) months in each stage from each stage.

    Parameters
    ----------
    matrix : ndarray
        ``(K, K + 1)`` transition probabilities (last column: churn).
    discount : float
        Monthly discount factor ``d`` (1 = undiscounted).

    Returns
    -------
    ndarray
        ``(K, K)``; all NaN when a row is unknown or churn is never reached (singular ``I − Q``).
    """
    k = matrix.shape[0]
    q = matrix[:, :k]
    if np.isnan(q).any():
        return np.full((k, k), np.nan)
    try:
        n = np.linalg.inv(np.eye(k) - discount * q)
    except np.linalg.LinAlgError:
        return np.full((k, k), np.nan)
    return n if np.isfinite(n).all() and (n >= -1e-9).all() else np.full((k, k), np.nan)


def markov_ltv(matrix: np.ndarray, mrr: np.ndarray, discount: float) -> np.ndarray:
    """Expected discounted revenue until churn from each entry stage, ``N m``.

    Parameters
    ----------
    matrix : ndarray
        ``(K, K + 1)`` monthly transition probabilities.
    mrr : ndarray
        ``(K,)`` monthly revenue in each stage (ones for expected months as a customer).
    discount : float
        Monthly discount factor.

    Returns
    -------
    ndarray
        ``(K,)`` lifetime value by entry stage.
    """
    return fundamental(matrix, discount) @ np.asarray(mrr, dtype=float)


def reach(matrix: np.ndarray) -> np.ndarray:
    """The chance of ever being in stage ``j`` after entering stage ``i`` (``N_ij / N_jj``).

    Parameters
    ----------
    matrix : ndarray
        ``(K, K + 1)`` monthly transition probabilities.

    Returns
    -------
    ndarray
        ``(K, K)`` with ones on the diagonal.
    """
    n = fundamental(matrix)
    return n / np.diag(n)[None, :]


def bootstrap(counts: np.ndarray, statistic: Callable[[np.ndarray], np.ndarray], *, replicates: int = BOOTSTRAP,
              seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """A statistic of the transition matrix for bootstrap samples of customers.

    Customers are resampled with replacement (their transition counts together); each sample's
    counts give a matrix (:func:`transition_matrix`) and ``statistic`` of it.

    Parameters
    ----------
    counts : ndarray
        ``(customers, K, K + 1)`` per-customer transition counts.
    statistic : callable
        ``(K, K + 1)`` matrix -> 1-d array (e.g. the LTV by entry stage).
    replicates : int
        Bootstrap samples.
    seed : int
        Seed of the resampling (the same seed gives the same samples for every statistic).

    Returns
    -------
    ndarray
        ``(replicates, len(statistic))``.
    """
    rng = np.random.default_rng(seed)
    n = counts.shape[0]
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=replicates).astype(float)
    summed = np.tensordot(weights, counts, axes=1)
    return np.array([statistic(transition_matrix(s)) for s in summed])


def bootstrap_ltv(counts: np.ndarray, mrr: np.ndarray, discount: float, *, replicates: int = BOOTSTRAP,
                  seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """LTV by entry stage for bootstrap samples of customers (:func:`bootstrap` of :func:`markov_ltv`).

    Parameters
    ----------
    counts : ndarray
        ``(customers, K, K + 1)`` per-customer transition counts.
    mrr : ndarray
        ``(K,)`` monthly revenue by stage (held fixed).
    discount : float
        Monthly discount factor.
    replicates : int
        Bootstrap samples.
    seed : int
        Seed of the resampling.

    Returns
    -------
    ndarray
        ``(replicates, K)``; NaN where a replicate has no observation of a stage.
    """
    return bootstrap(counts, lambda m: markov_ltv(m, mrr, discount), replicates=replicates, seed=seed)


def path_ltv(matrix: np.ndarray, path: Sequence[int], mrr: np.ndarray, discount: float) -> float:
    """Expected discounted revenue from entry of a customer whose first stages follow ``path``.

    ``path = (s_1, …, s_k)`` lists the stages in the order visited (each different from the one
    before). In the chain a stay in stage ``i`` lasts ``T`` months with ``P(T = t) = q^(t-1)(1 − q)``,
    ``q = Q_ii``, whatever stage comes next, and the stays are independent given the stages visited.
    So, given the path, a stay in ``s_m`` (``m < k``) is worth ``E[Σ_{u<T} d^u] m_i = m_i / (1 − d q)``
    and carries the later revenue ``E[d^T] = d (1 − q) / (1 − d q)`` further into the future; from the
    last stage on nothing more is assumed and the chain's LTV of that stage applies::

        V(path) = Σ_{m<k} D_m m_{s_m} / (1 − d Q_{s_m s_m}) + D_k (N m)_{s_k},
        D_1 = 1,  D_{m+1} = D_m d (1 − Q_{s_m s_m}) / (1 − d Q_{s_m s_m}).

    A one-stage path is the LTV of its entry stage.

    Parameters
    ----------
    matrix : ndarray
        ``(K, K + 1)`` monthly transition probabilities.
    path : sequence of int
        Stage indices in the order visited.
    mrr : ndarray
        ``(K,)`` monthly revenue by stage.
    discount : float
        Monthly discount factor ``d``.

    Returns
    -------
    float
        ``V(path)``; NaN when the chain cannot value it (unknown rows, or a step of the path the
        chain gives no chance).
    """
    values = np.asarray(mrr, dtype=float)
    total, carry = 0.0, 1.0
    for here, there in itertools.pairwise(path):
        q = matrix[here, here]
        if not matrix[here, there] > 0:
            return float("nan")
        total += carry * values[here] / (1.0 - discount * q)
        carry *= discount * (1.0 - q) / (1.0 - discount * q)
    return float(total + carry * markov_ltv(matrix, values, discount)[path[-1]])


def path_chance(matrix: np.ndarray, path: Sequence[int]) -> float:
    """The chance a customer entering ``path[0]`` moves through the path's stages in that order.

    Parameters
    ----------
    matrix : ndarray
        ``(K, K + 1)`` monthly transition probabilities.
    path : sequence of int
        Stage indices in the order visited.

    Returns
    -------
    float
        The product over the path's moves of ``Q_ij / (1 − Q_ii)`` (the chance that leaving ``i``
        goes to ``j``); 1 for a one-stage path.
    """
    chance = 1.0
    for here, there in itertools.pairwise(path):
        chance *= matrix[here, there] / (1.0 - matrix[here, here])
    return float(chance)


def simulate(matrix: np.ndarray, mrr: np.ndarray, discount: float, entry: int, n: int, *, seed: int = 0,
             horizon: int = 1200) -> np.ndarray:
    """Monte Carlo of the same chain: each simulated customer's discounted revenue until churn.

    Parameters
    ----------
    matrix : ndarray
        ``(K, K + 1)`` monthly transition probabilities.
    mrr : ndarray
        ``(K,)`` monthly revenue by stage.
    discount : float
        Monthly discount factor.
    entry : int
        Stage index every simulated customer starts in.
    n : int
        Simulated customers.
    seed : int
        Seed.
    horizon : int
        Months after which the simulation stops (a safeguard; revenue beyond is negligible).

    Returns
    -------
    ndarray
        ``(n,)`` discounted revenues.
    """
    rng = np.random.default_rng(seed)
    k = matrix.shape[0]
    cumulative = np.cumsum(matrix, axis=1)
    state = np.full(n, entry)
    value = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    factor = 1.0
    for _ in range(horizon):
        if not alive.any():
            break
        value[alive] += factor * np.asarray(mrr)[state[alive]]
        draw = rng.random(alive.sum())
        nxt = (draw[:, None] > cumulative[state[alive]]).sum(axis=1)
        state[alive] = np.minimum(nxt, k)
        alive[alive] = nxt < k
        factor *= discount
    return value


def stage_mrr(spells: pd.DataFrame, order: Sequence[str], history: pd.DataFrame,
              customers: pd.DataFrame) -> tuple[np.ndarray, str]:
    """Monthly revenue of each stage: the history's amounts, else customers' MRR by current stage.

    Parameters
    ----------
    spells : DataFrame
        Output of :func:`cs_models.journey.stages.spells`.
    order : sequence of str
        Stages from first to last.
    history : DataFrame
        Canonical plan history (an ``mrr`` column, when mapped, gives the price at each change).
    customers : DataFrame
        Canonical customers (``mrr``: the current MRR, credited to the customer's current stage).

    Returns
    -------
    (ndarray, str)
        Revenue by stage and its source: ``"history"``, ``"customers"`` or ``"months"`` (no amounts:
        ones, so the LTV is the expected months as a customer). A stage without amounts gets the
        mean of the others.
    """
    if "mrr" in history and history["mrr"].notna().any():
        by_stage, source = history.groupby(history["plan"].astype(str), observed=True)["mrr"].mean(), "history"
    elif "mrr" in customers and customers["mrr"].notna().any():
        current = spells.drop_duplicates("customer_id", keep="last").set_index("customer_id")["stage"]
        mrr = customers.drop_duplicates("customer_id").set_index("customer_id")["mrr"]
        by_stage, source = mrr.reindex(current.index).groupby(current, observed=True).mean(), "customers"
    else:
        return np.ones(len(order)), "months"
    values = np.array([by_stage.get(s, np.nan) for s in order], dtype=float)
    fill = np.nanmean(values) if np.isfinite(values).any() else 1.0
    return np.where(np.isfinite(values), values, fill), source
