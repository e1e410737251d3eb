"""The Customers-at-risk page (and its Overview card) in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from cs_models.catalogue import catalogue
from cs_models.datasets import Datasets
from cs_models.risk import risk_scores
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, chart_titles, run_app, texts

PAGE = "pages/risk.py"


@pytest.mark.parametrize("lang", LANGS)
def test_sample_ranks_every_active_customer_and_shows_the_backtest(lang):
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    assert at.title[0].value == messages["risk.page_title"]
    datasets = load_sample(lang)
    result = risk_scores(datasets.customers, datasets.latest_date(), horizon_days=90)
    table = at.dataframe[0].value
    assert len(table) == len(result.customers)
    assert table[messages["risk.col_customer"]].tolist()[:5] == result.customers["customer_id"].tolist()[:5]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[messages["risk.metric_auc"]] == f"{result.backtest.auc:.2f}"  # the page shows the report's AUC
    assert messages["risk.calibration_title"] in chart_titles(at)
    assert messages["findings.risk.backtest_good"].split("{")[0] in texts(at)


def test_horizon_comes_from_the_link():
    at = run_app(PAGE, lang="en", query={"risk_horizon": 180})
    assert_clean(at)
    assert at.query_params["risk_horizon"] == "180"
    assert "180" in texts(at)


def test_a_ranking_no_better_than_chance_is_not_shown():
    """Shuffled end dates break every link between the attributes and churn: the page warns and does not rank."""
    customers = load_sample("en").customers.copy()
    shuffled = customers.sample(frac=1, random_state=3)
    for column in ("start_date", "end_date"):
        customers[column] = shuffled[column].to_numpy()
    at = run_app(PAGE, lang="en", uploaded=Datasets(customers=customers, source="upload"))
    assert not at.exception
    result = risk_scores(customers, customers["start_date"].max().date(), horizon_days=90)
    assert not result.backtest.informative  # AUC 0.50 (95% CI 0.44–0.57) on this shuffle
    assert any(catalogue("en")["risk.not_ranked"] in str(w.value) for w in at.warning)
    assert not at.dataframe


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang):
    at = run_app(lang=lang)
    assert_clean(at)
    assert catalogue(lang)["risk.page_title"] in [s.value for s in at.subheader]


@pytest.mark.parametrize("lang", LANGS)
def test_a_long_call_list_shows_its_top_and_downloads_everyone(lang, monkeypatch):
    """At 1M customers drawing every row was most of a rerun: the page draws the riskiest rows
    (here 50 of the sample's active customers) and says so; the download still has every one."""
    import ui.components
    import ui.risk_view

    monkeypatch.setattr(ui.risk_view, "SHOWN_ROWS", 50)
    written: list[pd.DataFrame] = []
    real = ui.components.deferred
    monkeypatch.setattr(ui.components, "deferred", lambda write, frame: (
        written.append(frame() if callable(frame) else frame), real(write, frame))[1])
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    datasets = load_sample(lang)
    result = risk_scores(datasets.customers, datasets.latest_date(), horizon_days=90)
    table = at.dataframe[0].value
    assert len(table) == 50
    assert table[messages["risk.col_customer"]].tolist() == result.customers["customer_id"].tolist()[:50]
    assert messages["risk.list_truncated"].split("{")[0] in texts(at)
    assert any(len(frame) == len(result.customers) for frame in written)
