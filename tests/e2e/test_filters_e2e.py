"""The segment filter in Chromium, ja and en: a deep link opened in a fresh browser context applies the
filter (sidebar, n, every chart's subtitle), and it survives navigating to another page."""

from __future__ import annotations

import pytest

from cs_models.catalogue import translate
from tests.e2e.conftest import open_app, wait_for_charts, wait_for_title

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
SCOPE = {"ja": "プラン: スタンダード/プロ、地域: 関東のみ（顧客 446 / 2,000）",
         "en": "plan: Standard/Pro, region: Kanto only (446 of 2,000 customers)"}
KEPT = {"ja": "絞り込み後の顧客: 446 / 2,000", "en": "Customers after filtering: 446 of 2,000"}


def charts_scoped(page, scope: str) -> None:
    page.wait_for_function(
        """s => { const plots = [...document.querySelectorAll('.js-plotly-plot')];
          return plots.length > 0 && plots.every(p => p.querySelector('.main-svg')
            && p.querySelector('.infolayer').textContent.includes(s)); }""",
        arg=scope, timeout=60_000)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_deep_link_opens_filtered_and_the_filter_follows_navigation(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], width=1440, height=1000)  # a fresh context: nothing in the session
    open_app(page, f"{app_url}/churn?lang={lang}&f_region=kanto&f_plan=standard,pro")
    assert page.inner_text("h1").strip() == translate(lang, "churn.page_title")
    wait_for_charts(page, 1)
    sidebar = page.get_by_test_id("stSidebar")
    assert KEPT[lang] in sidebar.inner_text()
    charts_scoped(page, SCOPE[lang])
    page.screenshot(path=screenshot_dir / f"filters_churn_{lang}.png", full_page=False)
    sidebar.get_by_role("link", name=translate(lang, "cohorts.page_title")).click()
    wait_for_title(page, translate(lang, "cohorts.page_title"))
    wait_for_charts(page, 1)
    charts_scoped(page, SCOPE[lang])
    assert KEPT[lang] in sidebar.inner_text()
    assert "f_region=kanto" in page.url
    assert "f_plan=standard%2Cpro" in page.url or "f_plan=standard,pro" in page.url
    page.screenshot(path=screenshot_dir / f"filters_cohorts_{lang}.png", full_page=False)
