"""The Churn page in a real browser (ja + en): Kaplan–Meier with at-risk table, hover text,
chart payload size, hazard-ratio forest plot and a deep link. Screenshots are kept."""

from __future__ import annotations

import pytest

from cs_models.catalogue import catalogue
from tests.e2e.conftest import open_app, wait_for_app, wait_for_charts

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
#: What the browser received for the Kaplan–Meier chart.
KM_JS = """
() => {
  const plot = document.querySelector('.js-plotly-plot');
  const lines = plot._fullData.filter(t => t.mode === 'lines' && t.showlegend !== false);
  const table = plot._fullData.filter(t => t.mode === 'text');
  return {curves: lines.length, names: lines.map(t => t.name), points: lines.map(t => t.x.length),
          atRiskRows: table.length, payload: JSON.stringify(plot.data).length};
}
"""

#: True once the first chart has drawn its Kaplan–Meier curves (the script run can end before Plotly draws).
KM_DRAWN_JS = """
() => {
  const plot = document.querySelector('.js-plotly-plot');
  return !!plot && !!plot._fullData && plot._fullData.some(t => t.mode === 'lines' && t.showlegend !== false);
}
"""

#: Page coordinates of a point on the first curve (Plotly's own axis mapping).
POINT_JS = """
() => {
  const plot = document.querySelector('.js-plotly-plot');
  const trace = plot._fullData.find(t => t.mode === 'lines' && t.showlegend !== false);
  const xa = plot._fullLayout.xaxis, ya = plot._fullLayout.yaxis, box = plot.getBoundingClientRect();
  const i = Math.floor(trace.x.length / 3);
  return {x: box.left + xa._offset + xa.l2p(trace.x[i]) + 2, y: box.top + ya._offset + ya.l2p(trace.y[i])};
}
"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sample_churn_page(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], height=1100)
    open_app(page, f"{app_url}/churn?lang={lang}")
    messages = catalogue(lang)
    assert page.inner_text("h1").strip() == messages["churn.page_title"]
    assert page.locator('[data-testid="stException"]').count() == 0
    wait_for_charts(page, 3)
    page.wait_for_function(KM_DRAWN_JS, timeout=30_000)
    chart = page.locator(".js-plotly-plot").first
    km = page.evaluate(KM_JS)
    assert km["curves"] == 3  # the three plans
    assert km["atRiskRows"] == 3
    assert max(km["points"]) <= 600
    assert page.locator(".js-plotly-plot").count() == 3
    # hover a point of the first curve: the tooltip shows S(t) with its CI and the number at risk
    point = page.evaluate(POINT_JS)
    page.mouse.move(point["x"], point["y"])
    chart.locator(".hovertext").first.wait_for(state="visible")
    hover = page.evaluate("() => document.querySelector('.hoverlayer').textContent")
    assert messages["churn.hover_at_risk"] in hover
    assert "%" in hover
    chart.screenshot(path=screenshot_dir / f"churn_km_{lang}.png")
    page.set_viewport_size({"width": 1400, "height": 4200})
    wait_for_app(page)
    wait_for_charts(page, 3)
    page.screenshot(path=screenshot_dir / f"churn_page_{lang}.png", full_page=True)
    main = page.get_by_test_id("stMain").inner_text()
    assert messages["churn.cox_heading"] in main
    assert messages["churn.rmst_heading"] in main


def test_deep_link_opens_the_same_view(app_url, new_page, screenshot_dir):
    page = new_page("en-US", height=1000)
    open_app(page, f"{app_url}/churn?lang=ja&churn_segment=勉強会参加&churn_horizon=12")
    assert page.inner_text("h1").strip() == catalogue("ja")["churn.page_title"]
    page.wait_for_function(KM_DRAWN_JS, timeout=30_000)
    km = page.evaluate(KM_JS)
    assert km["curves"] == 2
    assert any("参加" in name for name in km["names"])
    page.locator(".js-plotly-plot").first.screenshot(path=screenshot_dir / "churn_km_study_ja.png")
