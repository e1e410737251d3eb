"""The Community page in Chromium, ja and en: its five charts drawn with their titles, the metrics not
cut off, the role rule stated, the event effect and the churn reading in words; a stricter rule is kept
in the link."""

from __future__ import annotations

import pytest

from cs_models.catalogue import translate
from tests.e2e.conftest import TITLE_DRAWN_JS, open_app, wait_for_charts, wait_for_text
from tests.e2e.test_presentation_e2e import TRUNCATED_JS

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_community_page_draws_its_charts_and_readings(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], width=1440, height=900)
    open_app(page, f"{app_url}/community?lang={lang}")
    assert page.inner_text("h1").strip() == translate(lang, "community.page_title")
    wait_for_charts(page, 5)
    for key in ("community.history_heading", "community.lorenz_heading", "community.candidates_heading",
                "community.events_heading", "community.churn_heading"):
        page.wait_for_function(TITLE_DRAWN_JS, arg=translate(lang, key), timeout=60_000)
    assert page.evaluate(TRUNCATED_JS) == []
    wait_for_text(page, translate(lang, "findings.community.events_raise_posting").split("{")[0])
    wait_for_text(page, translate(lang, "community.churn_caption")[:20])
    page.screenshot(path=screenshot_dir / f"community_{lang}.png", full_page=True)
    charts = page.locator(".js-plotly-plot")
    for i in range(2, 5):  # the candidates, the event effect and the churn curves, each with its text
        charts.nth(i).scroll_into_view_if_needed()
        page.screenshot(path=screenshot_dir / f"community_{lang}_{i}.png")


def test_a_stricter_rule_is_kept_in_the_link(app_url, new_page):
    page = new_page("en-US")
    open_app(page, f"{app_url}/community?lang=en&community_window=30&community_leader=5")
    wait_for_charts(page, 2)
    wait_for_text(page, "last 30 days")
    assert "community_leader=5" in page.url
