"""The Revenue movements page in Chromium, ja and en: both charts drawn with their titles, the metrics
not cut off; choosing a trend is kept in the link."""

from __future__ import annotations

import pytest

from cs_models.catalogue import translate
from tests.e2e.conftest import TITLE_DRAWN_JS, open_app, wait_for_charts
from tests.e2e.test_presentation_e2e import TRUNCATED_JS

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_revenue_page_draws_movements_and_trend(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], width=1440, height=900)
    open_app(page, f"{app_url}/revenue?lang={lang}")
    assert page.inner_text("h1").strip() == translate(lang, "revenue.page_title")
    wait_for_charts(page, 2)
    for key in ("revenue.movements_heading", "revenue.trend_churn_rate"):
        page.wait_for_function(TITLE_DRAWN_JS, arg=translate(lang, key), timeout=60_000)
    assert page.evaluate(TRUNCATED_JS) == []
    page.screenshot(path=screenshot_dir / f"revenue_{lang}.png", full_page=True)


def test_a_trend_link_opens_that_trend(app_url, new_page):
    page = new_page("en-US")
    open_app(page, f"{app_url}/revenue?lang=en&revenue_trend=nrr")
    wait_for_charts(page, 2)
    page.wait_for_function(TITLE_DRAWN_JS, arg=translate("en", "revenue.trend_nrr"), timeout=60_000)
    assert "revenue_trend=nrr" in page.url
