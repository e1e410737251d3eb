"""The Lifetime value forecast page in Chromium, ja and en: the retention chart drawn with its title,
metrics not cut off, the finding on value beyond the data in words; the yearly view is kept in the link."""

from __future__ import annotations

import pytest

from cs_models.catalogue import translate
from tests.e2e.conftest import TITLE_DRAWN_JS, open_app, wait_for_charts, wait_for_text
from tests.e2e.test_presentation_e2e import TRUNCATED_JS
from tests.e2e.test_story_e2e import sample_story, wait_for_step

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
#: Metric labels and values cut off inside one element (the card).
CARD_TRUNCATED_JS = """card => [...card.querySelectorAll(
    '[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,'
    + ' [data-testid="stMetricValue"], [data-testid="stMetricValue"] *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => e.innerText)"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_forecast_page_draws_its_chart_and_readings(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], width=1440, height=900)
    open_app(page, f"{app_url}/forecast?lang={lang}")
    assert page.inner_text("h1").strip() == translate(lang, "forecast.page_title")
    wait_for_charts(page, 1)
    page.wait_for_function(TITLE_DRAWN_JS, arg=translate(lang, "forecast.chart_heading"), timeout=60_000)
    wait_for_text(page, translate(lang, "findings.forecast.beyond_window").split("{")[0])
    wait_for_text(page, translate(lang, "forecast.compare_heading"))
    assert page.evaluate(TRUNCATED_JS) == []
    page.screenshot(path=screenshot_dir / f"forecast_{lang}.png", full_page=True)
    chart = page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=screenshot_dir / f"forecast_chart_{lang}.png")
    tables = page.locator("[data-testid='stDataFrame']")
    tables.nth(1).scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"forecast_tables_{lang}.png")


def test_yearly_view_is_kept_in_the_link(app_url, new_page, screenshot_dir):
    page = new_page("en-US", width=1440, height=900)
    open_app(page, f"{app_url}/forecast?lang=en&forecast_period=year")
    wait_for_charts(page, 1)
    page.wait_for_function(TITLE_DRAWN_JS, arg=translate("en", "forecast.chart_heading"), timeout=60_000)
    assert page.locator(".js-plotly-plot").first.locator(".xtitle").text_content() == translate(
        "en", "forecast.x_title_year")
    assert "forecast_period=year" in page.url
    page.locator(".js-plotly-plot").first.screenshot(path=screenshot_dir / "forecast_chart_year_en.png")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_overview_card_and_story_step(app_url, new_page, screenshot_dir, lang):
    """The Overview's forecast card shows its two tiles uncut; the story has a forecast step."""
    page = new_page(LOCALES[lang], width=1440, height=900)
    open_app(page, f"{app_url}/?lang={lang}")
    heading = page.get_by_role("heading", name=translate(lang, "forecast.page_title"))
    heading.wait_for(timeout=60_000)
    wait_for_text(page, translate(lang, "forecast.card_beyond"))
    card = heading.locator("xpath=ancestor::div[@data-testid='stLayoutWrapper'][1]")
    card.scroll_into_view_if_needed()
    assert card.evaluate(CARD_TRUNCATED_JS) == []  # this card's tiles (other cards are their pages' tests)
    card.screenshot(path=screenshot_dir / f"forecast_card_{lang}.png")
    steps = sample_story(lang).steps
    number = next(i for i, s in enumerate(steps, start=1) if s.key == "forecast")
    open_app(page, f"{app_url}/story?lang={lang}&step={number}")
    wait_for_step(page, number, steps[number - 1].title)
    page.screenshot(path=screenshot_dir / f"forecast_story_{lang}.png")
