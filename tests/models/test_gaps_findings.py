"""Findings of the gap analysis: when each one fires, and that every one reads in both languages."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cs_models import gaps
from cs_models.errors import DataError
from cs_models.findings import Finding
from cs_models.sample import load_sample

LANGS = ("ja", "en")


def _codes(found: list[Finding]) -> list[str]:
    return [f.code for f in found]


def _assert_translates(found: list[Finding]) -> None:
    for finding in found:
        for lang in LANGS:
            text = finding.text(lang)
            assert text, (finding.code, lang)
            assert "{" not in text, (finding.code, lang, text)
            assert "}" not in text, (finding.code, lang, text)


def _table(items: dict[str, tuple[list[int], list[int]]], importance: dict[str, list[int]] | None = None):
    n = len(next(iter(items.values()))[0])
    frame = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(n)]})
    for item, (e, s) in items.items():
        frame[f"exp_{item}"], frame[f"sat_{item}"] = e, s
        if importance:
            frame[f"imp_{item}"] = importance[item]
    return gaps.read_gaps(frame)


RNG = np.random.default_rng(7)
EXPECT = list(RNG.integers(3, 6, 60))
LOWER = [max(1, e - int(d)) for e, d in zip(EXPECT, RNG.integers(0, 3, 60), strict=True)]
HIGHER = [min(5, e + int(d)) for e, d in zip([3] * 60, RNG.integers(0, 3, 60), strict=True)]
SAME = [3] * 30 + [4] * 30


@pytest.mark.parametrize("lang", LANGS)
def test_sample_findings(lang):
    sample = load_sample(lang)
    section = gaps.report_section(sample, as_of=sample.latest_date())
    found = section["findings"]
    codes = _codes(found)
    assert {"gaps.most_disappointing", "gaps.most_delighting", "gaps.priority_item",
            "gaps.gap_predicts_churn"} <= set(codes)
    worst = next(f for f in found if f.code == "gaps.most_disappointing")
    assert worst.params["item"] == {"ja": "導入支援", "en": "Onboarding"}[lang]
    assert worst.params["gap"] == pytest.approx(0.48, abs=0.01)
    link = next(f for f in found if f.code == "gaps.gap_predicts_churn")
    assert link.params["hr"] == pytest.approx(0.65, abs=0.01)
    assert link.params["p"] < 0.05
    _assert_translates(found)


def test_disappointing_and_delighting_fire_only_when_clear():
    answers = _table({"Bad": (EXPECT, LOWER), "Good": ([3] * 60, HIGHER), "Flat": (SAME, SAME[::-1])})
    found = gaps.findings(gaps.analyse_gaps(answers))
    by_code = {f.code: f for f in found}
    assert by_code["gaps.most_disappointing"].params["item"] == "Bad"
    assert by_code["gaps.most_delighting"].params["item"] == "Good"
    assert "gaps.no_clear_gap" not in by_code
    _assert_translates(found)
    flat = gaps.findings(gaps.analyse_gaps(_table({"Flat": (SAME, SAME[::-1])})))
    assert _codes(flat) == ["gaps.no_clear_gap"]
    _assert_translates(flat)


def test_alpha_is_a_parameter():
    answers = _table({"Bad": (EXPECT, LOWER)})
    analysis = gaps.analyse_gaps(answers)
    p = float(analysis.items.loc["Bad", "t_p_holm"])
    assert "gaps.most_disappointing" in _codes(gaps.findings(analysis, alpha=0.5))
    if p > 1e-12:
        assert _codes(gaps.findings(analysis, alpha=p / 2)) == ["gaps.no_clear_gap"]
    with pytest.raises(DataError) as info:
        gaps.findings(analysis, alpha=0.9)
    assert info.value.code == "bad_alpha"


def test_priority_item_is_important_but_underperforming():
    answers = _table(
        {"Key": ([4] * 60, [2] * 30 + [3] * 30), "Minor": ([2] * 60, [4] * 30 + [5] * 30)},
        importance={"Key": [5] * 60, "Minor": [1] * 60},
    )
    found = gaps.findings(gaps.analyse_gaps(answers), ipa=gaps.importance_performance(answers))
    priority = next(f for f in found if f.code == "gaps.priority_item")
    assert priority.params["item"] == "Key"
    _assert_translates(found)
    balanced = _table({"A": ([3] * 60, [4] * 60), "B": ([2] * 60, [2] * 60)}, importance={"A": [5] * 60, "B": [1] * 60})
    found = gaps.findings(gaps.analyse_gaps(balanced), ipa=gaps.importance_performance(balanced))
    assert "gaps.priority_item" not in _codes(found)


def _churn_case(effect: bool):
    rng = np.random.default_rng(3)
    n = 240
    gap = np.tile([-2, -1, 0, 1], n // 4)
    base = np.array([{-2: 150, -1: 250, 0: 400, 1: 600}[g] for g in gap]) if effect else np.full(n, 350)
    lifetime = (base * rng.uniform(0.5, 1.5, n)).astype(int)
    start = pd.Timestamp("2023-01-01")
    customers = pd.DataFrame({"customer_id": [f"C{i}" for i in range(n)], "start_date": start,
                              "end_date": start + pd.to_timedelta(lifetime, unit="D")})
    survey = pd.DataFrame({"customer_id": customers["customer_id"], "exp_x": 3, "sat_x": 3 + gap})
    return gaps.gap_churn(gaps.read_gaps(survey), customers, as_of=date(2026, 1, 1))


def test_churn_link_fires_with_an_effect_and_not_without():
    linked = gaps.churn_findings(_churn_case(True))
    assert _codes(linked) == ["gaps.gap_predicts_churn"]
    assert linked[0].params["hr"] < 1
    assert linked[0].params["change"] > 0
    _assert_translates(linked)
    none = gaps.churn_findings(_churn_case(False))
    assert _codes(none) in (["gaps.no_gap_churn_link"], ["gaps.gap_churn_reverse"])
    assert "gaps.gap_predicts_churn" not in _codes(none)
    _assert_translates(none)


def test_segment_findings():
    sample = load_sample("en")
    comparison = gaps.compare_segments(gaps.read_gaps(sample.gaps), "plan")
    found = gaps.segment_findings(comparison)
    assert len(found) == 1
    assert found[0].code in ("gaps.segment_differs", "gaps.segment_no_difference")
    _assert_translates(found)
    strong = gaps.segment_findings(comparison, alpha=0.5)
    _assert_translates(strong)


def test_analyse_gaps_rejects_a_bad_alpha():
    with pytest.raises(DataError) as info:
        gaps.analyse_gaps(_table({"x": ([3] * 5, [4] * 5)}), alpha=1.5)
    assert info.value.code == "bad_alpha"


def test_segment_differs_fires_on_a_clear_difference():
    frame = pd.DataFrame({
        "respondent_id": [f"R{i}" for i in range(80)],
        "plan": ["Basic"] * 40 + ["Pro"] * 40,
        "exp_x": [4] * 80,
        "sat_x": [2, 3] * 20 + [5, 4] * 20,
    })
    found = gaps.segment_findings(gaps.compare_segments(gaps.read_gaps(frame), "plan"))
    assert _codes(found) == ["gaps.segment_differs"]
    assert (found[0].params["best"], found[0].params["worst"]) == ("Pro", "Basic")
    _assert_translates(found)
    same = frame.assign(sat_x=[2, 5] * 40)
    found = gaps.segment_findings(gaps.compare_segments(gaps.read_gaps(same), "plan"))
    assert _codes(found) == ["gaps.segment_no_difference"]


def test_results_share_the_result_base_and_serialise():
    import json

    from cs_models.results import Result

    sample = load_sample("en")
    answers = gaps.read_gaps(sample.gaps)
    results = (
        gaps.analyse_gaps(answers, alpha=0.1), gaps.importance_performance(answers),
        gaps.compare_segments(answers, "plan", alpha=0.1),
        gaps.gap_churn(answers, sample.customers, as_of=sample.latest_date(), alpha=0.1),
    )
    for result in results:
        assert isinstance(result, Result)
        json.dumps(result.to_dict())
    assert results[0].alpha == 0.1
    assert results[2].alpha == 0.1
