"""The sidebar's segment filter: every page analyses the filtered data, says so in every chart, keeps it in the URL.

Expected numbers are those of the models on hand-filtered frames (``customers[地域 == 関東]``):
821 of the sample's 2,000 customers are in 関東 (counted from ``sample_data/ja/customers.csv`` in
``tests/models/test_filters.py``).
"""

from __future__ import annotations

import pytest

from cs_models.catalogue import catalogue
from cs_models.risk import risk_scores
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, chart_titles, run_app, texts

KANTO = {"ja": ("地域", "関東"), "en": ("region", "Kanto")}
SCOPE = {"ja": "地域: 関東のみ（顧客 821 / 2,000）", "en": "region: Kanto only (821 of 2,000 customers)"}
KEPT = {"ja": "絞り込み後の顧客: 821 / 2,000", "en": "Customers after filtering: 821 of 2,000"}


def sidebar_text(at) -> str:
    return "\n".join(str(c.value) for c in at.sidebar.caption)


def scoped(at, lang: str) -> bool:
    """Every chart of the page has the filter (with its n) in its title."""
    subtitles = chart_titles(at)[0::2]
    return bool(subtitles) and all(SCOPE[lang] in s for s in subtitles)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", ["pages/cohorts.py", "pages/churn.py", "pages/revenue.py"])
def test_a_link_with_a_filter_filters_the_page_and_titles_its_charts(page, lang):
    at = run_app(page, lang=lang, query={"f_region": "kanto"})
    assert_clean(at)
    assert at.sidebar.multiselect(key="f_region").value == [KANTO[lang][1]]
    assert KEPT[lang] in sidebar_text(at)
    assert scoped(at, lang)
    assert at.query_params["f_region"] in ("kanto", ["kanto"])


@pytest.mark.parametrize("lang", LANGS)
def test_risk_page_lists_only_the_filtered_customers(lang):
    at = run_app("pages/risk.py", lang=lang, query={"f_region": "kanto"})
    assert_clean(at)
    datasets = load_sample(lang)
    column, value = KANTO[lang]
    kanto = datasets.customers[datasets.customers[column] == value]
    expected = risk_scores(kanto, datasets.latest_date(), horizon_days=90)
    assert scoped(at, lang)
    if expected.backtest.informative:
        assert len(at.dataframe[0].value) == len(expected.customers)
    else:  # the page does not rank when the model does no better than chance on these customers
        assert any(catalogue(lang)["risk.not_ranked"] in str(w.value) for w in at.warning)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[catalogue(lang)["risk.metric_auc"]] == f"{expected.backtest.auc:.2f}"


def test_choosing_values_writes_codes_to_the_url_and_survives_switching_pages():
    """(In English: AppTest formats a selectbox's value outside the run, in its default language,
    so a run after a Japanese page with a translated selectbox fails inside AppTest itself.)"""
    at = run_app("pages/cohorts.py", lang="en")
    assert_clean(at)
    assert not scoped(at, "en")
    at.sidebar.multiselect(key="f_region").select("Kanto").run()
    at.sidebar.multiselect(key="f_plan").select("Standard").select("Pro").run()
    assert_clean(at)
    assert at.query_params["f_region"] in ("kanto", ["kanto"])
    assert set(str(at.query_params["f_plan"]).strip("[]'").split(",")) == {"standard", "pro"}
    assert "Customers after filtering: 446 of 2,000" in sidebar_text(at)
    assert any("plan: Standard/Pro, region: Kanto only (446 of 2,000 customers)" in s  # columns in data order
               for s in chart_titles(at))
    for page in ("pages/churn.py", "pages/risk.py"):
        at.switch_page(page).run()
        assert_clean(at)
        assert at.sidebar.multiselect(key="f_region").value == ["Kanto"]
        assert "446 of 2,000" in sidebar_text(at)
        assert all("plan: Standard/Pro, region: Kanto only" in s for s in chart_titles(at)[0::2])
        assert at.query_params["f_region"] in ("kanto", ["kanto"])
    at.sidebar.button(key="filter_clear").click().run()
    assert_clean(at)
    assert "f_region" not in at.query_params
    assert at.sidebar.multiselect(key="f_region").value == []
    assert not any(" only" in s for s in chart_titles(at))


@pytest.mark.parametrize("lang", LANGS)
def test_overview_and_story_honour_the_filter(lang):
    at = run_app(lang=lang, query={"f_region": "kanto"})
    assert_clean(at)
    rows = catalogue(lang)["common.rows"].replace("{n:,}", "821")
    assert rows in [m.value for m in at.metric]  # the customers loaded, after the filter
    story = run_app("pages/story.py", lang=lang, query={"f_region": "kanto"})
    assert_clean(story)
    assert scoped(story, lang)
    assert SCOPE[lang] in texts(story)


def test_a_value_the_data_do_not_have_is_ignored():
    at = run_app("pages/cohorts.py", lang="en", query={"f_region": "atlantis"})
    assert_clean(at)
    assert at.sidebar.multiselect(key="f_region").value == []
    assert not scoped(at, "en")
