"""The Support page (and its Overview card) in both languages, on the bundled sample's tickets and on
the Zendesk/HubSpot-shaped fixture exports uploaded alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from cs_models.catalogue import catalogue
from cs_models.pipeline import load_files
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, chart_titles, run_app, texts

PAGE = "pages/support.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tickets"


@pytest.mark.parametrize("lang", LANGS)
def test_sample_shows_resolution_sla_csat_and_churn_link(lang):
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    assert at.title[0].value == messages["support.page_title"]
    titles = chart_titles(at)
    for key in ("support.volume_heading", "support.solve_heading", "support.churn_heading"):
        assert messages[key] in titles
    labels = {m.label for m in at.metric}
    assert {messages["support.metric_tickets"], messages["support.metric_answer"], messages["support.metric_median"],
            messages["support.metric_hr"]} <= labels
    body = texts(at)
    solved_alone = messages["findings.support.resolution_median"].split("{")[0]
    assert solved_alone in body
    assert "ハザード" in body if lang == "ja" else "hazard" in body
    assert len(at.dataframe) >= 3  # within 24 h / 3 days, SLA, last-90-days profile


@pytest.mark.parametrize(("lang", "name"), [("ja", "zendesk_ja.csv"), ("en", "hubspot_en.csv")])
def test_an_uploaded_export_alone_is_analysed_and_the_churn_section_asks_for_customers(lang, name):
    datasets, _ = load_files([(name, (FIXTURES / name).read_bytes())])
    at = run_app(PAGE, lang=lang, uploaded=datasets)
    assert_clean(at)
    assert any(catalogue(lang)["support.churn_needs_customers"] in str(i.value) for i in at.info)
    assert len(at.get("plotly_chart")) == 2  # volume, share solved over time


def test_grouping_by_channel_and_weekly_volume_follow_the_link():
    at = run_app(PAGE, lang="en", query={"support_group": "channel", "support_period": "week"})
    assert_clean(at)
    assert at.query_params["support_group"] == "channel"
    assert at.selectbox(key="support_group").value == "channel"


def test_page_without_tickets_explains_what_to_load():
    at = run_app(PAGE, lang="ja", uploaded=load_sample("ja").with_frames(tickets=None))
    assert_clean(at)
    assert any(catalogue("ja")["common.dataset_tickets"] in str(i.value) for i in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang):
    at = run_app(lang=lang)
    assert_clean(at)
    assert catalogue(lang)["support.page_title"] in [s.value for s in at.subheader]
    assert catalogue(lang)["support.metric_answer"] in {m.label for m in at.metric}
