"""Findings of the churn analysis: on the sample and on hand-built cases where each must and must not fire."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cs_models import survival as sv
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.sample import load_sample

AS_OF = date(2026, 10, 31)


def customers(days: list[float], churned: list[bool], **columns: list[object]) -> pd.DataFrame:
    """Customers whose lifetimes end ``days`` after their start (churned or still active on AS_OF)."""
    as_of = pd.Timestamp(AS_OF)
    start = as_of - pd.to_timedelta(np.asarray(days, dtype=float) + 1, unit="D")
    start = start.where(~np.asarray(churned), as_of - pd.to_timedelta(days, unit="D"))
    stop = start + pd.to_timedelta(days, unit="D")
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(len(days))], "start_date": start,
        "end_date": pd.Series(stop).where(np.asarray(churned)), **columns,
    })


def codes(found: list) -> list[str]:
    return [f.code for f in found]


def assert_translates(found: list) -> None:
    for finding in found:
        for lang in ("ja", "en"):
            text = finding.text(lang)
            assert text, finding.code
            assert "{" not in text, (finding.code, text)
            assert "findings." not in text, (finding.code, text)
            assert "—" not in text, (finding.code, text)


@pytest.fixture(scope="module")
def sample():
    return load_sample("ja")


def test_sample_findings(sample):
    result = sv.analyse(sample.customers, AS_OF, "プラン")
    found = sv.findings(result)
    assert codes(found)[0] == "churn.segment_lives_longer"
    first = found[0].params
    assert first["segment"] == "プラン"
    assert first["best"] != first["worst"]
    assert first["ratio"] > 1
    assert first["p"] < 0.05
    assert {"churn.median_lifetime", "churn.retained_at_12", "churn.ltv"} <= set(codes(found))
    ltv = next(f for f in found if f.code == "churn.ltv").params
    assert ltv["low"] < ltv["ltv"] < ltv["high"]
    assert_translates(found)


def test_sample_cox_findings(sample):
    frame = sv.durations(sample.customers, AS_OF)
    fit = sv.cox(frame, sv.covariate_columns(frame))
    found = sv.cox_findings(fit)
    assert found
    assert all(f.params["p"] < 0.05 for f in found if f.code.startswith("churn.driver"))
    assert_translates(found)
    assert sv.cox_findings(fit, alpha=1e-300) == [f for f in found if f.code == "churn.ph_violation"]


def test_segment_difference_fires_only_when_the_test_is_significant():
    rng = np.random.default_rng(1)
    n = 80
    short = rng.exponential(100, n).round() + 1
    long = rng.exponential(600, n).round() + 1
    days = np.concatenate([short, long]).tolist()
    frame = customers(days, [True] * (2 * n), plan=["a"] * n + ["b"] * n)
    found = sv.findings(sv.analyse(frame, AS_OF, "plan"))
    lives = next(f for f in found if f.code == "churn.segment_lives_longer")
    assert (lives.params["best"], lives.params["worst"]) == ("b", "a")
    assert_translates(found)
    same = customers(days, [True] * (2 * n), plan=(["a", "b"] * n))
    found = sv.findings(sv.analyse(same, AS_OF, "plan"))
    assert "churn.segment_lives_longer" not in codes(found)
    assert "churn.no_segment_difference" in codes(found)
    assert_translates(found)


def test_small_groups_are_not_named():
    rng = np.random.default_rng(2)
    days = np.concatenate([rng.exponential(50, 20) + 1, rng.exponential(900, 20) + 1]).round().tolist()
    frame = customers(days, [True] * 40, plan=["a"] * 20 + ["b"] * 20)
    result = sv.analyse(frame, AS_OF, "plan")
    assert "churn.segment_lives_longer" not in codes(sv.findings(result))
    assert "churn.segment_lives_longer" in codes(sv.findings(result, min_group=10))


def test_young_customers_give_no_12_month_share_and_no_median():
    frame = customers([float(d) for d in range(30, 330, 20)], [False] * 15)
    found = sv.findings(sv.analyse(frame, AS_OF))
    assert "churn.too_young_for_12" in codes(found)
    assert "churn.retained_at_12" not in codes(found)
    assert "churn.median_not_reached" in codes(found)
    assert "churn.ltv" not in codes(found)  # no revenue column
    assert_translates(found)


def test_ltv_needs_revenue():
    days = [float(d) for d in range(20, 800, 40)]
    frame = customers(days, [i % 2 == 0 for i in range(len(days))], mrr=[1000.0] * len(days))
    found = sv.findings(sv.analyse(frame, AS_OF))
    ltv = next(f for f in found if f.code == "churn.ltv")
    assert ltv.params["ltv"] > 0
    assert "円" in ltv.text("ja")
    assert "¥" in ltv.text("en")


def test_bad_alpha_is_refused(sample):
    result = sv.analyse(sample.customers, AS_OF)
    with pytest.raises(DataError):
        sv.findings(result, alpha=0.9)


def test_report_section_has_findings_and_the_new_tables(sample):
    section = sv.report_section(Datasets(customers=sample.customers), as_of=AS_OF, segment="プラン")
    assert section is not None
    assert "churn.segment_lives_longer" in codes(section["findings"])
    assert all(len(g["median_ci"]) == 2 for g in section["groups"]["プラン"].values())
    assert "pairwise" in section["logrank"]["プラン"]
    assert all(len(g["ltv_ci"]) == 2 for g in section["rmst"]["プラン"]["groups"].values())
    assert section["ltv"]["ci"][0] < section["ltv"]["ltv"] < section["ltv"]["ci"][1]
