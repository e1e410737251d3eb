"""Churn page (AppTest): sample data in both languages, URL-bound view, degenerate data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cs_models.catalogue import catalogue
from cs_models.datasets import Datasets
from tests.app.util import LANGS, assert_clean, run_app, texts

PAGE = "pages/churn.py"


def _customers(n: int, *, churn: bool = True, plan: str | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    end = start + pd.to_timedelta(rng.integers(20, 500, n), unit="D")
    end = end.where((end <= pd.Timestamp("2025-06-30")) & churn)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "start_date": start,
            "end_date": end,
            "plan": plan if plan else rng.choice(["Light", "Pro"], n),
            "seats": rng.integers(1, 5, n),
            "mrr": 1000.0,
        }
    )


@pytest.mark.parametrize("lang", LANGS)
def test_sample_page_in_both_languages(lang):
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    messages = catalogue(lang)
    assert at.title[0].value == messages["churn.page_title"]
    assert len(at.get("plotly_chart")) == 3  # Kaplan–Meier, churn rate, hazard ratios
    body = texts(at)
    assert messages["churn.km_heading"] in body
    # the reading names the fastest-churning plan and how much longer the best one stays
    light = {"ja": "ライト", "en": "Light"}[lang]
    assert light in "\n".join(str(i.value) for i in at.info)
    assert {m.label for m in at.metric} >= {messages["churn.metric_customers"], messages["churn.metric_median"]}
    assert len(at.dataframe) >= 3  # survival at, RMST/LTV, (pairwise in an expander)


@pytest.mark.parametrize("lang", LANGS)
def test_page_shows_the_findings_of_the_model(lang):
    """The page's readings are the model's findings, translated (no decisions in the page)."""
    at = run_app(PAGE, lang=lang)
    shown = "\n".join(str(box.value) for box in [*at.info, *at.warning])
    fragments = {
        "en": ("customers stay longest", "still active after 12 months", "a customer brings in", "the churn rate"),
        "ja": ("最も長く継続しています", "12か月後も継続している顧客は", "顧客1社あたり平均", "解約の割合は"),
    }[lang]
    for fragment in fragments:
        assert fragment in shown


def test_japanese_view_has_no_english_sentences():
    at = run_app(PAGE, lang="ja")
    for line in texts(at).splitlines():
        words = [w for w in line.split() if w.isascii() and w.isalpha() and len(w) > 3]
        assert not words, line


def test_view_comes_from_the_link():
    at = run_app(PAGE, lang="en", query={"churn_segment": "study_sessions", "churn_horizon": "12",
                                         "churn_covariates": "study_sessions,onboarding"})
    assert_clean(at)
    assert at.selectbox(key="churn_segment").value == "study_sessions"
    assert at.selectbox(key="churn_horizon").value == 12
    assert at.multiselect(key="churn_covariates").value == ["study_sessions", "onboarding"]
    body = texts(at)
    assert "attended" in body  # the reading compares attended with not attended
    at.selectbox(key="churn_segment").set_value("__none__").run()
    assert_clean(at)
    assert at.query_params["churn_segment"] in ("__none__", ["__none__"])


@pytest.mark.parametrize("lang", LANGS)
def test_no_churn_yet_is_explained(lang):
    at = run_app(PAGE, lang=lang, uploaded=Datasets(customers=_customers(40, churn=False), source="upload"))
    assert_clean(at)
    messages = catalogue(lang)
    body = texts(at)
    assert messages["churn.not_reached"] in body
    assert messages["errors.survival_no_events"] in body  # no Cox, explained
    assert messages["churn.logrank_no_events"] in body


@pytest.mark.parametrize("lang", LANGS)
def test_too_few_customers_are_explained(lang):
    at = run_app(PAGE, lang=lang, uploaded=Datasets(customers=_customers(6), source="upload"))
    assert_clean(at)
    expected = catalogue(lang)["errors.survival_too_few"].format(n=6, minimum=10)
    assert expected in texts(at)


def test_single_group_and_constant_covariate_are_explained():
    """Customers of one region all start after the as-of date: one group left, no test;
    a covariate with one value is left out of the Cox model with the reason."""
    customers = _customers(60).assign(flag=1)
    customers["region"] = np.where(customers["start_date"] < pd.Timestamp("2024-06-01"), "East", "West")
    query = {"churn_segment": "region", "churn_covariates": "seats,flag", "as_of": "2024-05-31"}
    at = run_app(PAGE, lang="en", uploaded=Datasets(customers=customers, source="upload"), query=query)
    assert_clean(at)
    body = texts(at)
    messages = catalogue("en")
    assert messages["churn.logrank_single_group"] in body
    assert "flag" in body
    assert messages["churn.reason_constant"] in body


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang):
    """The Overview card shows the median lifetime and 12-month share of the sample."""
    at = run_app(lang=lang)
    assert_clean(at)
    messages = catalogue(lang)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[messages["churn.card_median_months"]] == "22.0"
    assert metrics[messages["churn.card_12m"]].endswith("%")


def test_overview_card_without_customers():
    survey_only = Datasets(survey=pd.DataFrame({"q": ["a", "b"]}), source="upload")
    at = run_app(lang="en", uploaded=survey_only)
    assert catalogue("en")["churn.card_no_data"] in texts(at)


@pytest.mark.parametrize("lang", LANGS)
def test_blank_revenue_column_is_explained_not_shown_as_nan(lang):
    customers = _customers(60).assign(mrr=np.nan)
    at = run_app(PAGE, lang=lang, uploaded=Datasets(customers=customers, source="upload"))
    assert_clean(at)
    messages = catalogue(lang)
    assert messages["churn.ltv_revenue_blank"] in texts(at)
    rmst = next(df.value for df in at.dataframe if messages["churn.col_rmst"] in df.value.columns)
    assert messages["churn.col_ltv_ci"] not in rmst.columns
    assert messages["churn.col_diff_p_holm"] in rmst.columns
    assert "nan" not in rmst.to_string().lower()
