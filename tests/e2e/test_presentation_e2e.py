"""Presentation mode on a projector-sized screen (1280×720), ja and en: the sidebar starts
collapsed, no metric label or value is cut off, and chart text is at least 18 px."""

from __future__ import annotations

import pytest

from cs_models.catalogue import catalogue
from tests.e2e.conftest import open_app, wait_for_charts

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
#: Metric labels and values whose text does not fit their box (what an ellipsis hides).
TRUNCATED_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,'
    + ' [data-testid="stMetricValue"], [data-testid="stMetricValue"] *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => e.innerText)"""
#: Smallest font size (px) of the text drawn in the Plotly charts.
SMALLEST_CHART_FONT_JS = """() => Math.min(...[...document.querySelectorAll('.js-plotly-plot text')]
  .filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize)))"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_overview_in_presentation_mode(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], width=1280, height=720)
    open_app(page, f"{app_url}/?lang={lang}&present=1")
    assert page.inner_text("h1").strip() == catalogue(lang)["overview.page_title"]
    # the sidebar starts collapsed: the page's content begins at the left edge of the screen
    assert page.get_by_test_id("stMain").bounding_box()["x"] < 50
    assert page.locator('[data-testid="stMetricValue"]').count() >= 3
    assert page.evaluate(TRUNCATED_JS) == []
    page.screenshot(path=screenshot_dir / f"present_overview_{lang}.png", full_page=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_churn_charts_are_readable_from_the_back(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], width=1280, height=720)
    open_app(page, f"{app_url}/churn?lang={lang}&present=1")
    wait_for_charts(page, 1)
    assert page.evaluate(SMALLEST_CHART_FONT_JS) >= 18
    assert page.evaluate(TRUNCATED_JS) == []
    page.screenshot(path=screenshot_dir / f"present_churn_{lang}.png")
