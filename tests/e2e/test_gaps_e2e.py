"""The expectation vs satisfaction page in a real browser (ja and en), with screenshots."""

from __future__ import annotations

import pytest

from cs_models.catalogue import catalogue
from tests.e2e.conftest import open_app, wait_for_charts

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
ONBOARDING = {"ja": "導入支援", "en": "Onboarding"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_gaps_page_in_the_browser(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], height=5600)  # Streamlit scrolls inside the page: a tall window shows it all
    open_app(page, f"{app_url}/gaps")
    messages = catalogue(lang)
    assert page.inner_text("h1").strip() == messages["gaps.page_title"]
    assert page.locator('[data-testid="stException"]').count() == 0
    wait_for_charts(page, 6)
    assert page.locator(".js-plotly-plot").count() == 6
    alerts = page.locator('[data-testid="stAlertContentInfo"]').all_inner_texts()
    assert any(ONBOARDING[lang] in text for text in alerts)
    page.screenshot(path=screenshot_dir / f"gaps_{lang}.png", full_page=True)
    for i, chart in enumerate(page.locator(".js-plotly-plot").all()):
        chart.screenshot(path=screenshot_dir / f"gaps_chart{i + 1}_{lang}.png")


def test_link_reopens_the_same_view(app_url, new_page):
    """Choices live in the URL as codes, so a shared link shows the same scale in either language."""
    page = new_page("en-US")
    open_app(page, f"{app_url}/gaps?lang=ja&gaps_scale=1-7&gaps_segment=__none__")
    assert page.inner_text("h1").strip() == catalogue("ja")["gaps.page_title"]
    assert page.get_by_text("尺度 1〜7").count() >= 1
    assert "gaps_scale=1-7" in page.url


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_overview_card(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], height=2400)
    open_app(page, app_url)
    title = catalogue(lang)["gaps.page_title"]
    heading = page.get_by_role("heading", name=title)
    heading.wait_for(timeout=30_000)
    card = heading.locator("xpath=ancestor::div[@data-testid='stLayoutWrapper'][1]")
    assert ONBOARDING[lang] in card.inner_text()
    card.screenshot(path=screenshot_dir / f"gaps_card_{lang}.png")
