"""The app in a real browser: every page in both languages, deep links on a fresh server,
the language switch, and the cold start time (printed, and written next to the screenshots)."""

from __future__ import annotations

import time

import pytest

from cs_models.catalogue import catalogue
from tests.e2e.conftest import free_port, open_app, start_server, stop_server, wait_for_app, wait_for_title
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}


def page_url(base: str, url_path: str, query: str = "") -> str:
    return f"{base}/{url_path}{('?' + query) if query else ''}"


def assert_page_ok(page, title: str) -> None:
    assert page.inner_text("h1").strip() == title
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_renders_in_the_browser_language(app_url, new_page, screenshot_dir, lang):
    """The browser's locale picks the language; every page renders its translated title."""
    page = new_page(LOCALES[lang])
    for spec in PAGES:
        open_app(page, page_url(app_url, "" if spec.default else spec.url_path))
        assert_page_ok(page, catalogue(lang)[f"{spec.namespace}.page_title"])
        page.screenshot(path=screenshot_dir / f"page_{spec.namespace}_{lang}.png", full_page=True)


@pytest.mark.parametrize("spec", [s for s in PAGES if not s.default], ids=lambda s: s.url_path)
def test_deep_link_is_the_first_request_on_a_fresh_server(new_page, screenshot_dir, spec):
    """A pages/ folder puts a fresh Streamlit server in legacy mode; the router must still show
    the linked page (with its sidebar and the language from the link), not 'Page not found'."""
    started = time.monotonic()
    port = free_port()
    server = start_server(port)
    try:
        page = new_page("en-US")
        open_app(page, page_url(f"http://127.0.0.1:{port}", spec.url_path, "lang=ja"))
        cold_start = time.monotonic() - started
        assert_page_ok(page, catalogue("ja")[f"{spec.namespace}.page_title"])
        assert page.get_by_test_id("stSidebarNav").count() == 1
        assert "lang=ja" in page.url
        page.screenshot(path=screenshot_dir / f"deeplink_{spec.url_path}.png")
    finally:
        stop_server(server)
    line = f"cold start (server start to first page rendered) /{spec.url_path}: {cold_start:.2f} s\n"
    with (screenshot_dir / "timings.txt").open("a", encoding="utf-8") as handle:
        handle.write(line)
    print(line.strip())


def test_language_switch_keeps_the_page_and_the_link(app_url, new_page):
    page = new_page("en-US")
    data = next(s for s in PAGES if s.namespace == "data")
    open_app(page, page_url(app_url, data.url_path))
    assert_page_ok(page, "Data")
    page.get_by_test_id("stSidebar").get_by_text("日本語").click()
    wait_for_app(page)
    page.wait_for_function("() => document.querySelector('h1').innerText.trim() === 'データ'")
    assert "lang=ja" in page.url
    page.get_by_test_id("stSidebarNavLink").filter(has_text="概要").click()
    wait_for_title(page, "概要")
    assert_page_ok(page, "概要")
    assert "lang=ja" in page.url


def test_first_session_on_a_fresh_server_keeps_the_language_across_a_click(new_page):
    """A fresh server's first session sends no widget states with its first sidebar click (the
    ``pages/`` folder's legacy mode): the language chosen by the link must survive it, not fall
    back to the radio's first option (Japanese). Failed before ``seed_from_url`` re-set the value."""
    port = free_port()
    server = start_server(port)
    try:
        page = new_page("en-US")
        open_app(page, f"http://127.0.0.1:{port}/?lang=en")
        assert_page_ok(page, "Overview")
        page.get_by_test_id("stSidebarNavLink").filter(has_text="Cohorts").click()
        wait_for_title(page, "Cohorts")
        assert_page_ok(page, "Cohorts")
        assert "lang=en" in page.url
        assert page.get_by_test_id("stSidebar").get_by_role("radio", name="English").is_checked()
    finally:
        stop_server(server)


CODE_LOADED = ("() => ['PlotlyChart', 'DataFrame'].every((name) => performance.getEntriesByType('resource')"
               ".some((entry) => new RegExp('/static/js/' + name + '\\\\.[^/]+\\\\.js$').test(entry.name)))")


def test_the_overview_loads_the_chart_and_table_code_before_any_is_drawn(app_url, new_page, screenshot_dir):
    """``ui.preload``: the Overview draws no chart and no table, yet the browser fetches Streamlit's
    chart and table code while it is shown, so the first chart or table page does not wait for it.
    The element takes no room."""
    drawn = '.js-plotly-plot, [data-testid="stDataFrame"]'
    page = new_page("en-US")
    open_app(page, app_url)
    assert page.locator(drawn).count() == 0
    page.wait_for_function(CODE_LOADED, timeout=60_000)
    assert page.locator(drawn).count() == 0
    preload = page.locator('[data-testid="stSidebar"] [class*="st-key-cs_lens_chart_code"]')
    assert preload.count() == 1
    box = preload.bounding_box()
    assert box is None or box["height"] <= 1
    page.screenshot(path=screenshot_dir / "overview_chart_code_loaded.png")
