"""Survey results page (AppTest, ja + en): sample figures, links, an uploaded Japanese sheet, degenerate data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cs_models import survey as sv
from cs_models.catalogue import translate
from cs_models.datasets import Datasets
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, run_app, texts

PAGE = "pages/survey.py"
TITLES = {"ja": "アンケート結果", "en": "Survey results"}


def plain(at) -> str:
    """Page text with markdown escapes removed (readings escape their values)."""
    return texts(at).replace("\\", "")


def wilson(p: float, n: float) -> tuple[float, float]:
    """Wilson score interval, closed form (for weighted shares: on the effective base)."""
    z = stats.norm.ppf(0.975)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def chart_specs(at) -> str:
    return "\n".join(chart.proto.spec for chart in at.get("plotly_chart"))


@pytest.mark.parametrize("lang", LANGS)
def test_sample_survey_reproduces_the_published_figures(lang):
    """28.6% aware (95% CI 24.3–33.4%, n=374); 72.0% of them important; 78.5% doing or planning."""
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    assert at.title[0].value == TITLES[lang]
    text = plain(at)
    assert "28.6%" in text
    assert "24.3–33.4%" in text
    assert "n=374" in text
    assert "72.0%" in text
    assert "78.5%" in text
    assert len(at.get("plotly_chart")) >= 3  # question bars, funnel, crosstab heatmap
    assert len(at.get("download_button")) >= 6  # CSV + XLSX of each table


@pytest.mark.parametrize("lang", LANGS)
def test_multi_select_challenges_from_the_link(lang):
    """?survey_q=5 opens the challenges question: know-how 50.0%, people 28.6% of the 84 asked."""
    at = run_app(PAGE, lang=lang, query={"survey_q": 5})
    assert_clean(at)
    text = plain(at)
    assert "50.0%" in text
    assert "n=84" in text
    specs = chart_specs(at)
    assert "50.0%" in specs
    assert "28.6%" in specs


def test_interval_method_and_reference_rate_from_the_link():
    """Clopper–Pearson interval and an exact binomial comparison with a typed 25% reference."""
    at = run_app(PAGE, lang="en", query={"survey_ci": "beta", "survey_ref": 25.0})
    assert_clean(at)
    low, high = sv.proportion_interval(107, 374, method="beta")
    text = plain(at)
    assert f"{100 * low:.1f}–{100 * high:.1f}%" in text
    p_value = sv.compare_to_reference(
        load_sample("en").survey, "Q1 Do you know what customer success means?", ["Yes"], 0.25
    ).p_value
    assert f"p = {p_value:.3f}" in text


@pytest.mark.parametrize("lang", LANGS)
def test_nps_question(lang):
    at = run_app(PAGE, lang=lang, query={"survey_q": 6})
    assert_clean(at)
    frame = load_sample(lang).survey
    result = sv.nps(frame, sv.infer_questions(frame)[6])
    assert f"{result.nps:+.0f}" in [m.value for m in at.metric]


def japanese_upload() -> Datasets:
    """A customer's own sheet: Japanese headers, satisfaction scale, ／-separated multi-select, weights."""
    rng = np.random.default_rng(7)
    n = 60
    scale = ["非常に満足", "満足", "どちらともいえない", "やや不満", "非常に不満"]
    frame = pd.DataFrame(
        {
            "回答者ID": [f"A{i:03d}" for i in range(n)],
            "部署": rng.choice(["営業", "CS", "開発"], size=n),
            "総合満足度": rng.choice(scale, size=n, p=[0.2, 0.35, 0.25, 0.15, 0.05]),
            "利用している機能（複数回答）": [
                "／".join(sorted(set(rng.choice(["分析", "通知", "連携"], size=2)))) for _ in range(n)
            ],
            "知人に勧めたい度合い（0〜10）": rng.integers(0, 11, size=n).astype(float),
            "ご意見（自由記述）": [None] * (n - 3) + ["<script>alert(1)</script>", "=1+1", "[x](javascript:1)"],
            "利用年数": rng.integers(1, 40, size=n).astype(float),
        }
    ).rename(columns={"回答者ID": "respondent_id"})
    frame.loc[:4, "総合満足度"] = None  # not answered
    return Datasets(survey=frame, source="upload", origins={"survey": "アンケート.xlsx"})


@pytest.mark.parametrize("lang", LANGS)
def test_uploaded_sheet_with_japanese_headers(lang):
    data = japanese_upload()
    at = run_app(PAGE, lang=lang, uploaded=data)
    assert_clean(at)
    kinds = [q.kind for q in sv.infer_questions(data.survey)]
    assert kinds == ["single", "likert", "multi", "nps", "text", "numeric"]
    # no skip logic: the funnel starts from the first question; the Likert question is shown first
    at = run_app(PAGE, lang=lang, uploaded=data, query={"survey_q": 1})
    assert_clean(at)
    top2 = sv.likert(data.survey, "総合満足度").top2
    assert f"{100 * top2.share:.1f}%" in [m.value for m in at.metric]
    assert "n=55" in plain(at)
    at = run_app(PAGE, lang=lang, uploaded=data, query={"survey_q": 4})  # free text: counted, listed safely
    assert_clean(at)
    assert "3" in [m.value for m in at.metric]
    at = run_app(PAGE, lang=lang, uploaded=data, query={"survey_q": 5})  # a number: mean with its CI
    assert_clean(at)
    summary = sv.numeric_summary(data.survey, "利用年数")
    assert f"{summary.mean:,.2f}" in [m.value for m in at.metric]


@pytest.mark.parametrize("lang", LANGS)
def test_small_and_missing_surveys_are_explained(lang):
    small = Datasets(survey=pd.DataFrame({"Q": ["はい", "いいえ", "はい"], "区分": ["A", "B", "A"]}), source="upload")
    at = run_app(PAGE, lang=lang, uploaded=small)
    assert_clean(at)
    assert at.warning  # base under 30 flagged
    same = Datasets(survey=pd.DataFrame({"Q": ["はい"] * 4, "区分": ["A", "B", "A", "B"]}), source="upload")
    at = run_app(PAGE, lang=lang, uploaded=same)
    assert_clean(at)  # everyone gave the same answer: the crosstab explains instead of failing
    assert any(i.value.startswith(translate(lang, "errors.survey_one_answer")) for i in at.info)
    missing = Datasets(customers=load_sample("en").customers, source="upload")
    at = run_app(PAGE, lang=lang, uploaded=missing)
    assert not at.exception
    assert at.info


def test_japanese_view_has_no_english_sentences():
    """Every sentence of the Japanese page is Japanese (figures, method names and data excepted)."""
    at = run_app(PAGE, lang="ja")
    allowed = {"Wilson", "Holm", "Clopper", "Pearson", "Jeffreys", "Wald"}
    for line in plain(at).splitlines():
        words = [w for w in line.split() if w.isascii() and w.isalpha() and len(w) > 3 and w not in allowed]
        assert not words, line


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang):
    from streamlit.testing.v1 import AppTest

    def card(lang: str = "en") -> None:
        import streamlit as st

        from ui.cards.survey import render

        st.session_state["lang"] = lang
        render()

    at = AppTest.from_function(card, kwargs={"lang": lang}).run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["28.6%", "72.0%", "78.5%"]
    first = at.info[0].value.replace("\\", "")
    assert "24.3%" in first
    assert "33.4%" in first
    assert "n=107" in at.info[1].value  # later steps state their base: "of those who answered Yes (n=107)"
    assert "72.0%" in at.info[1].value
    assert "78.5%" in at.info[2].value


def test_choices_are_written_to_the_link_as_codes():
    """Choosing a question, a type and a segment updates the URL with codes, not labels.

    (English view: AppTest formats options with ``format_func`` in the test thread, where the
    language is the default.)
    """
    at = run_app(PAGE, lang="en")
    at.selectbox(key="survey_q").set_value(3).run()
    assert_clean(at)
    assert at.query_params["survey_q"] in (["3"], "3")
    assert [m for m in at.metric if m.label.startswith("Top-2")]
    at.selectbox(key="survey_kind_3").set_value("single").run()  # read the Likert question as single choice
    assert_clean(at)
    assert at.query_params["survey_kind_3"] in (["single"], "single")
    assert not [m for m in at.metric if m.label.startswith("Top-2")]
    at.selectbox(key="survey_seg").set_value(0).run()  # crosstab by industry
    assert_clean(at)
    assert "Answers do not clearly differ by industry" in plain(at)


def test_weighted_survey_reports_weighted_shares():
    """With a weight column the page says so and shows the weighted share (by hand: 6/8 = 75.0%)."""
    frame = pd.DataFrame(
        {"Q": ["はい", "はい", "いいえ", "いいえ", "いいえ", "はい"] * 6, "weight": [2.0, 1.0, 1.0, 0.5, 0.5, 3.0] * 6}
    )
    at = run_app(
        PAGE, lang="en", uploaded=Datasets(survey=frame, source="upload"), query={"survey_ans_0_single": "はい"}
    )
    assert_clean(at)
    text = plain(at)
    assert "weighted" in text
    assert "75.0%" in text


def weighted_upload() -> Datasets:
    """Six respondents repeated six times, weights 2, 1, 1, 0.5, 0.5, 3 (Σw = 48, Σw² = 93)."""
    frame = pd.DataFrame(
        {
            "Q": ["はい", "はい", "いいえ", "いいえ", "いいえ", "はい"] * 6,
            "区分": ["A", "B", "A", "B", "A", "B"] * 6,
            "How likely to recommend (0-10)": [10, 2, 7, 9, 4, 10] * 6,
            "weight": [2.0, 1.0, 1.0, 0.5, 0.5, 3.0] * 6,
        }
    )
    return Datasets(survey=frame, source="upload")


@pytest.mark.parametrize("lang", LANGS)
def test_weighted_reference_funnel_and_crosstab_are_labelled(lang):
    """Weighted share 36/48 = 75.0% compared with 50%: score test on n_eff = 48²/93 = 24.8,
    z = 0.5 · sqrt(24.77) = 2.49, p = 0.013 (the exact test on the unweighted 18/36 would give p = 1).
    The funnel says its percentages are weighted and its bars are respondents; the crosstab says
    it is unweighted."""
    at = run_app(PAGE, lang=lang, uploaded=weighted_upload(), query={"survey_ans_0_single": "はい", "survey_ref": 50.0})
    assert_clean(at)
    text = plain(at)
    assert "75.0%" in text
    n_eff = 48**2 / 93
    assert f"{n_eff:,.1f}" == "24.8"
    p_value = 2 * stats.norm.sf(0.5 * np.sqrt(n_eff))
    assert f"{p_value:.3f}" == "0.013"
    expected = translate(
        lang,
        "survey.reading_ref_differs_weighted",
        share="75.0%",
        reference="50.0%",
        diff="+25.0",
        low=f"{100 * (wilson(0.75, n_eff)[0] - 0.5):+.1f}",
        high=f"{100 * (wilson(0.75, n_eff)[1] - 0.5):+.1f}",
        p="0.013",
        n_eff="24.8",
    )
    assert expected in text
    assert translate(lang, "survey.funnel_weighted") in text
    assert translate(lang, "survey.crosstab_unweighted") in text


@pytest.mark.parametrize("lang", LANGS)
def test_weighted_nps_on_the_page(lang):
    """Answers 10, 2, 7, 9, 4, 10 with weights 2, 1, 1, 0.5, 0.5, 3: promoters (2 + 0.5 + 3)/8 = 68.75%,
    detractors (1 + 0.5)/8 = 18.75%, NPS = +50 (unweighted it would be 3/6 − 2/6 = +17)."""
    at = run_app(PAGE, lang=lang, uploaded=weighted_upload(), query={"survey_q": 2})
    assert_clean(at)
    assert "+50" in [m.value for m in at.metric]
    text = plain(at)
    assert f"{100 * 5.5 / 8:.1f}%" in text
    assert f"{100 * 1.5 / 8:.1f}%" in text
    assert "+17" not in text


def test_language_switch_keeps_the_view_in_the_other_language():
    """Answers remembered in English are replaced by the Japanese defaults, not left empty."""
    at = run_app(PAGE, lang="en")
    at.sidebar.radio(key="lang").set_value("ja").run()
    assert_clean(at)
    assert at.multiselect(key="survey_ans_2_single").value == ["知っている"]
    assert at.multiselect(key="survey_fa3_4").value == ["既に取り組んでいる", "今後取り組みたい"]
    assert "28.6%" in plain(at)


def test_sheet_uploaded_on_the_data_page_reaches_the_survey_page():
    """The real upload path: a CSV with Japanese headers goes through the Data page's reading,
    mapping and validation, is used for the session, and the survey page types its questions.
    (English UI: AppTest formats the sidebar's source radio in the test thread's default language.)"""
    sheet = japanese_upload().survey.rename(columns={"respondent_id": "回答者ID"})
    at = run_app("pages/data.py", lang="en")
    at.file_uploader[0].upload("アンケート.csv", sheet.to_csv(index=False).encode("utf-8-sig"), "text/csv")
    at.run()
    at.button(key="data_use_files").click().run()
    assert_clean(at)
    survey = at.session_state["uploaded_datasets"].survey
    assert [q.kind for q in sv.infer_questions(survey)] == ["single", "likert", "multi", "nps", "text", "numeric"]
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert at.title[0].value == TITLES["en"]
    assert "n=60" in plain(at)


def test_likert_retyped_0_to_4_scale_uses_the_models_boxes():
    """A 0–4 rating read as Likert via the link, by hand: 4×3, 3×2, 2×4, 1×1, 0×2 (n = 12).
    Top-2 {4, 3} = 5/12 = 41.7%, bottom-2 {1, 0} = 3/12 = 25.0%; the answers preselected are the
    model's top-2 box (4 and 3) and the mean is labelled on the 0–4 scale."""
    frame = pd.DataFrame({"Rating 0-4": [4] * 3 + [3] * 2 + [2] * 4 + [1] + [0] * 2})
    at = run_app(PAGE, lang="en", uploaded=Datasets(survey=frame, source="upload"), query={"survey_kind_0": "likert"})
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[translate("en", "survey.top2")] == "41.7%"
    assert metrics[translate("en", "survey.bottom2")] == "25.0%"
    assert "Mean score (0–4)" in metrics
    assert at.multiselect(key="survey_ans_0_likert").value == ["4", "3"]


def test_card_interval_without_bounds_is_a_dash():
    """A NaN bound (e.g. an empty base) is shown as the shared dash, never 'nan–nan%'."""
    from cs_models.format import MISSING, interval

    assert interval(float("nan"), float("nan")) == MISSING
    assert interval(0.2, float("nan")) == MISSING
    assert interval(0.243, 0.334) == "24.3%–33.4%"


def test_overview_card_says_its_funnel_is_weighted():
    """The sample survey with weights 1, 2, 3, 1, 2, 3, …: the card's first rate is the weighted
    step-1 share Σw(aware)/Σw computed by the model, and the card says it is weighted."""
    frame = load_sample("en").survey
    frame = frame.assign(weight=[1.0 + i % 3 for i in range(len(frame))])
    steps = sv.default_funnel(frame)
    expected = sv.funnel(frame, steps).table["share"].iloc[0]
    answers = frame[steps[0].question]
    w, base = frame["weight"], answers.notna()
    chosen = answers.astype(str).str.strip().isin(steps[0].accepted)
    assert expected == pytest.approx(w[chosen].sum() / w[base].sum())
    at = run_app("pages/overview.py", lang="en", uploaded=Datasets(survey=frame, source="upload"))
    assert_clean(at)
    assert f"{100 * expected:.1f}%" in [m.value for m in at.metric]
    assert translate("en", "survey.card_weighted") in texts(at)
