"""Hostile text in uploaded files stays text: in file names, sheet names, column names, segment
values, plan names and survey answers, on every page, in chart hovers, in the HTML report, and
(formulas) in downloads.

The browser is the judge: a payload that ran would open a dialog (``alert``), and one that was
parsed as markup would leave an element behind (an ``img``/``svg`` with an event handler, a
``javascript:`` link, a ``script`` that calls ``alert``). Both are checked after every page.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from cs_models.catalogue import translate
from cs_models.export import FORMULA_PREFIXES
from tests.e2e.conftest import ROOT, open_app, wait_for_app, wait_for_text, wait_for_title
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e
SAMPLE = ROOT / "sample_data" / "en"
#: Payloads, each tagged so a dialog tells which field let it through.
IMG = "<img src=x onerror=alert('{tag}')>"
SCRIPT = "<script>alert('{tag}')</script>"
SVG = "<svg onload=alert('{tag}')>"
LINK = "[open](javascript:alert('{tag}'))"
#: A spreadsheet formula as a plan name: every download must neutralise it.
FORMULA = '=HYPERLINK("https://example.invalid","Standard")'
#: Elements or attributes that only a payload parsed as markup leaves in the document.
INJECTED_JS = """() => {
  const hits = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) {
      if (/^on/i.test(attr) && /alert/.test(el.getAttribute(attr))) hits.push(el.tagName + '[' + attr + ']');
    }
  }
  document.querySelectorAll('img[src="x"]').forEach(() => hits.push('img[src=x]'));
  document.querySelectorAll('a[href^="javascript:" i]').forEach(() => hits.push('javascript: link'));
  document.querySelectorAll('script').forEach(s => { if (/^\\s*alert\\(/.test(s.textContent)) hits.push('script'); });
  return hits;
}"""
#: Centre points of every drawn Plotly plot area (to move the mouse there and raise hover labels).
PLOT_CENTRES_JS = """() => [...document.querySelectorAll('.js-plotly-plot .nsewdrag')].slice(0, 6).map(d => {
  const r = d.getBoundingClientRect();
  return r.width > 0 && r.height > 0 ? [r.x + r.width / 2, r.y + r.height / 2] : null;
}).filter(Boolean)"""


def _payload(kind: str, tag: str) -> str:
    return {"img": IMG, "script": SCRIPT, "svg": SVG, "link": LINK}[kind].format(tag=tag)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8-sig")


def hostile_files() -> list[dict]:
    """The English sample files, each carrying payloads in its name, headers and values."""
    customers = pd.read_csv(SAMPLE / "customers.csv", dtype=str, encoding="utf-8-sig")
    customers["plan"] = customers["plan"].replace({"Light": _payload("img", "plan") + "Light",
                                                   "Pro": _payload("link", "plan-link") + "Pro",
                                                   "Standard": FORMULA})
    customers["region"] = customers["region"].replace({"Kanto": _payload("script", "region")})
    customers = customers.rename(columns={"size": _payload("svg", "column") + "size"})
    events = pd.read_csv(SAMPLE / "events.csv", dtype=str, encoding="utf-8-sig")
    survey = pd.read_csv(SAMPLE / "survey.csv", dtype=str, encoding="utf-8-sig")
    survey["industry"] = survey["industry"].replace({"Web services": _payload("svg", "industry")})
    comments = survey.columns[-1]
    survey[comments] = survey[comments].where(survey[comments].isna(), _payload("img", "answer"))
    survey = survey.rename(columns={comments: _payload("img", "question") + comments})
    tickets = pd.read_csv(SAMPLE / "tickets.csv", dtype=str, encoding="utf-8-sig")
    tickets["Assignee"] = tickets["Assignee"].replace({"Sato": _payload("script", "assignee")})
    community = pd.read_csv(SAMPLE / "community.csv", dtype=str, encoding="utf-8-sig")
    community["event_name"] = community["event_name"].where(community["event_name"].isna(),
                                                            _payload("img", "event"))
    adoption = pd.read_csv(SAMPLE / "adoption.csv", dtype=str, encoding="utf-8-sig")
    adoption["department"] = adoption["department"].replace({"Sales": _payload("img", "department")})
    workbook = io.BytesIO()
    with pd.ExcelWriter(workbook, engine="xlsxwriter") as writer:
        adoption.to_excel(writer, sheet_name="<img src=x onerror=alert(9)>", index=False)
    named = {
        "customers": _csv(customers), "events": _csv(events), "survey": _csv(survey),
        "tickets": _csv(tickets), "community": _csv(community),
    }
    files = [{"name": _payload("img", f"file-{kind}") + f"{kind}.csv", "mimeType": "text/csv", "buffer": data}
             for kind, data in named.items()]
    files.append({"name": "adoption<svg onload=alert(8)>.xlsx",
                  "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "buffer": workbook.getvalue()})
    return files


def assert_inert(page, where: str, dialogs: list[str]) -> None:
    """No payload ran (no dialog), none left an element behind, and no traceback is shown."""
    assert not dialogs, f"{where}: a payload ran: {dialogs}"
    hits = page.evaluate(INJECTED_JS)
    assert not hits, f"{where}: injected markup {hits}"
    assert page.locator('[data-testid="stException"]').count() == 0, where


def assert_downloads_neutralised(page, folder) -> None:
    """Every CSV download of the page carries the formula plan name as text (a leading apostrophe)."""
    buttons = page.get_by_role("button", name=translate("en", "common.download_csv"))
    cells: list[str] = []
    for i in range(buttons.count()):
        with page.expect_download(timeout=60_000) as info:
            buttons.nth(i).click()
        path = folder / f"download_{i}.csv"
        info.value.save_as(path)
        cells += [cell for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))) for cell in row]
    assert "'" + FORMULA in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_PREFIXES)]


def hover_charts(page) -> None:
    """Move the mouse over the centre of each drawn chart, where Plotly draws its hover labels."""
    for x, y in page.evaluate(PLOT_CENTRES_JS):
        page.mouse.move(x, y)
        page.mouse.move(x + 3, y + 2)


def test_detector_sees_markup(new_page):
    """The check is live: the same payloads parsed as HTML are reported (a control for the test below)."""
    page = new_page("en-US")
    page.set_content("<div>" + _payload("img", "a") + "<a href=\"javascript:alert('b')\">b</a></div>")
    assert set(page.evaluate(INJECTED_JS)) == {"IMG[onerror]", "img[src=x]", "javascript: link"}


def test_hostile_uploads_render_as_text(app_url, new_page, browser, tmp_path, screenshot_dir):
    """Upload six hostile files, use them, visit every page (hovering its charts), then download
    and open the HTML report: no dialog, no injected element, and the payloads shown as text."""
    lang = "en"
    page = new_page("en-US", height=2400)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_app(page, f"{app_url}/data?lang={lang}")
    page.locator('input[type="file"]').first.set_input_files(files=hostile_files())
    use = page.get_by_role("button", name=translate(lang, "data.use_files"))
    use.wait_for(state="visible", timeout=120_000)
    wait_for_app(page, timeout=120_000)
    main = page.get_by_test_id("stMain").inner_text()
    assert "<img src=x onerror=alert('file-customers')>customers.csv" in main  # the name, as text
    assert_inert(page, "data page", dialogs)
    page.screenshot(path=screenshot_dir / "xss_data_en.png", full_page=True)
    use.click()
    wait_for_text(page, translate(lang, "data.used", datasets="").split(":")[0].replace("**", "").strip())
    shown: dict[str, str] = {}
    for spec in PAGES:
        if spec.namespace == "data":
            continue
        title = translate(lang, f"{spec.namespace}.page_title")
        page.get_by_test_id("stSidebarNavLink").filter(has_text=title).first.click()
        wait_for_title(page, title, timeout=120_000)
        hover_charts(page)
        assert_inert(page, spec.namespace, dialogs)
        shown[spec.namespace] = page.evaluate("() => document.body.textContent")
        if spec.namespace == "churn":
            assert_downloads_neutralised(page, tmp_path)
    # the payloads were drawn, as text: the segment column in the sidebar's filter, plans and regions on Churn
    assert all(_payload("svg", "column") in text for text in shown.values())
    for tag, kind in (("plan", "img"), ("plan-link", "link"), ("region", "script")):
        assert _payload(kind, tag) in shown["churn"], tag
    page.screenshot(path=screenshot_dir / "xss_adoption_en.png", full_page=True)
    # the report, built from the hostile data, opened from disk
    page.get_by_test_id("stSidebarNavLink").filter(has_text=translate(lang, "overview.page_title")).first.click()
    wait_for_title(page, translate(lang, "overview.page_title"), timeout=120_000)
    button = page.get_by_role("button", name=translate(lang, "report.download"))
    button.wait_for(state="visible", timeout=60_000)
    with page.expect_download(timeout=240_000) as info:
        button.click()
    path = tmp_path / "report.html"
    info.value.save_as(path)
    html = path.read_text(encoding="utf-8")
    for raw in ("<img src=x onerror", "<script>alert(", "<svg onload"):
        assert raw not in html, raw
    report = new_page("en-US")
    report.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    report.goto(path.as_uri())
    report.wait_for_selector("h1")
    report.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0")
    hover_charts(report)
    assert_inert(report, "report", dialogs)
    assert "alert('region')" in report.inner_text("body") or "alert('plan')" in report.inner_text("body")
