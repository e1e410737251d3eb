"""Odd but valid data get an explanation or a sound number, never a traceback or a nonsense
sentence (cases found by running the analyses on 2,000 random well-formed datasets)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from cs_models import survey as sv
from cs_models import survival
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.report import datasets_report


def test_a_huge_weight_gives_finite_kish_bases():
    """Weights 1e300, 1, 1, 1 overflowed Kish's base ((Σw)²/Σw²). Scaled by the largest weight the
    base is 1 + 3e-600 ≈ 1 (hand calculation) and the NPS is the heavy respondent's: 100."""
    frame = pd.DataFrame({"推奨度（0〜10）": [10, 9, 3, 8], "weight": [1e300, 1, 1, 1]})
    result = sv.nps(frame, "推奨度（0〜10）")
    assert result.n_effective == pytest.approx(1.0)
    assert result.nps == pytest.approx(100.0)
    assert math.isfinite(result.ci_low)
    assert math.isfinite(result.ci_high)


def test_one_respondent_numeric_question_has_no_interval_and_says_so():
    result = sv.numeric_summary(pd.DataFrame({"年齢": [35]}), "年齢")
    assert (result.n, result.mean) == (1, 35.0)
    assert math.isnan(result.ci_low)
    assert result.notes == ("no_interval",)


def test_nps_interval_always_contains_the_observed_score():
    """Rocks' adjusted Wald interval is centred on the adjusted score; with one promoter it was
    -48.5 to 98.5 around an NPS of 100. It is widened to include the observed score."""
    for answers in ([9], [10, 10], [0], [0, 10, 10]):
        result = sv.nps(pd.DataFrame({"推奨度（0〜10）": answers}), "推奨度（0〜10）")
        assert result.ci_low <= result.nps <= result.ci_high, answers


def customers(plan: object) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({
        "customer_id": [f"C{i}" for i in range(60)],
        "start_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, 60), "D"),
        "end_date": pd.NaT, "plan": plan, "mrr": 1000.0,
    }).astype({"end_date": "datetime64[ns]"})


def test_a_blank_segment_column_is_explained():
    """``report --segment plan`` on an all-blank column raised IndexError (exit 1, a traceback)."""
    with pytest.raises(DataError) as caught:
        survival.kaplan_meier(survival.durations(customers(None), date(2025, 6, 1)), "plan")
    assert (caught.value.code, caught.value.column) == ("survival_blank_column", "plan")
    report = datasets_report(Datasets(customers=customers(None)), as_of=date(2025, 6, 1), segment="plan")
    assert report["survival"]["error"]["code"] == "survival_blank_column"


def test_nobody_stays_longer_when_nobody_has_left():
    """Everyone censored: no "Light customers stay 1.0x as long as Light customers"."""
    frame = customers(np.tile(["Light", "Pro"], 30))
    analysis = survival.analyse(frame, date(2025, 6, 1), "plan")
    codes = [f.code for f in survival.findings(analysis)]
    assert "churn.segment_lives_longer" not in codes
