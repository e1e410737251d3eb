"""The Customer journey page (and its Overview card) in both languages, on the bundled sample's plan
history, with a stage order from the link, and without a plan history."""

from __future__ import annotations

from pathlib import Path

import pytest

from cs_models.catalogue import catalogue
from cs_models.sample import SAMPLE_DIR, load_sample
from tests.app.util import LANGS, assert_clean, chart_titles, run_app, texts
from ui.components import md_escape

PAGE = "pages/journey.py"


@pytest.mark.parametrize("lang", LANGS)
def test_sample_shows_matrix_paths_time_in_stage_upgrade_and_ltv(lang):
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    assert at.title[0].value == messages["journey.page_title"]
    titles = chart_titles(at)
    for key in ("journey.upgrade_heading", "journey.matrix_heading", "journey.sankey_heading", "journey.km_heading",
                "journey.ltv_heading"):
        assert messages[key] in titles
    labels = {m.label for m in at.metric}
    assert {messages["journey.metric_customers"], messages["journey.metric_upgraders"],
            messages["journey.metric_hr"]} <= labels
    body = texts(at)
    assert messages["findings.journey.upgrade_keeps"].split("{")[0] in body
    assert messages["journey.upgrade_caption"] in body
    assert len(at.dataframe) == 4  # churn by stage, LTV by entry stage and by path, months in and reach of each stage
    order = at.multiselect(key="journey_order").value
    assert order == (["ライト", "スタンダード", "プロ"] if lang == "ja" else ["Light", "Standard", "Pro"])


def test_stage_order_and_discount_follow_the_link_in_either_language():
    """The link holds codes: a reordered view opened in English shows the English plan names."""
    at = run_app(PAGE, lang="en", query={"journey_order": "pro,light,standard", "journey_discount": "0.0"})
    assert_clean(at)
    assert at.multiselect(key="journey_order").value == ["Pro", "Light", "Standard"]
    assert at.segmented_control(key="journey_discount").value == 0.0
    ltv_label = catalogue("en")["journey.metric_ltv"].format(stage="Pro")  # the first stage is now Pro
    assert ltv_label in {m.label for m in at.metric}


def test_page_without_a_plan_history_explains_what_to_load():
    at = run_app(PAGE, lang="ja", uploaded=load_sample("ja").with_frames(plan_history=None))
    assert_clean(at)
    assert any(catalogue("ja")["common.dataset_plan_history"] in str(i.value) for i in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang):
    at = run_app(lang=lang)
    assert_clean(at)
    assert catalogue(lang)["journey.page_title"] in [s.value for s in at.subheader]
    assert catalogue(lang)["journey.metric_hr"] in {m.label for m in at.metric}


def test_a_history_without_upgrades_says_so():
    """An upload where nobody changes plan: the page explains instead of showing the upgrade chart."""
    data = load_sample("en")
    entry = data.plan_history.drop_duplicates("customer_id")
    at = run_app(PAGE, lang="en", uploaded=data.with_frames(plan_history=entry))
    assert_clean(at)
    assert any(catalogue("en")["journey.upgrade_none"] in str(i.value) for i in at.info)
    assert catalogue("en")["journey.upgrade_heading"] not in chart_titles(at)


BILLING = Path(__file__).resolve().parents[1] / "fixtures" / "plan_history" / "billing_with_plan_ja.csv"


@pytest.fixture(scope="module")
def billing_upload():
    """The Data page (English: AppTest formats the sidebar's source radio in the test thread's default
    language): upload the billing file with a plan column and the customers, use them, open the journey."""
    at = run_app("pages/data.py", lang="en")
    customers = SAMPLE_DIR / "ja" / "customers.csv"
    for path in (BILLING, customers):
        at.file_uploader[0].upload(path.name, path.read_bytes(), "application/octet-stream")
    at.run()
    assert_clean(at)
    at.button(key="data_use_files").click().run()
    assert_clean(at)
    datasets = at.session_state["uploaded_datasets"]
    assert datasets.available() == ["customers", "events"]
    at.switch_page(PAGE).run()
    assert_clean(at)
    return at, datasets


@pytest.mark.parametrize("lang", LANGS)
def test_events_with_a_plan_column_give_the_journey_without_a_plan_history(lang, billing_upload):
    """Uploaded billing data naming the plan billed: the page derives the stages from it, says so,
    and shows the LTV by path; the Overview card works from the same data."""
    uploaded, datasets = billing_upload
    assert catalogue("en")["journey.path_heading"] in texts(uploaded)  # the real upload path reaches the page
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang, uploaded=datasets)
    assert_clean(at)
    body = texts(at)
    assert messages["journey.stages_from_events"].format(file=md_escape(BILLING.name)) in body
    assert messages["journey.path_heading"] in body
    assert messages["journey.source_billed"] in body
    assert messages["journey.ltv_heading"] in chart_titles(at)
    paths = at.dataframe[2].value
    assert paths.index.name == messages["journey.col_path"]
    assert "ライト → スタンダード" in list(paths.index)
    card = run_app(lang=lang, uploaded=datasets)
    assert_clean(card)
    assert messages["journey.metric_hr"] in {m.label for m in card.metric}


@pytest.mark.parametrize("lang", LANGS)
def test_sample_shows_the_ltv_by_path_and_where_the_stages_came_from(lang):
    messages = catalogue(lang)
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    body = texts(at)
    assert messages["journey.stages_from_plan_history"].format(
        file=md_escape(f"sample_data/{lang}/plan_history.csv")) in body
    assert messages["journey.path_caption"] in body
    paths = at.dataframe[2].value
    first = "ライト" if lang == "ja" else "Light"
    assert paths.index[0] == first
    keys = ("col_path_customers", "col_path_chance", "col_ltv", "col_ltv_ci")
    assert list(paths.columns) == [messages[f"journey.{k}"] for k in keys]
