"""Churn risk (``cs_models.risk``) against references: lifelines' own survival prediction for the
conditional probability, scipy's Mann–Whitney U for the AUC, and the rule that a backtest sees nothing
after its as-of date."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from scipy.stats import mannwhitneyu

from cs_models import risk
from cs_models.risk import _design, _score, risk_scores
from cs_models.sample import load_sample
from cs_models.survival import default_covariates, durations

HORIZON = 90


@pytest.fixture(scope="module")
def sample():
    datasets = load_sample("en")
    return datasets.customers, datasets.latest_date()


def test_conditional_risk_equals_lifelines_survival_prediction(sample):
    """1 − S(t + h | x) / S(t | x) with ``CoxPHFitter.predict_survival_function(x, times=[t, t + h])`` of lifelines
    fitted on the same design (the model itself is fitted by ``cs_models.risk_cox``)."""
    customers, as_of = sample
    columns = default_covariates(durations(customers, as_of))
    scored, (_, terms) = _score(customers, as_of, HORIZON, columns)
    frame = durations(customers, as_of)
    design, levels, _ = _design(frame, columns)
    data = design[[t[0] for t in terms]].assign(duration_days=frame["duration_days"].clip(lower=0.5),
                                                event=frame["event"])
    fitter = CoxPHFitter(penalizer=risk.PENALIZER).fit(data, "duration_days", "event")
    active = frame.loc[~frame["event"].to_numpy(bool)].head(40)
    x, _, _ = _design(active, columns, levels)
    x = x[[t[0] for t in terms]]
    knots = fitter.baseline_cumulative_hazard_.index.to_numpy(float)  # lifelines is exact at its own knots
    checked = 0
    for index, row in x.iterrows():
        t = float(active.loc[index, "duration_days"])
        if t + HORIZON > knots[-1]:
            continue  # beyond the data the baseline is extrapolated (tested below)
        curve = fitter.predict_survival_function(row.to_frame().T, times=knots).iloc[:, 0].to_numpy()
        now, later = (float(curve[np.searchsorted(knots, day, side="right") - 1]) for day in (t, t + HORIZON))
        assert scored.loc[index, "risk"] == pytest.approx(1 - later / now, rel=1e-6, abs=1e-9)
        checked += 1
    assert checked >= 10


def test_auc_is_the_mann_whitney_u(sample):
    customers, as_of = sample
    columns = default_covariates(durations(customers, as_of))
    bt = risk.backtest(customers, as_of, HORIZON, columns)
    start = as_of - timedelta(days=HORIZON)
    scored, _ = _score(customers, start, HORIZON, columns)
    ends = pd.to_datetime(customers.set_index("customer_id").loc[scored["customer_id"], "end_date"])
    churned = (ends.notna() & (ends <= pd.Timestamp(as_of))).to_numpy()
    p = scored["risk"].to_numpy()
    u = mannwhitneyu(p[churned], p[~churned]).statistic
    assert bt.auc == pytest.approx(u / (churned.sum() * (~churned).sum()))
    assert bt.events == churned.sum()
    assert bt.brier == pytest.approx(np.mean((p - churned) ** 2))
    assert bt.calibration["customers"].sum() == bt.customers
    assert len(bt.calibration) == risk.DECILES
    assert bt.auc_low < bt.auc < bt.auc_high


def test_a_backtest_sees_nothing_after_its_as_of_date(sample):
    """Moving every churn after the backtest date changes the outcomes, never the scores."""
    customers, as_of = sample
    start = as_of - timedelta(days=HORIZON)
    columns = default_covariates(durations(customers, as_of))
    before, _ = _score(customers, start, HORIZON, columns)
    later = customers["end_date"] > pd.Timestamp(start)
    moved = customers.assign(end_date=customers["end_date"].mask(later, pd.NaT))
    after, _ = _score(moved, start, HORIZON, columns)
    pd.testing.assert_series_equal(before["risk"], after["risk"])


def test_scores_list_every_active_customer_riskiest_first_with_revenue_at_risk(sample):
    customers, as_of = sample
    result = risk_scores(customers, as_of, horizon_days=HORIZON)
    active = durations(customers, as_of)["event"].eq(False).sum()
    scores = result.customers
    assert len(scores) == active
    assert scores["risk"].is_monotonic_decreasing
    assert scores["revenue_at_risk"].to_numpy() == pytest.approx((scores["risk"] * scores["mrr"]).to_numpy())
    assert ((scores["risk"] > 0) & (scores["risk"] < 1)).all()
    assert all(len(d) <= risk.TOP_DRIVERS for d in scores["drivers"])
    longer = risk_scores(customers, as_of, horizon_days=180).customers.set_index("customer_id")["risk"]
    assert (longer.loc[scores["customer_id"]].to_numpy() >= scores["risk"].to_numpy()).all()


def test_drivers_name_the_customers_own_value_and_its_direction(sample):
    """Light-plan customers (the plan that churns most in the sample) have the plan as a driver that raises risk."""
    customers, as_of = sample
    scores = risk_scores(customers, as_of, horizon_days=HORIZON).customers
    light = scores[scores["plan"] == "Light"]
    named = [e for d in light["drivers"] for c, v, e in d if c == "plan"]
    assert named
    assert all(v == "Light" for d in light["drivers"] for c, v, _ in d if c == "plan")
    assert all(e > 0 for e in named)


def test_findings_and_report_agree(sample):
    from cs_models.datasets import Datasets
    from cs_models.report import datasets_report

    customers, as_of = sample
    result = risk_scores(customers, as_of, horizon_days=HORIZON)
    codes = [f.code for f in risk.findings(result)]
    assert codes[0] == ("risk.backtest_good" if result.backtest.informative else "risk.backtest_chance")
    report = datasets_report(Datasets(customers=customers), as_of=as_of, lang="en")["risk"]
    assert report["backtest"]["auc"] == pytest.approx(result.backtest.auc)
    assert len(report["customers"]) == len(result.customers)
    assert {"customer_id", "risk", "revenue_at_risk", "drivers"} <= report["customers"][0].keys()


def test_no_history_means_no_backtest():
    customers = load_sample("en").customers
    young = customers[customers["start_date"] > pd.Timestamp("2026-07-01")]
    result = risk_scores(young, date(2026, 10, 31), horizon_days=180)
    assert result.backtest is None
    assert next(f.code for f in risk.findings(result)) == "risk.no_backtest"
