"""Views survive in a real browser: the language switch keeps every view setting (including a
segment whose name is Japanese), and leaving a page and coming back restores its view."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cs_models.catalogue import catalogue
from tests.e2e.conftest import open_app, wait_for_title
from tests.e2e.test_churn_e2e import KM_JS

pytestmark = pytest.mark.e2e
#: The names of the Kaplan–Meier curves once at least ``n`` are drawn (else null).
CURVES_JS = """n => {
  const plot = document.querySelector('.js-plotly-plot');
  if (!plot || !plot._fullData) return null;
  const names = plot._fullData.filter(t => t.mode === 'lines' && t.showlegend !== false).map(t => t.name);
  return names.length === n ? names : null;
}"""


def curves(page, n: int) -> list[str]:
    return page.wait_for_function(CURVES_JS, arg=n, timeout=60_000).json_value()


def test_language_switch_keeps_a_japanese_segment(app_url, new_page, screenshot_dir):
    page = new_page("ja-JP")
    open_app(page, f"{app_url}/churn?lang=ja&churn_segment=勉強会参加&churn_horizon=12")
    assert all("参加" in name for name in curves(page, 2))
    assert "churn_segment=study_sessions" in page.url  # a code, not the Japanese label
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    wait_for_title(page, catalogue("en")["churn.page_title"])
    names = curves(page, 2)
    assert any("attended" in name for name in names), names
    assert "churn_segment=study_sessions" in page.url
    assert "churn_horizon=12" in page.url
    # the selectbox shows its choice in the new language too (it kept 「12か月」 before)
    horizon = page.get_by_test_id("stSelectbox").filter(has_text=catalogue("en")["churn.horizon_label"])
    expect(horizon.locator("input")).to_have_value(catalogue("en")["churn.horizon_option"].format(months=12),
                                                   timeout=30_000)
    assert page.evaluate(KM_JS)["curves"] == 2
    page.screenshot(path=screenshot_dir / "views_language_switch_en.png")


def test_leaving_a_page_and_coming_back_restores_its_view(app_url, new_page):
    page = new_page("en-US")
    open_app(page, f"{app_url}/churn?lang=en&churn_segment=region")
    assert len(curves(page, 5)) == 5
    nav = page.get_by_test_id("stSidebarNavLink")
    nav.filter(has_text=catalogue("en")["cohorts.page_title"]).click()
    wait_for_title(page, catalogue("en")["cohorts.page_title"])
    nav.filter(has_text=catalogue("en")["churn.page_title"]).click()
    wait_for_title(page, catalogue("en")["churn.page_title"])
    assert len(curves(page, 5)) == 5
    assert "churn_segment=region" in page.url
