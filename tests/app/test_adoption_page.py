"""The Word-of-mouth page (and its Overview card) in both languages, on the bundled sample's internal-tool
log and on an uploaded usage log alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from cs_models.catalogue import catalogue
from cs_models.pipeline import load_files
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, chart_titles, run_app, texts

PAGE = "pages/adoption.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "adoption"


@pytest.mark.parametrize("lang", LANGS)
def test_sample_shows_the_bass_fit_and_reads_word_of_mouth(lang):
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    assert at.title[0].value == messages["adoption.page_title"]
    titles = chart_titles(at)
    assert messages["adoption.monthly_heading"] in titles
    assert messages["adoption.cumulative_heading"] in titles
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[messages["adoption.metric_users"]] == "330"
    assert metrics[messages["adoption.metric_imitation"]] == "88%"
    assert metrics[messages["adoption.metric_peak"]] == "2026-05"
    body = texts(at)
    assert messages["findings.adoption.word_of_mouth"].split("{")[0] in body
    assert len(at.dataframe) == 2  # the coefficients, the departments
    assert messages["adoption.segments_heading"] in [s.value for s in at.subheader]


def test_population_and_method_follow_the_link():
    messages = catalogue("en")
    at = run_app(PAGE, lang="en", query={"adoption_population": 420, "adoption_method": "nls"})
    assert_clean(at)
    assert at.number_input(key="adoption_population").value == 420
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[messages["adoption.metric_market"]] == "420"
    assert messages["adoption.method_caption_nls"].split("{")[0] in texts(at)


def test_segment_choice_is_kept_in_the_link_across_languages():
    at = run_app(PAGE, lang="en", query={"adoption_segment": "department"})
    assert_clean(at)
    assert at.selectbox(key="adoption_segment").value == "department"
    ja = run_app(PAGE, lang="ja", query={"adoption_segment": "department"})
    assert_clean(ja)
    assert ja.selectbox(key="adoption_segment").value == "部署"


def test_a_population_below_the_users_is_explained():
    at = run_app(PAGE, lang="ja", query={"adoption_population": 10})
    assert not at.exception
    assert any("母集団" in str(e.value) for e in at.error)


def test_an_uploaded_usage_log_alone_is_analysed():
    name = "slack_log_en.csv"
    datasets, _ = load_files([(name, (FIXTURES / name).read_bytes())])
    at = run_app(PAGE, lang="en", uploaded=datasets)
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 2


def test_page_without_an_adoption_log_explains_what_to_load():
    at = run_app(PAGE, lang="ja", uploaded=load_sample("ja").with_frames(adoption=None))
    assert_clean(at)
    assert any(catalogue("ja")["common.dataset_adoption"] in str(i.value) for i in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang):
    at = run_app(lang=lang)
    assert_clean(at)
    assert catalogue(lang)["adoption.page_title"] in [s.value for s in at.subheader]
    assert catalogue(lang)["adoption.metric_imitation"] in {m.label for m in at.metric}


def test_card_with_too_little_history_says_so_without_an_error():
    at = run_app(lang="en", query={"as_of": "2025-12-31"})
    assert_clean(at)
    assert any("complete months" in str(i.value) for i in at.info)
