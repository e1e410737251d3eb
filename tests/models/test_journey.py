"""The customer journey (``cs_models.journey``) against independent references.

References: a Monte Carlo simulation of the same Markov chain (the LTV of the fundamental matrix
must lie within its confidence interval) and a direct sum ``Σ d^k Q^k m``; lifelines
``CoxTimeVaryingFitter`` / ``CoxPHFitter`` on start/stop tables built by hand; lifelines
``KaplanMeierFitter`` for the time in stage; the exact Poisson interval of 10 events (4.7954–18.3904,
Garwood 1936, as tabulated e.g. by Ulm 1990, Am J Epidemiol 131:373); a simulation with no upgrade
effect, where the naive comparison is biased (immortal time) and the time-varying estimate is not.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, CoxTimeVaryingFitter, KaplanMeierFitter

from cs_models import journey
from cs_models.errors import DataError
from cs_models.journey import ltv as mk
from cs_models.journey import stages
from cs_models.pipeline import load_files
from cs_models.sample import load_sample

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plan_history"
AS_OF = date(2025, 12, 31)
ORDER = ("beginner", "mid", "pro")


@pytest.fixture(scope="module")
def sample_result():
    data = load_sample("en")
    return journey.analyse_journey(data.plan_history, data.customers, data.latest_date())


def _simulated(n: int = 1500, seed: int = 5, effect: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Customers with exponential lifetimes (monthly hazard 4%) and an upgrade at an exponential time
    (mean 10 months) when it comes before churn; after the upgrade the hazard is multiplied by ``effect``."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    rate = 0.04 / 30.4375
    up = rng.exponential(10 * 30.4375, n)
    first = rng.exponential(1 / rate, n)
    life = np.where(first > up, up + rng.exponential(1 / (rate * effect), n), first)
    life = np.ceil(life)
    end = start + pd.to_timedelta(life, unit="D")
    customers = pd.DataFrame({"customer_id": [f"S{i}" for i in range(n)], "start_date": start,
                              "end_date": end.where(end <= pd.Timestamp(AS_OF))})
    horizon = (pd.Timestamp(AS_OF) - start).days.to_numpy(float)
    observed = np.minimum(life, horizon)
    upgraded = np.floor(up) < observed
    up_day = np.maximum(np.floor(up), 1.0)
    rows = [(f"S{i}", start[i], "beginner") for i in range(n)]
    rows += [(f"S{i}", start[i] + pd.Timedelta(days=up_day[i]), "mid") for i in np.flatnonzero(upgraded)]
    history = pd.DataFrame(rows, columns=["customer_id", "date", "plan"])
    truth = {"up_day": np.where(upgraded, up_day, np.nan), "observed": observed,
             "event": customers["end_date"].notna().to_numpy()}
    return history, customers, truth


def _hand_table(truth: dict) -> pd.DataFrame:
    """Start/stop rows written out directly: [0, u) not upgraded, [u, T) upgraded, event on the last row."""
    rows = []
    for i, (u, t, e) in enumerate(zip(truth["up_day"], truth["observed"], truth["event"], strict=True)):
        if np.isfinite(u):
            rows += [(f"S{i}", 0.0, u, 0.0, False), (f"S{i}", u, t, 1.0, bool(e))]
        else:
            rows.append((f"S{i}", 0.0, t, 0.0, bool(e)))
    return pd.DataFrame(rows, columns=["id", "start", "stop", "upgraded", "event"])


def test_markov_ltv_equals_a_monte_carlo_of_the_same_chain(sample_result):
    """The fundamental-matrix LTV of each entry stage lies in the 99% CI of 40,000 simulated customers."""
    r = sample_result
    matrix = r.matrix.to_numpy(float)
    discount = mk.monthly_discount(r.discount_rate)
    for i, stage in enumerate(r.order):
        values = mk.simulate(matrix, r.mrr.to_numpy(float), discount, i, 40_000, seed=i)
        mean, se = values.mean(), values.std(ddof=1) / np.sqrt(len(values))
        assert abs(r.ltv.loc[stage, "ltv"] - mean) < 2.576 * se, stage
        assert r.ltv.loc[stage, "low"] < r.ltv.loc[stage, "ltv"] < r.ltv.loc[stage, "high"]


def test_fundamental_matrix_equals_the_direct_sum():
    """``(I − dQ)^-1 m`` equals ``Σ_k d^k Q^k m`` summed to 2,000 months (hand-set chain)."""
    matrix = np.array([[0.90, 0.05, 0.0, 0.05], [0.02, 0.93, 0.03, 0.02], [0.0, 0.01, 0.97, 0.02]])
    mrr, d = np.array([10.0, 20.0, 40.0]), mk.monthly_discount(0.1)
    q, direct, power = matrix[:, :3], np.zeros(3), np.eye(3)
    for _ in range(2000):
        direct += power @ mrr
        power = d * power @ q
    np.testing.assert_allclose(mk.markov_ltv(matrix, mrr, d), direct, rtol=1e-9)
    # undiscounted months: a single stage with churn 5% a month lasts 1/0.05 = 20 months on average
    assert mk.fundamental(np.array([[0.95, 0.05]]))[0, 0] == pytest.approx(20.0)


def test_monthly_states_and_transition_counts_by_hand():
    """Customer a: beginner, mid from day 40, churns on day 100 → months 0–3 (days 0, 30.4, 60.9, 91.3)
    are beginner, beginner, mid, mid, then churn. Customer b: beginner, still active after 65 days →
    months 0–2, the last one without a successor."""
    customers = pd.DataFrame({"customer_id": ["a", "b"], "start_date": pd.to_datetime(["2025-01-01", "2025-10-27"]),
                              "end_date": pd.to_datetime(["2025-04-11", None])})
    history = pd.DataFrame({"customer_id": ["a", "a", "b"], "plan": ["beginner", "mid", "beginner"],
                            "date": pd.to_datetime(["2025-01-01", "2025-02-10", "2025-10-27"])})
    fillers = pd.DataFrame({"customer_id": [f"f{i}" for i in range(20)], "start_date": pd.Timestamp("2025-01-01"),
                            "end_date": pd.NaT})  # enough customers for the analysis
    history = pd.concat([history, fillers[["customer_id", "start_date"]].rename(columns={"start_date": "date"})
                         .assign(plan="mid")])
    sp = stages.spells(history, pd.concat([customers, fillers]), AS_OF, ORDER[:2])
    states = stages.monthly_states(sp.loc[sp["customer_id"].isin(["a", "b"])])
    a = states.loc[states["customer_id"] == "a"]
    assert a["stage"].tolist() == ["beginner", "beginner", "mid", "mid"]
    assert a["next"].tolist() == ["beginner", "mid", "mid", stages.CHURN]
    b = states.loc[states["customer_id"] == "b"]
    assert b["stage"].tolist() == ["beginner"] * 3
    assert b["next"].tolist()[:2] == ["beginner"] * 2
    assert pd.isna(b["next"].iloc[-1])
    counts = stages.transition_counts(states, ORDER[:2]).sum(axis=0)
    np.testing.assert_array_equal(counts, [[3, 1, 0], [0, 1, 1]])


def test_start_stop_table_equals_a_hand_built_one_and_lifelines():
    """Simulated upgrades: :func:`journey.start_stop` gives the table written out by hand, and the hazard
    ratio equals lifelines' ``CoxTimeVaryingFitter`` on that hand-built table."""
    history, customers, truth = _simulated(n=400, effect=0.6)
    sp = stages.spells(history, customers, AS_OF, ORDER[:2])
    long, naive = journey.start_stop(sp, ORDER[:2])
    hand = _hand_table(truth)
    got = long[["id", "start", "stop", "upgraded", "event"]].sort_values(["id", "start"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, hand.sort_values(["id", "start"]).reset_index(drop=True), check_dtype=False)
    effect = journey.upgrade_effect(sp, ORDER[:2], 0.05)
    fitter = CoxTimeVaryingFitter().fit(hand, id_col="id", start_col="start", stop_col="stop", event_col="event")
    assert effect.hr == pytest.approx(float(np.exp(fitter.params_["upgraded"])), rel=1e-4)
    cph = CoxPHFitter().fit(naive[["duration", "event", "upgraded"]], duration_col="duration", event_col="event")
    assert effect.naive_hr == pytest.approx(float(np.exp(cph.params_["upgraded"])), rel=1e-4)


def test_no_true_effect_shows_the_naive_bias_and_a_time_varying_ratio_near_one():
    """Upgrading changes nothing here; the naive comparison still makes upgraders look far safer."""
    history, customers, _ = _simulated(n=3000, seed=11, effect=1.0)
    effect = journey.upgrade_effect(stages.spells(history, customers, AS_OF, ORDER[:2]), ORDER[:2], 0.05)
    assert effect.naive_hr < 0.6
    assert effect.naive_high < 1
    assert effect.hr_low < 1 < effect.hr_high
    assert 0.85 < effect.hr < 1.15


def test_sample_upgrade_effect_is_modest_and_the_naive_one_flatters(sample_result):
    """The sample's built-in effect: HR between 0.7 and 0.9, below 1; the naive ratio is clearly lower."""
    effect = sample_result.upgrade
    assert 0.7 < effect.hr < 0.9
    assert effect.hr_high < 1
    assert effect.naive_hr < effect.hr - 0.15


def test_time_in_stage_equals_lifelines(sample_result):
    """Median time in each stage (spells ending by a move or churn; ongoing ones censored)."""
    data = load_sample("en")
    sp = stages.spells(data.plan_history, data.customers, data.latest_date(), sample_result.order)
    for stage in ("Light", "Standard"):
        part = sp.loc[(sp["stage"] == stage) & (sp["stop_day"] > sp["start_day"])]
        kmf = KaplanMeierFitter().fit(part["stop_day"] - part["start_day"], part["exit"] != "censored")
        assert sample_result.time_in_stage.summary.loc[stage, "median_days"] == kmf.median_survival_time_


def test_exact_poisson_interval_of_the_churn_rate():
    """10 churns in 100 customer-months: 95% exact interval 0.047954–0.183904 (published table)."""
    sp = pd.DataFrame({"stage": ["x"] * 10, "start_day": 0.0, "stop_day": 10 * stages.DAYS_PER_MONTH,
                       "exit": ["churn"] * 10})
    row = stages.stage_hazard(sp, ["x"], 0.05).loc["x"]
    assert (row["rate"], round(row["low"], 6), round(row["high"], 6)) == (0.1, 0.047954, 0.183904)


def test_stage_order_from_the_sample_vocabulary_or_by_entry_tenure():
    data = load_sample("ja")
    assert journey.default_order(data.plan_history, data.customers) == ["ライト", "スタンダード", "プロ"]
    history, customers, _ = _simulated(n=200)
    history["plan"] = history["plan"].map({"beginner": "初心者", "mid": "中級"})
    assert journey.default_order(history, customers) == ["初心者", "中級"]
    with pytest.raises(DataError) as err:
        stages.check_order(history, ["中級"])
    assert err.value.code == "journey_bad_order"


def test_sample_journey_ends_at_the_customers_plan():
    """Every history ends on the plan in customers.csv; some customers upgraded."""
    data = load_sample("en")
    last = data.plan_history.groupby("customer_id", observed=True)["plan"].last()
    assert (last == data.customers.set_index("customer_id")["plan"].reindex(last.index)).all()
    assert last.index.size == len(data.customers)
    assert data.plan_history["customer_id"].duplicated().sum() > 300


def test_ltv_rises_with_the_entry_stage_and_report_section(sample_result):
    table = sample_result.ltv
    assert table["ltv"].is_monotonic_increasing
    assert sample_result.mrr_source == "customers"
    data = load_sample("en")
    section = journey.report_section(data, as_of=data.latest_date())
    assert {"transition_matrix", "stage_km_medians", "upgrade", "ltv_by_entry_stage", "findings"} <= section.keys()
    up = section["upgrade"]
    assert up["naive_hr"] < up["time_varying_hr"] < 1
    assert len(up["time_varying_ci"]) == 2
    assert sum(section["transition_matrix"]["Light"].values()) == pytest.approx(1.0)
    codes = [f.code for f in section["findings"]]
    assert "journey.upgrade_keeps" in codes
    assert "journey.ltv_by_entry_money" in codes
    for f in section["findings"]:
        assert f.text("ja")
        assert f.text("en")


def test_plan_history_file_is_detected_mapped_and_validated():
    """A Japanese stage history: detected as plan_history, blank dates and plans reported by row."""
    path = FIXTURES / "stages_ja.csv"
    datasets, (report,) = load_files([(path.name, path.read_bytes())])
    assert report.kind == "plan_history"
    assert dict(report.mapping.fields) == {"customer_id": "顧客ID", "date": "プラン変更日", "plan": "ステージ"}
    issues = report.issues.set_index("code")
    assert issues.loc["missing_date", ["row", "column", "action"]].tolist() == [7, "プラン変更日", "excluded"]
    assert issues.loc["missing_plan", ["row", "column", "action"]].tolist() == [8, "ステージ", "excluded"]
    assert datasets.plan_history["plan"].tolist() == ["初心者", "中級", "中級", "初心者", "プロ志向"]


def test_too_few_matched_customers_is_a_data_error():
    history, customers, _ = _simulated(n=10)
    with pytest.raises(DataError) as err:
        journey.analyse_journey(history, customers, AS_OF)
    assert err.value.code == "journey_no_match"


def test_report_command_has_the_journey_section(tmp_path):
    """`python -m cs_models report plan_history.csv customers.csv`: the history is detected and the
    JSON has the keys the issue fixes."""
    import json
    import subprocess
    import sys

    from cs_models.sample import SAMPLE_DIR

    files = [SAMPLE_DIR / "ja" / "plan_history.csv", SAMPLE_DIR / "ja" / "customers.csv"]
    done = subprocess.run([sys.executable, "-m", "cs_models", "report", *map(str, files), "--lang", "ja"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    section = report["journey"]
    assert section["stages"] == ["ライト", "スタンダード", "プロ"]
    keys = {"transition_matrix", "stage_km_medians", "churn_by_stage", "upgrade", "ltv_by_entry_stage"}
    assert keys <= section.keys()
    assert any(f["section"] == "journey" for f in report["findings"])


def test_no_upgrades_and_no_amounts_give_notes_not_a_crash():
    """Nobody changes stage and there is no MRR: no upgrade model, the value is in months, findings still read."""
    history, customers, _ = _simulated(n=300)
    history = history.drop_duplicates("customer_id")  # the entry rows only: no upgrades
    history.loc[history.index[:100], "plan"] = "mid"
    result = journey.analyse_journey(history, customers, AS_OF, order=ORDER[:2])
    assert result.upgrade is None
    assert set(result.notes) == {"ltv_in_months", "too_few_upgraders"}
    assert result.mrr_source == "months"
    # one stage, churn 4% a month: expected months ≈ 1 / monthly churn probability of the chain
    p = result.matrix.loc["beginner", "__churn__"]
    assert result.ltv.loc["beginner", "months"] == pytest.approx(1 / p)
    found = journey.findings(result)
    assert found
    assert all(f.text("en") and f.text("ja") for f in found)
    assert journey.summary(result)["upgrade"] is None
