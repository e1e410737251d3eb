"""Survival model checked against published R / lifelines values and hand calculations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_g3, load_lung, load_rossi
from lifelines.statistics import multivariate_logrank_test, pairwise_logrank_test
from lifelines.utils import restricted_mean_survival_time
from statsmodels.stats.multitest import multipletests

from cs_models import survival as sv
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.sample import load_sample
from cs_models.stats import holm
from cs_models.survival import coxph

ROSSI = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def _frame(time, event, **columns) -> pd.DataFrame:
    return pd.DataFrame(
        {"duration_days": np.asarray(time, dtype=float), "event": np.asarray(event, dtype=bool), **columns}
    )


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    data = load_lung().dropna(subset=["time", "status"])
    return _frame(data["time"], data["status"] == 1, sex=data["sex"].map({1: "male", 2: "female"}).to_numpy())


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    data = load_rossi()
    return data.assign(duration_days=data["week"].astype(float), event=data["arrest"] == 1)


def _as_dates(frame: pd.DataFrame, origin: str = "2020-01-01") -> pd.DataFrame:
    """The same lifetimes as a customers sheet of start/end dates (staggered starts)."""
    rng = np.random.default_rng(7)
    start = pd.Timestamp(origin) + pd.to_timedelta(rng.integers(0, 400, len(frame)), unit="D")
    stop = start + pd.to_timedelta(frame["duration_days"].to_numpy(), unit="D")
    as_of = stop.max() + pd.Timedelta(days=30)
    # censored customers are still active: their as-of date must equal their censoring time,
    # so give each its own as-of by shifting its start instead
    start = start.where(frame["event"].to_numpy(), as_of - pd.to_timedelta(frame["duration_days"], unit="D"))
    stop = start + pd.to_timedelta(frame["duration_days"].to_numpy(), unit="D")
    customers = frame.drop(columns=["duration_days", "event"]).assign(
        customer_id=[f"C{i}" for i in range(len(frame))],
        start_date=start.to_numpy(),
        end_date=pd.Series(stop).where(frame["event"].to_numpy()).to_numpy(),
    )
    return sv.durations(customers, as_of)


# --------------------------------------------------------------------------- Kaplan–Meier
def test_lung_median_and_groups(lung):
    """Median survival of the NCCTG lung data.

    Source: R ``survival``: ``survfit(Surv(time, status) ~ 1, data = lung)`` gives median 310;
    ``survfit(Surv(time, status) ~ sex, data = lung)`` gives 270 (male) and 426 (female);
    the same in lifelines' docs (``load_lung``). Median CIs: lifelines
    ``median_survival_times(kmf.confidence_interval_)`` (log-log bands).
    """
    km = sv.kaplan_meier(lung)
    assert km.summary.loc[sv.ALL, "median_days"] == 310
    kmf = KaplanMeierFitter().fit(lung["duration_days"], lung["event"])
    from lifelines.utils import median_survival_times

    ci = median_survival_times(kmf.confidence_interval_).to_numpy().ravel()
    assert km.summary.loc[sv.ALL, ["median_lower", "median_upper"]].tolist() == pytest.approx(ci)
    by_sex = sv.kaplan_meier(lung, "sex").summary
    assert by_sex.loc["male", "median_days"] == 270
    assert by_sex.loc["female", "median_days"] == 426
    assert by_sex["n"].to_dict() == {"male": 138, "female": 90}


def test_curve_and_log_log_ci_equal_lifelines(lung):
    """Every step of S(t) and its log-log (exponential Greenwood) band equals lifelines'."""
    km = sv.kaplan_meier(lung, "sex")
    for sex, curve in km.curves.groupby("group"):
        sel = lung["sex"] == sex
        kmf = KaplanMeierFitter().fit(lung.loc[sel, "duration_days"], lung.loc[sel, "event"])
        ref = kmf.survival_function_.iloc[:, 0].loc[curve["time_days"]]
        band = kmf.confidence_interval_.loc[curve["time_days"]]
        np.testing.assert_allclose(curve["survival"], ref, atol=1e-12)
        np.testing.assert_allclose(curve["lower"], band.iloc[:, 0], atol=1e-12)
        np.testing.assert_allclose(curve["upper"], band.iloc[:, 1], atol=1e-12)
        at_risk = kmf.event_table["at_risk"].loc[curve["time_days"]]
        np.testing.assert_array_equal(curve["at_risk"], at_risk)


def _survival_at(km: sv.KMResult, group: str, days: list[float], column: str = "survival") -> np.ndarray:
    curve = km.curves[km.curves["group"] == group]
    pos = np.searchsorted(curve["time_days"].to_numpy(), days, side="right") - 1
    return curve[column].to_numpy()[pos]


def test_g3_against_r():
    """``g3`` survival and log-log CIs as printed by R.

    Source: lifelines' ``test_kmf_survival_curve_output_against_R`` and
    ``test_kmf_confidence_intervals_output_against_R``; R:
    ``summary(survfit(Surv(time, event) ~ group, data = g3, conf.type = "log-log"),
    times = c(9, 19, 32, 34))``.
    """
    g3 = load_g3()
    frame = _frame(g3["time"], g3["event"] == 1, group=np.where(g3["group"] == "RIT", "RIT", "other"))
    km = sv.kaplan_meier(frame, "group")
    np.testing.assert_allclose(_survival_at(km, "RIT", [25, 53]), [0.909, 0.779], atol=6e-4)
    days = [9, 19, 32, 34]
    np.testing.assert_allclose(_survival_at(km, "other", days), [0.833, 0.667, 0.5, 0.333], atol=6e-4)
    np.testing.assert_allclose(
        _survival_at(km, "other", days, "lower"), [0.2731, 0.1946, 0.1109, 0.0461], atol=6e-4
    )
    np.testing.assert_allclose(_survival_at(km, "other", days, "upper"), [0.975, 0.904, 0.804, 0.676], atol=6e-4)


def test_at_risk_table_by_hand():
    """KMunicate at-risk table on a toy, counted by hand.

    Lifetimes (months → days ×30.4375): 1 e, 2 c, 4 e, 5 e, 7 c, 8 e, 13 c, 14 e, 16 c, 20 e.
    Tick 0: 10 at risk, 0 events, 0 censored. Tick 6: lifetimes ≥ 6 → 6 at risk;
    before 6: events 1, 4, 5 = 3, censored 2 = 1. Tick 12: at risk 4 (13, 14, 16, 20);
    events 3 + 8 = 4; censored 2 (2, 7).
    """
    months = np.array([1, 2, 4, 5, 7, 8, 13, 14, 16, 20])
    event = [1, 0, 1, 1, 0, 1, 0, 1, 0, 1]
    km = sv.kaplan_meier(_frame(months * sv.DAYS_PER_MONTH, event), ticks_months=[0, 6, 12])
    table = km.at_risk_table.set_index("months")
    assert table["at_risk"].tolist() == [10, 6, 4]
    assert table["events"].tolist() == [0, 3, 4]
    assert table["censored"].tolist() == [0, 1, 2]
    # S(6 months) by hand: (9/10) (7/8) (6/7) = 0.675
    at6 = km.at_times.set_index("months").loc[6.0]
    assert at6["survival"] == pytest.approx(9 / 10 * 7 / 8 * 6 / 7)
    assert at6["at_risk"] == 6
    # S(24 months) is beyond the last observation: unknown, not 0
    assert np.isnan(km.at_times.set_index("months").loc[24.0, "survival"])


def test_other_and_missing_groups():
    """Levels beyond ``max_groups - 1`` are pooled as OTHER; blanks are their own MISSING group."""
    seg = ["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 2 + [None] * 2
    frame = _frame(np.arange(1, 17), [1, 0] * 8, seg=seg)
    km = sv.kaplan_meier(frame, "seg", max_groups=3)
    assert km.groups == ("a", "b", sv.OTHER, sv.MISSING)
    assert km.summary.loc[sv.OTHER, "n"] == 5
    assert km.summary["n"].sum() == 16


# --------------------------------------------------------------------------- log-rank
def test_lung_logrank_by_sex(lung):
    """Log-rank test of survival by sex.

    Source: R ``survdiff(Surv(time, status) ~ sex, data = lung)``: Chisq = 10.3 on 1 df,
    p = 0.001; lifelines ``logrank_test``: test statistic 10.33, p 0.0013.
    """
    result = sv.logrank(lung, "sex")
    assert result.chi2 == pytest.approx(10.33, abs=0.005)
    assert result.p == pytest.approx(0.0013, abs=5e-5)
    assert result.df == 1
    assert result.pairwise.empty


def test_multigroup_logrank_and_holm_equal_lifelines():
    """k-group χ² equals lifelines' ``multivariate_logrank_test``; pairwise p-values equal
    lifelines' ``pairwise_logrank_test``; Holm-adjusted ones equal statsmodels'."""
    rng = np.random.default_rng(3)
    n = 600
    seg = rng.choice(np.array(["x", "y", "z"], dtype=object), n)
    t = np.ceil(rng.exponential(np.select([seg == "x", seg == "y"], [100, 130], 180)))
    e = rng.random(n) < 0.7
    frame = _frame(t, e, seg=seg)
    result = sv.logrank(frame, "seg")
    ref = multivariate_logrank_test(t, seg, e)
    assert result.chi2 == pytest.approx(ref.test_statistic, rel=1e-9)
    assert result.df == 2
    pairs = pairwise_logrank_test(t, seg, e).summary
    for row in result.pairwise.itertuples():
        key = tuple(sorted((row.group_a, row.group_b)))
        assert row.p == pytest.approx(pairs.loc[key, "p"], rel=1e-9)
    expected = multipletests(result.pairwise["p"].to_numpy(), method="holm")[1]
    np.testing.assert_allclose(result.pairwise["p_holm"], expected, rtol=1e-12)


def test_holm_equals_statsmodels():
    """Holm adjustment vs ``statsmodels.stats.multitest.multipletests(method="holm")``,
    including ties and p-values that the adjustment caps at 1."""
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5, 0.04, 0.9])
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], rtol=1e-12)


def test_logrank_degenerate():
    frame = _frame(np.arange(1, 21), [0] * 20, seg=["a", "b"] * 10)
    assert sv.logrank(frame, "seg").notes == ("no_events",)
    one = _frame(np.arange(1, 21), [1] * 20, seg=["a"] * 20)
    result = sv.logrank(one, "seg")
    assert result.notes == ("single_group",)
    assert np.isnan(result.p)


# --------------------------------------------------------------------------- Cox
def test_rossi_cox_against_r(rossi):
    """Recidivism Cox model (Efron ties).

    Source: Fox & Weisberg, *Cox Proportional-Hazards Regression for Survival Data in R*
    (appendix to An R Companion to Applied Regression):
    ``coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = Rossi)``
    coef fin −0.3794, age −0.0574, race 0.3139, wexp −0.1498, mar −0.4337, paro −0.0849,
    prio 0.0915; concordance 0.640; likelihood ratio test 33.27 on 7 df.
    """
    fit = sv.cox(rossi, ROSSI)
    coef = fit.table.set_index("column")["coef"]
    expected = {"fin": -0.3794, "age": -0.0574, "race": 0.3139, "wexp": -0.1498, "mar": -0.4337,
                "paro": -0.0849, "prio": 0.0915}
    for name, value in expected.items():
        assert coef[name] == pytest.approx(value, abs=1e-4)
    assert fit.table.set_index("column").loc["fin", "hr"] == pytest.approx(np.exp(-0.3794), abs=1e-4)
    assert fit.concordance == pytest.approx(0.640, abs=5e-4)
    assert fit.lr_chi2 == pytest.approx(33.27, abs=0.005)
    assert fit.lr_df == 7
    # R cox.zph(transform = "rank") flags age and wexp (p < 0.05); lifelines agrees
    assert set(fit.ph_violations) == {"age", "wexp"}


def test_cox_categorical_one_hot_has_explicit_reference(rossi):
    """A text column is one-hot coded against its most frequent level; the model equals
    the one fitted on the 0/1 column (``fin`` yes/no ≡ fin 1/0, reference "no", 216 vs 216
    → first level seen)."""
    frame = rossi.assign(prio_band=np.where(rossi["prio"] >= 3, "high", "low"))
    fit = sv.cox(frame, ["age", "prio_band"])
    row = fit.table.set_index("column").loc["prio_band"]
    assert row["reference"] == "low"  # 245 low vs 187 high
    assert row["level"] == "high"
    manual = sv.cox(frame.assign(high=(frame["prio"] >= 3).astype(int)), ["age", "high"])
    assert row["coef"] == pytest.approx(manual.table.set_index("column").loc["high", "coef"], rel=1e-8)


def test_cox_drops_constant_and_separating(rossi):
    frame = rossi.assign(const=1.0, sep=np.where(rossi["event"], "churned_kind", "other"))
    fit = sv.cox(frame, ["age", "const", "sep"])
    assert dict(fit.dropped) == {"const": "constant", "sep": "separating"}
    assert fit.table["column"].tolist() == ["age"]
    with pytest.raises(DataError) as err:
        sv.cox(frame, ["const"])
    assert err.value.code == "survival_no_covariates"


def test_cox_without_events_explains():
    frame = _frame(np.arange(1, 21), [0] * 20, x=np.arange(20.0))
    with pytest.raises(DataError) as err:
        sv.cox(frame, ["x"])
    assert err.value.code == "survival_no_events"


# --------------------------------------------------------------------------- RMST and LTV
def test_rmst_equals_lifelines(lung):
    """RMST to a horizon equals ``lifelines.utils.restricted_mean_survival_time`` per group."""
    result = sv.rmst(lung, "sex", horizon_months=12)
    horizon = 12 * sv.DAYS_PER_MONTH
    for sex in ("male", "female"):
        sel = lung["sex"] == sex
        kmf = KaplanMeierFitter().fit(lung.loc[sel, "duration_days"], lung.loc[sel, "event"])
        assert result.table.loc[sex, "rmst_days"] == pytest.approx(
            restricted_mean_survival_time(kmf, t=horizon), rel=1e-9
        )
    assert result.reference == "male"
    diff = result.table.loc["female", "rmst_days"] - result.table.loc["male", "rmst_days"]
    assert result.table.loc["female", "diff_days"] == pytest.approx(diff)


def test_rmst_standard_error_and_ltv_by_hand():
    """RMST variance Σ A_j² d_j / (n_j (n_j − d_j)) (Klein & Moeschberger §4.5) by hand.

    Lifetimes 2 e, 4 c, 6 e, 8 e, 10 c; horizon 9. S: 1 on [0,2), 0.8 on [2,6),
    0.8·2/3 on [6,8), 0.8·2/3·1/2 on [8,9]. RMST = 2 + 3.2 + 1.0667 + 0.2667 = 6.5333.
    A(2) = 4.5333, A(6) = 1.3333, A(8) = 0.2667. Var = 4.5333²/(5·4) + 1.3333²/(3·2)
    + 0.2667²/(2·1). LTV at 100 per month = 100 / 30.4375 × RMST.
    """
    frame = _frame([2, 4, 6, 8, 10], [1, 0, 1, 1, 0], mrr=[100.0] * 5)
    frame = pd.concat([frame] * 2, ignore_index=True)  # n ≥ 10; doubles n and d
    frame["g"] = "all"
    result = sv.rmst(frame, "g", horizon_months=9 / sv.DAYS_PER_MONTH, annual_discount=0.0)
    row = result.table.loc["all"]
    assert row["rmst_days"] == pytest.approx(2 + 3.2 + 0.8 * 2 / 3 * 2 + 0.8 / 3)
    a = [4.5333333333, 1.3333333333, 0.2666666667]
    var = a[0] ** 2 * 2 / (10 * 8) + a[1] ** 2 * 2 / (6 * 4) + a[2] ** 2 * 2 / (4 * 2)
    assert row["se_days"] == pytest.approx(np.sqrt(var), rel=1e-6)
    assert row["ltv"] == pytest.approx(100 / sv.DAYS_PER_MONTH * row["rmst_days"])
    assert row["ltv_discounted"] == pytest.approx(row["ltv"])  # no discount


def test_discounted_ltv_is_smaller():
    frame = _frame(np.arange(1, 41) * 20, [1] * 40, mrr=[50.0] * 40)
    table = sv.rmst(frame, horizon_months=24, annual_discount=0.1).table.loc[sv.ALL]
    assert 0 < table["ltv_discounted"] < table["ltv"]


# --------------------------------------------------------------------------- life table
def test_life_table_by_hand():
    """Actuarial monthly hazard by hand: month 0 has 10 at risk, 2 churn, 2 censored →
    2 / (10 − 1) = 0.2222; month 1: 6 at risk, 1 event, 0 censored → 1/6."""
    d = sv.DAYS_PER_MONTH
    t = [5, 10, 15, 20, 1.5 * d, 2.5 * d, 2.6 * d, 3.5 * d, 4 * d, 5 * d]
    e = [1, 1, 0, 0, 1, 0, 1, 1, 0, 1]
    table = sv.life_table(_frame(t, e)).table.set_index("month")
    assert table.loc[0, "at_risk"] == 10
    assert table.loc[0, "hazard"] == pytest.approx(2 / 9)
    assert table.loc[1, "hazard"] == pytest.approx(1 / 6)


# --------------------------------------------------------------------------- dates
def test_same_numbers_from_start_and_end_dates(lung):
    """The lung data entered as a sheet of start/end dates give the same medians and χ²."""
    dated = _as_dates(lung)
    np.testing.assert_array_equal(np.sort(dated["duration_days"]), np.sort(lung["duration_days"]))
    assert sv.kaplan_meier(dated).summary.loc[sv.ALL, "median_days"] == 310
    assert sv.kaplan_meier(dated, "sex").summary.loc["female", "median_days"] == 426
    assert sv.logrank(dated, "sex").chi2 == pytest.approx(10.33, abs=0.005)


def test_rossi_cox_from_dates(rossi):
    dated = _as_dates(rossi.assign(duration_days=rossi["week"] * 7.0))
    coef = sv.cox(dated, ROSSI).table.set_index("column")["coef"]
    assert coef["fin"] == pytest.approx(-0.3794, abs=1e-4)
    assert coef["prio"] == pytest.approx(0.0915, abs=1e-4)


def test_durations_censor_at_as_of():
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(12)],
            "start_date": pd.to_datetime(["2024-01-01"] * 11 + ["2025-03-01"]),
            "end_date": pd.to_datetime(["2024-01-31", "2024-12-31"] + [None] * 10),
        }
    )
    out = sv.durations(customers, pd.Timestamp("2024-06-30"))
    assert len(out) == 11  # the customer starting after the as-of date is left out
    assert out["duration_days"].tolist()[:2] == [30.0, 181.0]  # churn after as-of is not known yet
    assert out["event"].tolist()[:2] == [True, False]


def test_durations_errors():
    customers = pd.DataFrame(
        {"start_date": pd.to_datetime(["2024-01-02"] * 3), "end_date": pd.to_datetime(["2024-01-01", None, None])}
    )
    with pytest.raises(DataError) as err:
        sv.durations(customers, pd.Timestamp("2024-06-30"))
    assert err.value.code == "survival_end_before_start"
    assert err.value.row == 2
    with pytest.raises(DataError) as err:
        sv.durations(customers.iloc[1:], pd.Timestamp("2024-06-30"))
    assert err.value.code == "survival_too_few"


def test_no_events_median_not_reached():
    km = sv.kaplan_meier(_frame(np.arange(1, 21), [0] * 20))
    assert np.isinf(km.summary.loc[sv.ALL, "median_days"])
    assert "no_events" in km.notes
    assert (km.curves["survival"] == 1).all()


# --------------------------------------------------------------------------- sample + report
def test_sample_story_and_report_json():
    """The sample's built-in effects show up: study-session participants and onboarded
    customers have hazard ratios near 0.5 and 0.7, Light churns fastest."""
    import json

    data = load_sample("en")
    frame = sv.durations(data.customers, data.latest_date())
    fit = sv.cox(frame, ["plan", "onboarding", "study_sessions", "support_tickets"])
    hr = fit.table.set_index("column")["hr"]
    rows = fit.table.set_index("column")
    study = hr["study_sessions"] if rows.loc["study_sessions", "level"] == "attended" else 1 / hr["study_sessions"]
    onb = hr["onboarding"] if rows.loc["onboarding", "level"] == "completed" else 1 / hr["onboarding"]
    assert 0.35 < study < 0.7
    assert 0.55 < onb < 0.9
    medians = sv.kaplan_meier(frame, "plan").summary["median_days"]
    assert medians.idxmin() == "Light"
    report = sv.report_section(data, as_of=data.latest_date(), covariates=["stores", "support_tickets"])
    assert all(f.section == "churn" for f in report.pop("findings"))  # Finding objects: report.py takes them
    json.dumps(report, allow_nan=False)
    assert report["n"] == len(frame)
    assert set(report["groups"]) == {"plan", "region", "size", "onboarding", "study_sessions"}
    assert report["logrank"]["plan"]["p"] < 0.001
    assert set(report["cox"]["coef"]) == {"stores", "support_tickets"}
    assert sv.report_section(Datasets(), as_of=data.latest_date()) is None


def test_analyse_bundle_equals_single_calls(lung):
    """The page bundle (segment made categorical once) gives the same numbers as the single calls."""
    dated = _as_dates(lung)
    customers = dated.drop(columns=["duration_days", "event"])
    as_of = (dated["start_date"] + pd.to_timedelta(dated["duration_days"], unit="D"))[~dated["event"]].max()
    bundle = sv.analyse(customers, as_of, "sex", horizon_months=12)
    assert bundle.km.summary.loc["female", "median_days"] == 426
    assert bundle.logrank.chi2 == pytest.approx(sv.logrank(dated, "sex").chi2)
    pd.testing.assert_frame_equal(bundle.rmst.table, sv.rmst(dated, "sex", horizon_months=12).table)
    pd.testing.assert_frame_equal(bundle.life.table, sv.life_table(dated, "sex", months=12).table)


def test_concordance_equals_lifelines():
    """Harrell's C equals ``lifelines.utils.concordance_index`` on tie-heavy random data
    (tied times, tied scores, censoring at churn times) and on a larger continuous set."""
    from lifelines.utils import concordance_index

    rng = np.random.default_rng(11)
    for _ in range(60):
        n = int(rng.integers(5, 80))
        t = rng.integers(0, 8, n).astype(float)
        e = rng.random(n) < 0.6
        score = rng.integers(0, 5, n).astype(float)
        if not e.any() or (t[e].min() == t.max()):
            continue
        assert sv.concordance(t, e, score) == pytest.approx(concordance_index(t, score, e), abs=1e-12)
    t = np.floor(rng.exponential(300, 5000))
    e = rng.random(5000) < 0.7
    score = rng.normal(size=5000)
    assert sv.concordance(t, e, score) == pytest.approx(concordance_index(t, score, e), abs=1e-12)


def test_cox_leaves_out_blank_numbers(rossi):
    """Customers with a blank number are left out (complete cases), not imputed: the fit equals
    lifelines on the rows without blanks."""
    from lifelines import CoxPHFitter

    frame = rossi.assign(age=rossi["age"].astype(float))
    frame.loc[frame.index[:40], "age"] = np.nan
    fit = sv.cox(frame, ["fin", "age", "prio"])
    assert fit.notes == ("cox_rows_with_blanks_dropped",)
    assert fit.n == len(rossi) - 40
    ref = CoxPHFitter().fit(rossi.iloc[40:][["week", "arrest", "fin", "age", "prio"]], "week", "arrest")
    np.testing.assert_allclose(fit.table["coef"], ref.params_.to_numpy(), rtol=1e-6)


def test_ph_check_on_a_sample_for_large_data(rossi, monkeypatch):
    """Above PH_MAX_ROWS the PH check refits on a random sample (and says so); the model itself
    still uses every customer."""
    monkeypatch.setattr(coxph, "PH_MAX_ROWS", 300)
    fit = sv.cox(rossi, ROSSI)
    assert "ph_check_sampled" in fit.notes
    assert fit.n == len(rossi)
    assert len(fit.ph_test) == len(ROSSI)
    assert fit.table.set_index("column").loc["fin", "coef"] == pytest.approx(-0.3794, abs=1e-4)


def test_rmst_difference_p_values_are_holm_adjusted_by_hand():
    """``diff_p_holm`` is Holm's step-down adjustment of the raw ``diff_p`` over the comparisons
    with the reference group, computed by hand: sorted p(1) ≤ p(2) ≤ p(3) become
    min(1, 3·p(1)), max(that, min(1, 2·p(2))), max(that, min(1, p(3)))."""
    rng = np.random.default_rng(11)
    sizes = {"ref": 80, "b": 40, "c": 40, "d": 40}
    scales = {"ref": 400, "b": 300, "c": 520, "d": 650}  # raw p ≈ 0.70, 0.24, 0.002: none capped at 1
    frames = [
        _frame(np.ceil(rng.exponential(scales[g], n)), np.ones(n), g=[g] * n) for g, n in sizes.items()
    ]
    table = sv.rmst(pd.concat(frames, ignore_index=True), "g", horizon_months=12).table
    assert np.isnan(table.loc["ref", "diff_p_holm"])
    raw = table["diff_p"].drop("ref").sort_values()
    expected, running = {}, 0.0
    for k, (group, p) in enumerate(raw.items()):
        running = max(running, min(1.0, (len(raw) - k) * p))
        expected[group] = running
    for group, value in expected.items():
        assert table.loc[group, "diff_p_holm"] == pytest.approx(value)
    assert (table["diff_p_holm"].drop("ref") >= table["diff_p"].drop("ref")).all()


def test_rmst_with_a_blank_revenue_column_gives_nan_without_warnings():
    """An all-blank ``mrr`` column: revenue and LTV are NaN (warnings are errors in the tests)."""
    frame = _frame(np.arange(1, 21) * 30, [1] * 20, mrr=[np.nan] * 20)
    table = sv.rmst(frame, horizon_months=12).table.loc[sv.ALL]
    assert np.isnan(table["revenue_per_month"])
    assert np.isnan(table[["ltv", "ltv_lower", "ltv_upper"]].astype(float)).all()
