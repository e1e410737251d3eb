"""The Story page: one chart and one sentence per step, the step in the URL, skipped steps listed."""

from __future__ import annotations

import json

import pytest

from cs_models.catalogue import catalogue
from cs_models.datasets import Datasets
from cs_models.sample import load_sample
from cs_models.story import STEPS, build_story
from tests.app.util import LANGS, assert_clean, chart_titles, run_app, texts

PAGE = "pages/story.py"


def _story(lang: str):
    datasets = load_sample(lang)
    return build_story(datasets, as_of=datasets.latest_date(), lang=lang)


@pytest.mark.parametrize("lang", LANGS)
def test_every_step_of_the_sample_shows_its_chart_and_sentence(lang):
    story = _story(lang)
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    assert at.title[0].value == messages["story.page_title"]
    for number, step in enumerate(story.steps, start=1):
        assert at.query_params["step"] == str(number)
        charts = at.get("plotly_chart")
        assert len(charts) == 1
        assert chart_titles(at)[0] == step.title
        sentence = step.sentence(lang)
        assert any(sentence.replace("\\", "")[:20] in str(i.value).replace("\\", "") for i in [*at.info, *at.warning])
        assert messages["story.position"].format(step=number, total=len(STEPS)) in texts(at)
        if number < len(story.steps):
            at.button(key="story_next").click().run()
    at.button(key="story_next").click().run()  # past the end stays on the last step
    assert at.query_params["step"] == str(len(STEPS))
    at.button(key="story_previous").click().run()
    assert at.query_params["step"] == str(len(STEPS) - 1)


def test_deep_link_opens_the_step_and_survives_the_language_switch():
    at = run_app(PAGE, lang="ja", query={"step": 5})
    assert chart_titles(at)[0] == catalogue("ja")["story.step_gaps"]
    at.query_params["lang"] = "en"
    at.session_state["lang"] = "en"
    at.run()
    assert chart_titles(at)[0] == catalogue("en")["story.step_gaps"]
    assert at.query_params["step"] == "5"


def test_a_step_number_beyond_the_story_opens_the_first():
    at = run_app(PAGE, lang="en", query={"step": 99})
    assert_clean(at)
    assert chart_titles(at)[0] == catalogue("en")["story.step_cohorts"]


@pytest.mark.parametrize("lang", LANGS)
def test_an_upload_with_only_a_survey_tells_the_funnel_and_lists_the_rest(lang):
    messages = catalogue(lang)
    survey = load_sample(lang).survey
    at = run_app(PAGE, lang=lang, uploaded=Datasets(survey=survey, source="upload"))
    assert_clean(at)
    assert chart_titles(at)[0] == messages["story.step_funnel"]
    body = texts(at)
    assert messages["story.skipped_heading"] in body
    assert messages["story.reason_missing_customers"] in body
    assert messages["story.reason_missing_gaps"] in body
    assert messages["story.position"].format(step=1, total=1) in body


def test_no_usable_data_says_what_to_load():
    at = run_app(PAGE, lang="en", uploaded=Datasets(source="upload"))
    assert_clean(at)
    assert any(catalogue("en")["story.none"] in str(i.value) for i in at.info)
    assert not at.get("plotly_chart")


def test_chart_export_is_named_after_the_chart_and_as_of_date():
    """The toolbar's PNG: ``<chart>_<as-of>.png`` at scale 2, title and source drawn in the figure."""
    at = run_app(PAGE, lang="ja")
    chart = at.get("plotly_chart")[0]
    config = json.loads(chart.proto.config)
    as_of = load_sample("ja").latest_date().isoformat()
    assert config["toImageButtonOptions"] == {"format": "png", "filename": f"story_chart_cohorts_{as_of}", "scale": 2}
    assert chart_titles(at)[1] == f"CS Lens・{catalogue('ja')['common.source_sample']}・基準日 {as_of}"
