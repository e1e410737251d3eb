"""Gap → churn (:func:`cs_models.gaps.gap_churn`) and the report section, on data with a known effect."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.statistics import logrank_test

from cs_models import gaps
from cs_models.errors import DataError
from cs_models.findings import Finding
from cs_models.sample import load_sample

AS_OF = date(2026, 10, 31)
TRUE_HR = 0.5  # churn hazard per +1 point of mean gap


def constructed(n: int = 1500, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers whose churn hazard halves per point of gap (exponential lifetimes, median 12
    months at gap 0), and their one-item survey in long form."""
    rng = np.random.default_rng(seed)
    expectation = rng.integers(2, 5, n)
    gap = rng.integers(-2, 3, n)
    satisfaction = expectation + gap
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    rate = np.log(2) / (12 * 30.4375) * TRUE_HR**gap
    end = start + pd.to_timedelta(np.ceil(rng.exponential(1 / rate)), unit="D")
    end = end.where(end <= pd.Timestamp(AS_OF))
    ids = [f"C{i:05d}" for i in range(n)]
    customers = pd.DataFrame({"customer_id": ids, "start_date": start, "end_date": end})
    survey = pd.DataFrame(
        {
            "respondent_id": [f"R{i}" for i in range(n)],
            "customer_id": ids,
            "item": "Onboarding",
            "expectation": expectation,
            "satisfaction": satisfaction,
        }
    )
    return customers, survey


def test_known_effect_is_recovered_and_matches_lifelines():
    """Constructed hazard ratio 0.5 per point; the Cox estimate must cover it and equal a direct
    lifelines ``CoxPHFitter`` fit (Efron ties) on the same durations; the log-rank test of the
    negative-gap group must equal ``lifelines.statistics.logrank_test``."""
    customers, survey = constructed()
    result = gaps.gap_churn(gaps.read_gaps(survey), customers, as_of=AS_OF)
    assert result.matched == result.respondents == len(survey)
    assert result.hr_lower < TRUE_HR < result.hr_upper
    assert result.hazard_ratio == pytest.approx(TRUE_HR, abs=0.07)

    frame = result.customers
    expected_gap = (survey["satisfaction"] - survey["expectation"]).to_numpy()
    np.testing.assert_array_equal(frame["mean_gap"].to_numpy(), expected_gap)
    reference = CoxPHFitter().fit(frame[["duration_days", "event", "mean_gap"]], "duration_days", "event")
    assert result.hazard_ratio == pytest.approx(float(reference.hazard_ratios_["mean_gap"]), rel=1e-6)
    assert result.hr_p == pytest.approx(float(reference.summary.loc["mean_gap", "p"]), rel=1e-4, abs=1e-300)

    negative = frame["gap_group"] == gaps.NEGATIVE_GAP
    np.testing.assert_array_equal(negative.to_numpy(), expected_gap < 0)
    lr = logrank_test(
        frame.loc[negative, "duration_days"], frame.loc[~negative, "duration_days"],
        frame.loc[negative, "event"], frame.loc[~negative, "event"],
    )
    assert result.logrank.p == pytest.approx(lr.p_value, rel=1e-6, abs=1e-300)
    assert result.logrank.p < 1e-6
    medians = result.km.summary["median_days"]
    assert medians[gaps.NEGATIVE_GAP] < medians[gaps.NON_NEGATIVE_GAP]


def test_no_effect_gives_no_clear_link():
    """Same construction with the survey shuffled across customers (no effect): the hazard
    ratio is close to 1 and far from the constructed 0.5."""
    customers, survey = constructed(seed=5)
    shuffled = survey.assign(customer_id=np.random.default_rng(1).permutation(survey["customer_id"]))
    result = gaps.gap_churn(gaps.read_gaps(shuffled), customers, as_of=AS_OF)
    assert result.hazard_ratio == pytest.approx(1.0, abs=0.1)
    assert result.hr_lower > TRUE_HR


def test_sample_negative_gap_predicts_earlier_churn():
    sample = load_sample("ja")
    result = gaps.gap_churn(gaps.read_gaps(sample.gaps), sample.customers, as_of=sample.latest_date())
    assert result.hr_upper < 1
    assert result.logrank.p < 0.05


def test_unlinkable_surveys_raise_stable_codes():
    customers, survey = constructed(n=40)
    with pytest.raises(DataError) as info:
        gaps.gap_churn(gaps.read_gaps(survey.drop(columns="customer_id")), customers, as_of=AS_OF)
    assert info.value.code == "gaps_no_customer_ids"
    stranger = survey.assign(customer_id=[f"X{i}" if i > 4 else c for i, c in enumerate(survey["customer_id"])])
    with pytest.raises(DataError) as info:
        gaps.gap_churn(gaps.read_gaps(stranger), customers, as_of=AS_OF)
    assert (info.value.code, info.value.params["n"]) == ("gaps_churn_too_few", 5)


def test_report_section_shape_and_agreement_with_the_model():
    sample = load_sample("en")
    section = gaps.report_section(sample, as_of=sample.latest_date(), segment="plan")
    assert all(isinstance(f, Finding) for f in section["findings"])  # Finding objects, popped by the report
    json.dumps({k: v for k, v in section.items() if k != "findings"})  # the rest serialisable as it is
    table = gaps.analyse_gaps(gaps.read_gaps(sample.gaps)).items
    assert list(section["items"]) == list(table.index)
    onboarding = section["items"]["Onboarding"]
    assert set(onboarding) == {
        "n", "mean_expectation", "mean_satisfaction", "mean_gap", "ci", "t_p", "wilcoxon_p",
        "delight_share", "disappoint_share",
    }
    row = table.loc["Onboarding"]
    assert onboarding["mean_gap"] == pytest.approx(row["mean_gap"])
    assert onboarding["ci"] == pytest.approx([row["ci_low"], row["ci_high"]])
    assert onboarding["disappoint_share"] == pytest.approx(row["disappointed_share"])
    assert section["importance_performance"]["Onboarding"]["quadrant"] == "concentrate_here"
    assert section["details"]["Onboarding"]["verdict"] == "disappoints"
    assert section["details"]["Onboarding"]["n_zero"] == row["n_zero"]
    assert section["segments"]["plan"]["kruskal_p_holm"]["Support"] == pytest.approx(
        gaps.compare_segments(gaps.read_gaps(sample.gaps), "plan").tests.loc["Support", "kruskal_p_holm"]
    )
    assert section["churn"]["hazard_ratio_per_point"] < 1
    assert gaps.report_section(sample.with_frames(gaps=None), as_of=AS_OF) is None


def test_numeric_ids_read_as_floats_still_match():
    """A CSV with blank customer IDs reads them as floats (1001.0); they must still match '1001'."""
    customers, survey = constructed(n=60)
    customers = customers.assign(customer_id=[str(1000 + i) for i in range(60)])
    numeric = survey.assign(customer_id=[float(1000 + i) if i % 10 else np.nan for i in range(60)])
    result = gaps.gap_churn(gaps.read_gaps(numeric), customers, as_of=AS_OF)
    assert result.matched == 54
