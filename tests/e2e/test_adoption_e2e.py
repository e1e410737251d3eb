"""The Word-of-mouth page in Chromium, ja and en: both charts drawn with their titles, the metrics not cut
off, the word-of-mouth reading in words; a population typed in is kept in the link."""

from __future__ import annotations

import pytest

from cs_models.catalogue import translate
from tests.e2e.conftest import TITLE_DRAWN_JS, open_app, wait_for_charts, wait_for_text
from tests.e2e.test_presentation_e2e import TRUNCATED_JS

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_adoption_page_draws_its_charts_and_reading(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], width=1440, height=900)
    open_app(page, f"{app_url}/adoption?lang={lang}")
    assert page.inner_text("h1").strip() == translate(lang, "adoption.page_title")
    wait_for_charts(page, 2)
    for key in ("adoption.monthly_heading", "adoption.cumulative_heading"):
        page.wait_for_function(TITLE_DRAWN_JS, arg=translate(lang, key), timeout=60_000)
    assert page.evaluate(TRUNCATED_JS) == []
    wait_for_text(page, translate(lang, "findings.adoption.word_of_mouth").split("{")[0])
    page.screenshot(path=screenshot_dir / f"adoption_{lang}.png", full_page=True)
    for i, name in enumerate(("monthly", "cumulative")):
        chart = page.locator(".js-plotly-plot").nth(i)
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=screenshot_dir / f"adoption_{name}_{lang}.png")


def test_population_is_kept_in_the_link(app_url, new_page):
    page = new_page("en-US")
    open_app(page, f"{app_url}/adoption?lang=en&adoption_population=420")
    wait_for_charts(page, 2)
    wait_for_text(page, "of 420 people use the tool")
    assert "adoption_population=420" in page.url
