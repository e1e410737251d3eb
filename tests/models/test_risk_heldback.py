"""Churn risk on a held-back simulated dataset whose true hazards are known.

7,000 customers with a plan, a region, a ticket count and a store count get lifetimes from a
Cox model with a Weibull baseline, ``H(t | x) = (t / λ)^k · exp(β·x)`` (drawn by inversion:
``T = λ · (E / exp(β·x))^(1/k)``, ``E ~ Exp(1)``). Nothing in ``cs_models`` was tuned on this
seed. The model is fitted at an earlier as-of date ``T0`` and judged on the customers' *real*
churn within the following horizon (their true end dates, which the model must not see).

The best achievable ranking is that of the true conditional risk
``1 − exp(−(H0(a + h) − H0(a)) · exp(β·x))`` (``a`` = age at ``T0``): its AUC on the same
outcomes is the reference. Both AUCs are computed independently of ``cs_models`` with SciPy's
Mann–Whitney U (``AUC = U / (n1 · n0)``).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu

from cs_models.risk import risk_scores

N = 7_000
DATA_END = date(2026, 1, 1)
T0 = DATA_END - timedelta(days=180)
HORIZON = 90
SHAPE, SCALE = 1.3, 900.0  # Weibull baseline: hazard rising with age; median lifetime ≈ 2 years at x = 0
PLAN_EFFECT = {"basic": 0.0, "standard": -0.5, "premium": -1.0}
REGION_EFFECT = {"north": 0.0, "south": 0.3, "west": 0.0}
TICKETS_EFFECT, STORES_EFFECT = 0.25, -0.15
#: How far below the best achievable AUC the model may fall (sampling error: ~3,500 customers judged).
TOLERANCE = 0.02


def simulate(seed: int = 20261202) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers with their true end dates (none after DATA_END), and each one's linear predictor β·x."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(list(PLAN_EFFECT), N, p=[0.5, 0.3, 0.2])
    region = rng.choice(list(REGION_EFFECT), N, p=[0.4, 0.35, 0.25])
    tickets = rng.poisson(2.0, N)
    stores = 1 + rng.poisson(1.0, N)
    lp = (pd.Series(plan).map(PLAN_EFFECT).to_numpy() + pd.Series(region).map(REGION_EFFECT).to_numpy()
          + TICKETS_EFFECT * tickets + STORES_EFFECT * stores)
    lifetime = SCALE * (rng.exponential(1.0, N) / np.exp(lp)) ** (1 / SHAPE)
    start = pd.Timestamp(DATA_END) - pd.to_timedelta(rng.integers(0, 4 * 365, N), unit="D")
    end = start + pd.to_timedelta(np.ceil(lifetime), unit="D")
    end = end.where(end <= pd.Timestamp(DATA_END))
    customers = pd.DataFrame({
        "customer_id": [f"S{i:05d}" for i in range(N)], "start_date": start, "end_date": end,
        "plan": plan, "region": region, "tickets": tickets, "stores": stores, "mrr": 10_000.0})
    return customers, lp


def true_risk(age: np.ndarray, lp: np.ndarray, horizon: float) -> np.ndarray:
    """``P(T ≤ a + h | T > a, x)`` under the simulation's own hazard."""
    def cumulative(t: np.ndarray) -> np.ndarray:
        return (t / SCALE) ** SHAPE

    return 1 - np.exp(-(cumulative(age + horizon) - cumulative(age)) * np.exp(lp))


def auc(churned: np.ndarray, score: np.ndarray) -> float:
    u = mannwhitneyu(score[churned], score[~churned], alternative="two-sided").statistic
    return float(u / (churned.sum() * (~churned).sum()))


@pytest.fixture(scope="module")
def held_back() -> tuple[pd.DataFrame, np.ndarray]:
    return simulate()


def judged(customers: pd.DataFrame, lp: np.ndarray, as_of: date) -> pd.DataFrame:
    """The customers active at ``as_of``, their real churn in the next horizon and their true risk."""
    cut = pd.Timestamp(as_of)
    active = (customers["start_date"] <= cut) & ~(customers["end_date"] <= cut)
    frame = customers.loc[active, ["customer_id", "start_date", "end_date"]].copy()
    frame["churned"] = (frame["end_date"] <= cut + pd.Timedelta(days=HORIZON)).to_numpy()
    age = (cut - frame["start_date"]).dt.days.to_numpy(float)
    frame["true_risk"] = true_risk(age, lp[active.to_numpy()], HORIZON)
    return frame.set_index("customer_id")


def test_ranking_at_an_earlier_as_of_date_is_close_to_the_best_achievable(held_back):
    """Fitted at T0 on the full table (end dates after T0 must be ignored) and judged on the real churn
    in (T0, T0 + 90 days]."""
    customers, lp = held_back
    result = risk_scores(customers, T0, horizon_days=HORIZON)
    truth = judged(customers, lp, T0)
    assert 3_000 <= len(truth) <= 8_000  # the held-back customers judged
    assert set(result.customers["customer_id"]) == set(truth.index)  # every active customer, no one else
    scored = truth.join(result.customers.set_index("customer_id")["risk"])
    churned = scored["churned"].to_numpy(bool)
    assert churned.sum() >= 100
    best, model = auc(churned, scored["true_risk"].to_numpy()), auc(churned, scored["risk"].to_numpy())
    assert best > 0.6  # the covariates matter: a ranking can be judged
    assert model >= best - TOLERANCE, (model, best)
    # calibrated in the large: the expected number of churns is close to the real one (Poisson sd ≈ √n)
    assert abs(scored["risk"].sum() - churned.sum()) < 4 * np.sqrt(churned.sum())


def test_backtest_auc_is_that_of_the_real_churn_after_its_as_of_date(held_back):
    """The backtest shown on the page (refit at T0 − h, judged on T0 − h … T0) against the same oracle."""
    customers, lp = held_back
    visible = customers.assign(end_date=customers["end_date"].where(customers["end_date"] <= pd.Timestamp(T0)))
    bt = risk_scores(visible, T0, horizon_days=HORIZON).backtest
    assert bt is not None
    truth = judged(customers, lp, bt.as_of)
    assert bt.as_of == T0 - timedelta(days=HORIZON)
    assert bt.customers == len(truth)
    assert bt.events == int(truth["churned"].sum())
    best = auc(truth["churned"].to_numpy(bool), truth["true_risk"].to_numpy())
    assert bt.auc >= best - TOLERANCE, (bt.auc, best)
    assert bt.auc <= best + TOLERANCE  # no better than the truth either (beyond sampling noise): no leak
