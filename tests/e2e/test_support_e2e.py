"""The Support page in Chromium, ja and en: its three charts drawn with their titles, the metrics not
cut off, the churn link in words; choosing the channel comparison is kept in the link."""

from __future__ import annotations

import pytest

from cs_models.catalogue import translate
from tests.e2e.conftest import TITLE_DRAWN_JS, open_app, wait_for_charts, wait_for_text
from tests.e2e.test_presentation_e2e import TRUNCATED_JS

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_support_page_draws_its_charts_and_readings(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], width=1440, height=900)
    open_app(page, f"{app_url}/support?lang={lang}")
    assert page.inner_text("h1").strip() == translate(lang, "support.page_title")
    wait_for_charts(page, 3)
    for key in ("support.volume_heading", "support.solve_heading", "support.churn_heading"):
        page.wait_for_function(TITLE_DRAWN_JS, arg=translate(lang, key), timeout=60_000)
    assert page.evaluate(TRUNCATED_JS) == []
    association = translate(lang, "findings.support.tickets_go_with_churn").split("{")[0]
    wait_for_text(page, association)
    page.screenshot(path=screenshot_dir / f"support_{lang}.png", full_page=True)


def test_comparing_by_channel_is_kept_in_the_link(app_url, new_page):
    page = new_page("en-US")
    open_app(page, f"{app_url}/support?lang=en&support_group=channel")
    wait_for_charts(page, 2)
    legend = page.locator(".js-plotly-plot").nth(1).locator(".legendtext")
    legend.first.wait_for(timeout=60_000)
    assert any("Chat" in t for t in legend.all_text_contents())
    assert "support_group=channel" in page.url
