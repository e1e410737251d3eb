"""The Lifetime value forecast page (and its Overview card) in both languages, on the bundled sample:
metrics, findings, the retention chart, the Kaplan–Meier comparison and the parameter tables; the
yearly view and a customer list without revenue."""

from __future__ import annotations

import pytest

from cs_models.catalogue import catalogue
from cs_models.datasets import Datasets
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, chart_titles, run_app, texts

PAGE = "pages/forecast.py"


@pytest.mark.parametrize("lang", LANGS)
def test_sample_shows_forecast_comparison_and_value(lang):
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    assert at.title[0].value == messages["forecast.page_title"]
    assert messages["forecast.chart_heading"] in chart_titles(at)
    metrics = {m.label for m in at.metric}
    assert {messages["forecast.metric_base"], messages["forecast.metric_derl"], messages["forecast.metric_new_ltv"],
            messages["forecast.metric_beyond"]} <= metrics
    body = texts(at)
    assert messages["findings.forecast.beyond_window"].split("{")[0] in body
    assert messages["forecast.compare_heading"] in body
    assert len(at.dataframe) == 4
    compare = at.dataframe[0].value
    assert messages["forecast.col_km_lifetime"] in compare.columns
    assert len(compare) == 4  # all customers and the three plans


@pytest.mark.parametrize("lang", LANGS)
def test_yearly_view_without_segment(lang):
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang, query={"forecast_period": "year", "forecast_segment": "__none__"})
    assert_clean(at)
    assert len(at.dataframe[0].value) == 1
    assert messages["forecast.x_title_year"] not in texts(at)  # axis titles live in the figure
    assert messages["forecast.note_few_periods"] in texts(at)  # two complete years in the sample
    assert at.metric


def test_without_revenue_only_lifetimes_are_forecast():
    customers = load_sample("en").customers.drop(columns="mrr")
    at = run_app(PAGE, lang="en", uploaded=Datasets(customers=customers, source="upload"))
    assert_clean(at)
    assert catalogue("en")["forecast.note_no_revenue"] in texts(at)
    assert catalogue("en")["forecast.metric_base"] not in {m.label for m in at.metric}


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang):
    at = run_app("pages/overview.py", lang=lang)
    assert_clean(at)
    assert catalogue(lang)["forecast.card_base"] in {m.label for m in at.metric}
