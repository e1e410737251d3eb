"""The expectation vs satisfaction page (and its overview card) in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cs_models.catalogue import catalogue
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, run_app, texts
from ui.gaps_view import DISPLAY_PARTS

PAGE = "pages/gaps.py"
ONBOARDING = {"ja": "導入支援", "en": "Onboarding"}
EXPECTED = {
    "ja": ("期待と満足のギャップ", "は期待を下回っています", "は期待を上回っています", "早く解約しています"),
    "en": ("Expectation vs satisfaction", "disappoints", "delights", "churned sooner"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_sample_shows_delight_disappointment_and_churn_link(lang):
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    title, disappoints, delights, churn = EXPECTED[lang]
    assert at.title[0].value == title
    readings = [str(i.value) for i in at.info]
    assert any(ONBOARDING[lang] in r and disappoints in r for r in readings), readings
    assert any(delights in r for r in readings), readings
    assert any(churn in r for r in readings), readings
    assert len(at.get("plotly_chart")) == 6  # dumbbell, gap bars, shares, IPA map, segments, churn curves
    assert {m.value for m in at.metric} >= {"0.65"}  # hazard ratio per point of gap


def test_japanese_view_has_no_english_sentences():
    """Every line of the Japanese page is Japanese (figures, data values and code names excepted)."""
    at = run_app(PAGE, lang="ja")
    allowed = {"scipy", "wilcoxon", "Cohen", "Wilcoxon", "Pratt"}
    for line in texts(at).splitlines():
        words = [w for w in line.split() if w.isascii() and w.isalpha() and len(w) > 3 and w not in allowed]
        assert not words, line


def test_choices_come_from_the_link():
    """A copied link reopens the same view: the URL holds codes, not labels."""
    at = run_app(PAGE, lang="en", query={"gaps_scale": "1-7", "gaps_zero": "pratt", "gaps_segment": "__none__"})
    assert_clean(at)
    assert at.selectbox(key="gaps_scale").value == "1-7"
    assert at.selectbox(key="gaps_zero").value == "pratt"
    assert "scale 1 to 7" in texts(at)
    assert "Gaps by segment" in texts(at)
    assert not at.dataframe or len(at.dataframe) == len(DISPLAY_PARTS)  # no segment table, only the item tables


def test_wrong_layout_override_is_explained_not_crashed():
    at = run_app(PAGE, lang="ja", query={"gaps_layout": "prefix"})
    assert not at.exception
    assert "期待と満足の列が見つかりません" in at.error[0].value


def _upload(gaps: pd.DataFrame, *, customers: bool = True):
    sample = load_sample("en")
    return sample.with_frames(gaps=gaps, customers=sample.customers if customers else None, source="upload")


def test_out_of_scale_answers_are_listed_by_row():
    gaps = load_sample("en").gaps.astype({"Support (satisfaction)": "object"})
    gaps.loc[4, "Support (satisfaction)"] = 9  # not on 1-5: spreadsheet row 6
    at = run_app(PAGE, lang="en", uploaded=_upload(gaps), query={"gaps_scale": "1-5"})
    assert_clean(at)
    warning = at.warning[0].value
    assert "1 answers are not on the 1 to 5 scale" in warning
    assert "row 6" in warning


def test_without_customers_the_churn_section_explains_itself():
    at = run_app(PAGE, lang="en", uploaded=_upload(load_sample("en").gaps, customers=False))
    assert_clean(at)
    assert any("Load the customers dataset" in str(i.value) for i in at.info)
    assert len(at.get("plotly_chart")) == 5  # no churn curves


def _card() -> None:
    from ui.cards.gaps import render

    render()


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang):
    at = AppTest.from_function(_card, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    worst = {"ja": "期待未満：導入支援", "en": "Shortfall: Onboarding"}[lang]
    assert metrics[worst] == "−0.48"
    assert len(metrics) == 2
    assert ONBOARDING[lang] in at.info[0].value
    assert {"ja": "解約のハザードは35%低くなって", "en": "35% lower churn hazard"}[lang] in at.info[0].value


def test_degenerate_upload_is_explained():
    """Five identical answers and survey IDs that match no customer: notes, not errors."""
    tiny = pd.DataFrame({"customer_id": ["Z1", "Z2", "Z3", "Z4", "Z5"], "exp_x": [3] * 5, "sat_x": [3] * 5})
    at = run_app(PAGE, lang="en", uploaded=_upload(tiny))
    assert_clean(at)
    text = texts(at)
    assert "only 5 respondents answered both questions" in text
    assert "every respondent gave the same gap" in text
    assert any("Only 0 respondents match a customer" in str(i.value) for i in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_churn_sentence_follows_the_log_rank_direction(lang):
    """The Cox slope says "better experience, slower churn" (HR < 1, clear), but the customers
    below expectation did not churn sooner as a group (log-rank: fewer churns than expected):
    the two-group "churned sooner" sentence gives way to the neutral one."""
    rng = np.random.default_rng(1)
    n = 240
    gap = np.tile([-3, -2, -1, 0, 0, 0], n // 6)
    lifetime = np.array([{-3: 100, -2: 300, -1: 500, 0: 300}[g] for g in gap]) * rng.uniform(0.6, 1.4, n)
    start = pd.Timestamp("2023-01-01")
    customers = pd.DataFrame({
        "customer_id": [f"C{i}" for i in range(n)], "start_date": start,
        "end_date": start + pd.to_timedelta(lifetime.astype(int), unit="D"),
    })
    survey = pd.DataFrame({"customer_id": customers["customer_id"], "exp_x": 4, "sat_x": 4 + gap})
    uploaded = load_sample("en").with_frames(gaps=survey, customers=customers, source="upload")
    at = run_app(PAGE, lang=lang, uploaded=uploaded)
    assert_clean(at)
    messages = catalogue(lang)
    readings = "\n".join(str(i.value) for i in at.info)
    assert messages["findings.gaps.gap_predicts_churn_hazard"].split("{")[0] in readings, readings
    assert messages["findings.gaps.gap_predicts_churn"].split("{")[0] not in readings
