"""The Revenue movements page (and its Overview card) in both languages."""

from __future__ import annotations

import pytest

from cs_models.catalogue import catalogue
from cs_models.datasets import Datasets
from cs_models.revenue import revenue_movements
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, chart_titles, run_app, texts

PAGE = "pages/revenue.py"


@pytest.mark.parametrize("lang", LANGS)
def test_sample_shows_movements_trends_and_the_last_month(lang):
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    assert at.title[0].value == messages["revenue.page_title"]
    titles = chart_titles(at)
    assert messages["revenue.movements_heading"] in titles
    assert messages["revenue.trend_churn_rate"] in titles
    datasets = load_sample(lang)
    months = revenue_movements(datasets.events, datasets.latest_date()).months
    table, counts = at.dataframe[0].value, at.dataframe[1].value
    assert len(table) == len(counts) == len(months)
    assert counts[messages["revenue.col_customers_end"]].iloc[-1] == months["customers_end"].iloc[-1]
    end = messages["revenue.col_end_mrr"]
    assert table[end].iloc[-1] == months["end_mrr"].iloc[-1]
    assert messages["findings.revenue.last_month"].split("{")[0] in texts(at)


def test_trend_choice_follows_the_link():
    at = run_app(PAGE, lang="en", query={"revenue_trend": "nrr"})
    assert_clean(at)
    assert catalogue("en")["revenue.trend_nrr"] in chart_titles(at)


def test_events_without_amounts_explain_themselves():
    events = load_sample("en").events.drop(columns="amount")
    at = run_app(PAGE, lang="en", uploaded=Datasets(events=events, source="upload"))
    assert not at.exception
    assert any("amount" in str(e.value) for e in [*at.error, *at.warning, *at.info])


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang):
    at = run_app(lang=lang)
    assert_clean(at)
    assert catalogue(lang)["revenue.page_title"] in [s.value for s in at.subheader]
    month = load_sample(lang).latest_date().strftime("%Y-%m")
    assert catalogue(lang)["revenue.metric_mrr"].format(month=month) in {m.label for m in at.metric}
