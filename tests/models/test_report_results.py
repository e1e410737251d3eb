"""Each report section carries, under ``"results"``, the complete ``to_dict()`` of every result its
page renders, computed by the same calls the page makes: what the browser shows and what the JSON
says cannot disagree (a second, independent path: calling the analyses directly)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cs_models import cohorts, revenue, risk, support
from cs_models import survival as sv
from cs_models.report import RESULTS_KEY, SECTION_MODULES, datasets_report, render_html
from cs_models.results import jsonable
from cs_models.sample import load_sample

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def sample_report():
    datasets = load_sample("en")
    report = json.loads(json.dumps(datasets_report(datasets, as_of=AS_OF, lang="en", segment="plan")))
    return datasets, report


def same(value) -> object:
    return json.loads(json.dumps(jsonable(value)))


def test_every_section_has_its_complete_results(sample_report):
    _, report = sample_report
    present = [name for name in SECTION_MODULES if name in report]
    assert present == list(SECTION_MODULES)
    for name in present:
        assert isinstance(report[name][RESULTS_KEY], dict), name


def test_results_equal_the_pages_calls(sample_report):
    datasets, report = sample_report
    customers, events = datasets.customers, datasets.events
    assert report["revenue"]["results"]["movements"] == same(revenue.revenue_movements(events, AS_OF))
    assert report["risk"]["results"]["scores"] == same(risk.risk_scores(customers, AS_OF, horizon_days=90))
    assert report["support"]["results"]["analysis"] == same(support.analyse_support(datasets.tickets, AS_OF))
    assert report["survival"]["results"]["segments"]["plan"] == same(
        sv.analyse(customers, AS_OF, "plan", horizon_months=24, annual_discount=0.10))
    table = report["cohorts"]["results"]["table"]
    assert table == same(cohorts.cohort_table(events, as_of=AS_OF, customers=customers, segment="plan"))


def test_summary_numbers_are_read_from_the_results(sample_report):
    """The summary keys and the complete results agree where they say the same thing."""
    _, report = sample_report
    overall = report["survival"]["results"]["overall"]["overall"]["summary"][0]
    assert report["survival"]["median_days"] == overall["median_days"]
    scores = report["risk"]["results"]["scores"]
    assert report["risk"]["backtest"]["auc"] == scores["backtest"]["auc"]
    assert [c["customer_id"] for c in report["risk"]["customers"]] == [c["customer_id"] for c in scores["customers"]]


def test_printable_page_shows_summaries_not_the_complete_results(sample_report):
    _, report = sample_report
    page = render_html(report, lang="en", figures={})
    assert "overall_rmst" not in page
    assert "top_decile_lift" in page
