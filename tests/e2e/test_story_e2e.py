"""The Story page in a real browser, ja and en: on a projector-sized screen (1280×720) in
presentation mode every step draws its chart (titled in the figure) and its sentence, nothing is
cut off and chart text is at least 18 px; → and the Previous button move between steps and the
URL's ``step`` follows; a link to ``?step=3`` opens step 3; switching the language keeps the step.

The expected titles and sentences come from :func:`cs_models.story.build_story` on the bundled
sample (what the page shows before any upload).
"""

from __future__ import annotations

import functools
import re

import pytest

from cs_models.catalogue import translate
from cs_models.sample import load_sample
from cs_models.story import Story, build_story
from tests.e2e.conftest import TITLE_DRAWN_JS, open_app, wait_for_app
from tests.e2e.test_presentation_e2e import SMALLEST_CHART_FONT_JS, TRUNCATED_JS

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
#: True once the URL's ``step`` query parameter reads ``n``.
STEP_IN_URL_JS = "n => new URLSearchParams(window.location.search).get('step') === String(n)"
#: The chart texts drawn smaller than ``px`` pixels: ``"<size>px <class>: <text>"``.
SMALL_CHART_TEXT_JS = """px => [...document.querySelectorAll('.js-plotly-plot text')]
  .filter(t => t.textContent.trim() && parseFloat(getComputedStyle(t).fontSize) < px)
  .map(t => `${getComputedStyle(t).fontSize} ${t.getAttribute('class')}: ${t.textContent.trim()}`)"""
#: The main area's text with runs of white space made one space.
MAIN_TEXT_JS = """() => document.querySelector('[data-testid="stMain"]').innerText.replace(/\\s+/g, ' ')"""


@functools.cache
def sample_story(lang: str) -> Story:
    """The story the page tells on the sample of ``lang`` (as-of: the sample's latest date)."""
    datasets = load_sample(lang)
    return build_story(datasets, as_of=datasets.latest_date(), lang=lang)


def wait_for_chart_title(page, title: str, timeout: float = 60_000) -> None:
    """Wait until a chart draws ``title`` and the script run has settled."""
    page.wait_for_function(TITLE_DRAWN_JS, arg=title, timeout=timeout)
    wait_for_app(page, timeout)


def wait_for_step(page, number: int, title: str, timeout: float = 60_000) -> None:
    """Wait until the URL says ``step=number`` and that step's chart title is drawn."""
    page.wait_for_function(STEP_IN_URL_JS, arg=number, timeout=timeout)
    wait_for_chart_title(page, title, timeout)


def excerpt(text: str, length: int = 15) -> str:
    """The first ``length`` characters of ``text``, white space made single spaces."""
    return re.sub(r"\s+", " ", text).strip()[:length]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_step_in_presentation_mode(app_url, new_page, screenshot_dir, lang):
    steps = sample_story(lang).steps
    total = len(steps)
    assert total >= 2
    page = new_page(LOCALES[lang], width=1280, height=720)
    open_app(page, f"{app_url}/story?lang={lang}&present=1&step=1")
    unreadable: dict[str, object] = {}  # per step: what is cut off or too small (checked after the walk)
    for number, step in enumerate(steps, start=1):
        wait_for_step(page, number, step.title)
        main = page.evaluate(MAIN_TEXT_JS)
        assert excerpt(step.sentence(lang)) in main, (number, step.key, main)
        assert translate(lang, "story.position", step=number, total=total) in main
        if truncated := page.evaluate(TRUNCATED_JS):
            unreadable[f"{number} {step.key}: truncated"] = truncated
        if page.evaluate(SMALLEST_CHART_FONT_JS) < 18:
            unreadable[f"{number} {step.key}: chart text < 18 px"] = page.evaluate(SMALL_CHART_TEXT_JS, 18)
        chart = page.locator(".js-plotly-plot").first.bounding_box()
        if chart["y"] + chart["height"] > 720:  # a presenter never scrolls: the chart fits the screen
            unreadable[f"{number} {step.key}: chart ends below the screen"] = chart["y"] + chart["height"]
        page.screenshot(path=screenshot_dir / f"story_{lang}_step{number}.png")
        if number < total:
            page.locator("body").press("ArrowRight")
    # the last step: the Previous button goes back one step
    page.get_by_role("button", name=translate(lang, "story.previous")).click()
    wait_for_step(page, total - 1, steps[total - 2].title)
    assert unreadable == {}, "\n".join(f"step {where}: {what}" for where, what in unreadable.items())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_link_opens_its_step(app_url, new_page, lang):
    step = sample_story(lang).steps[2]
    page = new_page(LOCALES[lang])
    open_app(page, f"{app_url}/story?lang={lang}&step=3")
    wait_for_step(page, 3, step.title)
    assert translate(lang, "story.position", step=3, total=len(sample_story(lang).steps)) in page.evaluate(MAIN_TEXT_JS)


def test_language_switch_keeps_the_step(app_url, new_page, screenshot_dir):
    page = new_page("ja-JP")
    open_app(page, f"{app_url}/story?lang=ja&step=4")
    wait_for_step(page, 4, sample_story("ja").steps[3].title)
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    page.wait_for_function("() => new URLSearchParams(window.location.search).get('lang') === 'en'", timeout=60_000)
    english = sample_story("en").steps[3]
    wait_for_step(page, 4, english.title)
    assert page.inner_text("h1").strip() == translate("en", "story.page_title")
    assert excerpt(english.sentence("en")) in page.evaluate(MAIN_TEXT_JS)
    page.screenshot(path=screenshot_dir / "story_language_switch_en_step4.png")
