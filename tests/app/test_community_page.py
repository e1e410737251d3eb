"""The Community page (and its Overview card) in both languages, on the bundled sample's community log
and on a commmune-shaped export uploaded alone; the role rule follows the link."""

from __future__ import annotations

from pathlib import Path

import pytest

from cs_models.catalogue import catalogue
from cs_models.pipeline import load_files
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, chart_titles, run_app, texts

PAGE = "pages/community.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "community"


@pytest.mark.parametrize("lang", LANGS)
def test_sample_shows_roles_candidates_events_and_churn(lang):
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    assert at.title[0].value == messages["community.page_title"]
    titles = chart_titles(at)
    for key in ("community.history_heading", "community.lorenz_heading", "community.candidates_heading",
                "community.events_heading", "community.churn_heading"):
        assert messages[key] in titles
    labels = {m.label for m in at.metric}
    assert {messages["community.metric_leader"], messages["community.metric_did"],
            messages["community.metric_hr"], messages["community.metric_naive"]} <= labels
    body = texts(at)
    assert messages["community.rule"].split("{")[0] in body  # the rule is stated
    assert messages["findings.community.events_raise_posting"].split("{")[0] in body
    assert len(at.dataframe) >= 1


def test_the_rule_follows_the_link():
    at = run_app(PAGE, lang="en", query={"community_window": 30, "community_leader": 5})
    assert_clean(at)
    assert at.selectbox(key="community_window").value == 30
    assert at.number_input(key="community_leader").value == 5
    assert "last 30 days" in texts(at)
    at.number_input(key="community_follower").set_value(4).run()
    assert at.query_params["community_follower"] == "4"


@pytest.mark.parametrize("lang", LANGS)
def test_an_export_alone_is_analysed_and_the_churn_section_asks_for_customers(lang):
    datasets, _ = load_files([("commmune_ja.csv", (FIXTURES / "commmune_ja.csv").read_bytes())])
    at = run_app(PAGE, lang=lang, uploaded=datasets)
    assert_clean(at)
    info = [str(i.value) for i in at.info]
    assert any(catalogue(lang)["community.churn_needs_customers"] in i for i in info)
    assert any(catalogue(lang)["community.events_too_few"].split("{")[0] in i for i in info)


def test_page_without_a_log_explains_what_to_load():
    at = run_app(PAGE, lang="ja", uploaded=load_sample("ja").with_frames(community=None))
    assert_clean(at)
    assert any(catalogue("ja")["common.dataset_community"] in str(i.value) for i in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang):
    at = run_app(lang=lang)
    assert_clean(at)
    assert catalogue(lang)["community.page_title"] in [s.value for s in at.subheader]
    assert catalogue(lang)["community.metric_leader"] in {m.label for m in at.metric}
