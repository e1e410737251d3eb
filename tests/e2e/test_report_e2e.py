"""The Overview's one-click report: downloaded in the browser, opened from disk with the network
off, it shows the findings in the chosen language and Plotly draws its charts (each titled)."""

from __future__ import annotations

import pytest

from cs_models.catalogue import translate
from tests.e2e.conftest import open_app

pytestmark = pytest.mark.e2e
#: True once at least ``n`` Plotly charts have drawn their SVG.
REPORT_CHARTS_DRAWN_JS = """n => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(p => p.querySelector('.main-svg')).length >= n"""
#: Per chart: whether it has drawn its SVG, and its drawn title text (null when none).
REPORT_CHARTS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(p => {
  const title = p.querySelector('text.gtitle');
  return {svg: !!p.querySelector('.main-svg'), title: title ? title.textContent.trim() : null};
})"""
MIN_REPORT_CHARTS = 6


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_overview_report_opens_offline(app_url, browser, new_page, tmp_path, screenshot_dir, lang):
    page = new_page("en-US")
    open_app(page, f"{app_url}/?lang={lang}")
    button = page.get_by_role("button", name=translate(lang, "report.download"))
    button.wait_for(state="visible", timeout=60_000)
    with page.expect_download(timeout=180_000) as info:  # the report is built on the click
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name.endswith(f"_{lang}.html")
    html = path.read_text(encoding="utf-8")
    assert "<script src" not in html
    offline = browser.new_context(offline=True)
    try:
        report = offline.new_page()
        report.goto(path.as_uri())
        assert report.inner_text("h1") == translate(lang, "report.title")
        findings = report.locator("ul.findings li")
        assert findings.count() >= 8
        # Plotly is inlined: with the network off it still draws every chart, each with its title
        report.wait_for_function(REPORT_CHARTS_DRAWN_JS, arg=MIN_REPORT_CHARTS, timeout=60_000)
        charts = report.evaluate(REPORT_CHARTS_JS)
        assert len(charts) >= MIN_REPORT_CHARTS
        assert all(chart["svg"] for chart in charts), charts
        assert all(chart["title"] for chart in charts), charts
        report.screenshot(path=screenshot_dir / f"report_offline_{lang}.png")
    finally:
        offline.close()
