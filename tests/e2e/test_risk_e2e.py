"""The Customers-at-risk page in Chromium, ja and en: the call list and the calibration chart drawn,
metrics not cut off; the horizon is kept in the link."""

from __future__ import annotations

import pytest

from cs_models.catalogue import translate
from tests.e2e.conftest import TITLE_DRAWN_JS, open_app, wait_for_charts
from tests.e2e.test_presentation_e2e import TRUNCATED_JS

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_risk_page_shows_the_call_list_and_the_backtest(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], width=1440, height=900)
    open_app(page, f"{app_url}/risk?lang={lang}&risk_horizon=180")
    assert page.inner_text("h1").strip() == translate(lang, "risk.page_title")
    wait_for_charts(page, 1)
    page.wait_for_function(TITLE_DRAWN_JS, arg=translate(lang, "risk.calibration_title"), timeout=60_000)
    page.get_by_test_id("stDataFrame").first.wait_for(timeout=60_000)
    assert page.evaluate(TRUNCATED_JS) == []
    assert "risk_horizon=180" in page.url
    page.screenshot(path=screenshot_dir / f"risk_{lang}.png", full_page=True)
