"""The Cohorts page in a real browser (ja + en): the heatmap leaves immature cells blank, on the
sample data and on an events file uploaded through the Data page. Screenshots are kept."""

from __future__ import annotations

import pytest

from cs_models.catalogue import catalogue
from tests.app.test_cohorts_page import events_csv
from tests.e2e.conftest import open_app, wait_for_app, wait_for_charts, wait_for_text, wait_for_title

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
#: Shape of the drawn heatmap and how many cells of its first/last row Plotly holds as blank (NaN).
HEATMAP_NULLS_JS = """
() => {
  const plot = document.querySelector('.js-plotly-plot');
  const trace = plot._fullData[0];
  const z = trace.z;
  const rows = z.length, cols = z[0].length;
  const last = z[rows - 1];
  return {rows, cols, lastRowNulls: last.filter(v => v === null || Number.isNaN(v)).length,
          firstRowNulls: z[0].filter(v => v === null || Number.isNaN(v)).length};
}
"""


def heatmap(page):
    wait_for_charts(page)
    return page.locator(".js-plotly-plot").first


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sample_heatmap_blank_immature_cells(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], height=1800)
    segment = {"ja": "プラン", "en": "plan"}[lang]
    open_app(page, f"{app_url}/cohorts?lang={lang}&cohorts_segment={segment}&cohorts_metric=nrr")
    assert page.inner_text("h1").strip() == catalogue(lang)["cohorts.page_title"]
    assert page.locator('[data-testid="stException"]').count() == 0
    chart = heatmap(page)
    shape = page.evaluate(HEATMAP_NULLS_JS)
    assert shape["rows"] == 36
    assert shape["lastRowNulls"] == shape["cols"] - 1  # newest cohort: only month 0 is known
    assert shape["firstRowNulls"] == 0
    chart.screenshot(path=screenshot_dir / f"cohorts_heatmap_{lang}.png")
    page.screenshot(path=screenshot_dir / f"cohorts_page_{lang}.png", full_page=True)
    # hovering a blank cell (newest cohort, last period) says it is not finished, not 0 %
    area = chart.locator(".nsewdrag").first.bounding_box()
    page.mouse.move(area["x"] + area["width"] * 0.97, area["y"] + area["height"] * 0.985)
    hover = chart.locator(".hovertext")
    hover.first.wait_for(state="visible")
    expected = catalogue(lang)["cohorts.hover_immature"].split("<br>")[1]
    assert expected in hover.first.text_content()
    chart.screenshot(path=screenshot_dir / f"cohorts_heatmap_hover_{lang}.png")
    main = page.get_by_test_id("stMain").inner_text()
    assert catalogue(lang)["cohorts.average_heading"] in main
    charts = page.locator(".js-plotly-plot")
    assert charts.count() == 3  # heatmap, average curve, per-plan curves
    for index, name in ((1, "average"), (2, "segments")):
        charts.nth(index).scroll_into_view_if_needed()
        wait_for_charts(page, 3)
        charts.nth(index).screenshot(path=screenshot_dir / f"cohorts_{name}_{lang}.png")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_uploaded_events_file(app_url, new_page, screenshot_dir, lang):
    """Upload an events CSV on the Data page, use it, then open Cohorts from the menu (same session)."""
    page = new_page(LOCALES[lang], height=1400)
    open_app(page, f"{app_url}/data?lang={lang}")
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "payments.csv", "mimeType": "text/csv", "buffer": events_csv()}]
    )
    wait_for_app(page)
    page.get_by_role("button", name=catalogue(lang)["data.use_files"]).click()
    wait_for_text(page, catalogue(lang)["data.used"].split("{datasets}")[0].replace("**", "").strip())
    page.get_by_test_id("stSidebarNavLink").filter(has_text=catalogue(lang)["cohorts.page_title"]).click()
    wait_for_title(page, catalogue(lang)["cohorts.page_title"])
    assert page.inner_text("h1").strip() == catalogue(lang)["cohorts.page_title"]
    assert page.locator('[data-testid="stException"]').count() == 0
    chart = heatmap(page)
    shape = page.evaluate(HEATMAP_NULLS_JS)
    assert shape["rows"] == 3
    assert shape["cols"] == 5
    assert shape["lastRowNulls"] == 3  # March cohort: May (in progress) and later are blank
    chart.screenshot(path=screenshot_dir / f"cohorts_upload_heatmap_{lang}.png")
    page.screenshot(path=screenshot_dir / f"cohorts_upload_page_{lang}.png", full_page=True)
