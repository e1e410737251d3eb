"""The Customer journey page in Chromium, ja and en: its five charts drawn with their titles (the
Sankey and the heatmap included), the metrics not cut off, the upgrade finding in words; a reordered
stage list is kept in the link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cs_models.catalogue import catalogue, translate
from cs_models.sample import SAMPLE_DIR
from tests.e2e.conftest import TITLE_DRAWN_JS, open_app, wait_for_app, wait_for_charts, wait_for_text, wait_for_title
from tests.e2e.test_presentation_e2e import TRUNCATED_JS

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
HEADINGS = ("journey.upgrade_heading", "journey.matrix_heading", "journey.sankey_heading", "journey.km_heading",
            "journey.ltv_heading", "journey.path_heading")
CHARTS = ("upgrade", "matrix", "paths", "time_in_stage", "ltv", "path_ltv")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plan_history"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_journey_page_draws_its_charts_and_readings(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], width=1440, height=900)
    open_app(page, f"{app_url}/journey?lang={lang}")
    assert page.inner_text("h1").strip() == translate(lang, "journey.page_title")
    wait_for_charts(page, len(CHARTS))
    for key in HEADINGS:
        page.wait_for_function(TITLE_DRAWN_JS, arg=translate(lang, key), timeout=60_000)
    assert page.evaluate(TRUNCATED_JS) == []
    wait_for_text(page, translate(lang, "findings.journey.upgrade_keeps").split("{")[0])
    page.locator(".js-plotly-plot").nth(2).locator(".sankey-node").first.wait_for(timeout=60_000)
    page.screenshot(path=screenshot_dir / f"journey_{lang}.png", full_page=True)
    for i, key in enumerate(CHARTS):  # each chart, scrolled to
        page.locator(".js-plotly-plot").nth(i).screenshot(path=screenshot_dir / f"journey_{key}_{lang}.png")
    tables = page.locator('[data-testid="stDataFrame"]')
    tables.last.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"journey_tables_{lang}.png")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_uploaded_billing_with_a_plan_column_gives_the_journey(app_url, new_page, screenshot_dir, lang):
    """Upload a billing export naming the plan billed (no plan history) and the customers on the Data page,
    use them, open the journey from the menu: the stages come from the billing file and say so."""
    page = new_page(LOCALES[lang], width=1440, height=900)
    open_app(page, f"{app_url}/data?lang={lang}")
    billing, customers = FIXTURES / "billing_with_plan_ja.csv", SAMPLE_DIR / "ja" / "customers.csv"
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": p.name, "mimeType": "text/csv", "buffer": p.read_bytes()} for p in (billing, customers)])
    wait_for_app(page)
    page.get_by_role("button", name=translate(lang, "data.use_files")).click()
    wait_for_text(page, catalogue(lang)["data.used"].split("{datasets}")[0].replace("**", "").strip())
    page.get_by_test_id("stSidebarNavLink").filter(has_text=translate(lang, "journey.page_title")).click()
    wait_for_title(page, translate(lang, "journey.page_title"))
    wait_for_charts(page, len(CHARTS))
    wait_for_text(page, translate(lang, "journey.stages_from_events", file=billing.name))
    page.wait_for_function(TITLE_DRAWN_JS, arg=translate(lang, "journey.path_heading"), timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.evaluate(TRUNCATED_JS) == []
    page.screenshot(path=screenshot_dir / f"journey_upload_{lang}.png", full_page=True)
    page.locator(".js-plotly-plot").nth(5).screenshot(path=screenshot_dir / f"journey_upload_path_ltv_{lang}.png")


def test_reordered_stages_are_kept_in_the_link(app_url, new_page):
    page = new_page("en-US")
    open_app(page, f"{app_url}/journey?lang=en&journey_order=pro,light,standard")
    wait_for_charts(page, len(CHARTS))
    wait_for_text(page, translate("en", "journey.metric_ltv", stage="Pro"))
    assert "journey_order=pro" in page.url


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_overview_card_and_dataset_counts_are_not_cut_off(app_url, new_page, screenshot_dir, lang):
    """The Overview with the sixth dataset (plan history) in its counts row and the journey card."""
    page = new_page(LOCALES[lang], width=1440, height=900)
    open_app(page, f"{app_url}/?lang={lang}")
    wait_for_text(page, translate(lang, "journey.metric_hr"))
    wait_for_text(page, translate(lang, "common.dataset_plan_history"))
    first = "ライト" if lang == "ja" else "Light"
    mine = {translate(lang, "journey.metric_hr"), translate(lang, "journey.metric_ltv", stage=first),
            translate(lang, "common.dataset_plan_history")}
    cut = page.evaluate(TRUNCATED_JS)  # other cards' long labels are their pages' business
    assert [text for text in cut if text in mine or re.fullmatch(r"[\d,]+ ?(rows|行)", text)] == []
    card = page.get_by_text(translate(lang, "journey.metric_hr")).first
    card.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"journey_card_{lang}.png")
    page.get_by_text(translate(lang, "common.dataset_plan_history")).first.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"journey_overview_counts_{lang}.png")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_story_step_fits_a_projector(app_url, new_page, screenshot_dir, lang):
    """The journey step of the Story at 1280×720 in presentation mode: its sentence, nothing cut off,
    chart text at least 18 px, the chart on the screen (the checks of the story's own e2e test)."""
    from tests.e2e.test_presentation_e2e import SMALLEST_CHART_FONT_JS
    from tests.e2e.test_story_e2e import MAIN_TEXT_JS, excerpt, sample_story, wait_for_step

    steps = sample_story(lang).steps
    number = next(i for i, s in enumerate(steps, start=1) if s.key == "journey")
    page = new_page(LOCALES[lang], width=1280, height=720)
    open_app(page, f"{app_url}/story?lang={lang}&present=1&step={number}")
    wait_for_step(page, number, steps[number - 1].title)
    assert excerpt(steps[number - 1].sentence(lang)) in page.evaluate(MAIN_TEXT_JS)
    assert page.evaluate(TRUNCATED_JS) == []
    assert page.evaluate(SMALLEST_CHART_FONT_JS) >= 18
    chart = page.locator(".js-plotly-plot").first.bounding_box()
    assert chart["y"] + chart["height"] <= 720
    page.screenshot(path=screenshot_dir / f"journey_story_{lang}.png")
