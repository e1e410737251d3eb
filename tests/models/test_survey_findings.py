"""Survey findings: the sample's readings (28.6% of 374 know CS; 72.0% / 78.5% of the 107 aware),
hand-built cases where each finding must and must not fire, and every code in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from cs_models import survey as sv
from cs_models.sample import load_sample
from cs_models.survey import interpret as sf

LANGS = ("ja", "en")


def _texts_clean(found, lang):
    for f in found:
        text = f.text(lang)
        assert "{" not in text, text
        assert "}" not in text, text
        assert "—" not in text, text


@pytest.mark.parametrize("lang", LANGS)
def test_sample_findings(lang):
    found = sv.findings(load_sample(lang).survey)
    by_code = {}
    for f in found:
        by_code.setdefault(f.code, []).append(f)
    minority = by_code["survey.awareness_minority"][0]
    assert round(100 * minority.params["share"], 1) == 28.6
    assert minority.params["n"] == 374
    steps = by_code["survey.funnel_step"]
    assert [round(100 * s.params["share"], 1) for s in steps] == [72.0, 78.5]
    assert all(s.params["n"] == 107 for s in steps)
    assert "n=107" in steps[0].text(lang)
    assert "72.0%" in steps[0].text(lang)
    top = by_code["survey.top_challenge"][0]
    assert round(100 * top.params["share"], 1) == 50.0
    assert top.params["n"] == 84
    assert [f.code for f in found if f.code.startswith("survey.nps")] == ["survey.nps_negative"]
    assert found[0].severity == "alert"  # ranked: the clearly negative NPS first
    for l2 in LANGS:
        _texts_clean(found, l2)


def _funnel_frame(aware: int, n: int) -> pd.DataFrame:
    q1 = ["Yes"] * aware + ["No"] * (n - aware)
    q2 = ["Agree"] * (aware // 2) + ["Disagree"] * (aware - aware // 2) + [None] * (n - aware)
    return pd.DataFrame({"Q1 know": q1, "Q2 important": q2})


def _steps():
    return (sv.FunnelStep("Q1 know", ("Yes",)), sv.FunnelStep("Q2 important", ("Agree",)))


def test_minority_fires_below_half_and_not_above():
    low = sf.funnel_findings(sv.funnel(_funnel_frame(40, 100), _steps()))
    assert [f.code for f in low] == ["survey.awareness_minority", "survey.funnel_step"]
    assert low[1].params["n"] == 40
    assert low[1].params["base_label"] == "Yes"
    high = sf.funnel_findings(sv.funnel(_funnel_frame(60, 100), _steps()))
    assert [f.code for f in high] == ["survey.funnel_first", "survey.funnel_step"]
    small = sf.funnel_findings(sv.funnel(_funnel_frame(20, 100), _steps()), min_group=30)
    assert [f.code for f in small] == ["survey.awareness_minority"]  # 20 aware: too few to read
    for lang in LANGS:
        _texts_clean(low + high, lang)


def test_question_asked_of_everyone_is_read_on_its_own_base():
    frame = pd.DataFrame({"Q1 know": ["Yes"] * 40 + ["No"] * 60, "Q2 important": ["Agree", "Disagree"] * 50})
    found = sf.funnel_findings(sv.funnel(frame, _steps()))
    assert found[1].code == "survey.funnel_step_all"
    assert found[1].params["n"] == 100
    for lang in LANGS:
        _texts_clean(found, lang)


def test_nps_and_crosstab_findings_fire_only_when_clear():
    promoters = pd.DataFrame({"Recommend (0-10)": [10] * 60 + [3] * 10})
    mixed = pd.DataFrame({"Recommend (0-10)": [10] * 35 + [3] * 35})
    assert [f.code for f in sf.nps_findings(sv.nps(promoters, "Recommend (0-10)"))] == ["survey.nps_positive"]
    assert [f.code for f in sf.nps_findings(sv.nps(mixed, "Recommend (0-10)"))] == ["survey.nps_unclear"]
    assert sf.nps_findings(sv.nps(mixed.head(10), "Recommend (0-10)")) == []
    differs = pd.DataFrame(
        {"answer": ["A"] * 50 + ["B"] * 10 + ["A"] * 10 + ["B"] * 50, "size": ["S"] * 60 + ["L"] * 60}
    )
    same = pd.DataFrame({"answer": ["A", "B"] * 60, "size": ["S"] * 60 + ["L"] * 60})
    ct = sv.crosstab(differs, "answer", "size")
    codes = [f.code for f in sf.crosstab_findings(ct)]
    assert codes[0] == "survey.crosstab_differs"
    assert "survey.crosstab_higher" in codes
    assert sf.crosstab_differs(ct)
    ct_same = sv.crosstab(same, "answer", "size")
    assert [f.code for f in sf.crosstab_findings(ct_same)] == ["survey.crosstab_same"]
    for lang in LANGS:
        _texts_clean(sf.crosstab_findings(ct) + sf.nps_findings(sv.nps(promoters, "Recommend (0-10)")), lang)


def test_default_segment_prefers_company_size():
    assert sf.default_segment(["industry", "company_size"]) == "company_size"
    assert sf.default_segment(["industry"]) == "industry"
    assert sf.default_segment([]) is None
