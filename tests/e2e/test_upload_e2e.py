"""Uploads on the Data page in a real browser (ja + en): a cp932 CSV with a title row shows its
mapping, its problems and a clean preview, and can be used; a corrupt file shows a translated
error and no traceback."""

from __future__ import annotations

import contextlib
import tomllib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cs_models.catalogue import catalogue, translate
from cs_models.errors import IngestError
from cs_models.io import read_table
from tests.e2e.conftest import ROOT, open_app, wait_for_app, wait_for_text
from tests.uploads import CORRUPT_XLSX, title_cp932
from ui.uploader_texts import BUTTON_TEXT, HINT_TEXT, css_string

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
TALL = 3000
TITLE_CP932 = title_cp932(4)
#: The server's upload limit in MB (``server.maxUploadSize``), which the uploader's hint states.
UPLOAD_MB = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]["maxUploadSize"]
#: What the browser draws as the uploader's button and size hint (CSS ``::after`` contents),
#: or null while either element is not in the DOM yet.
AFTER_CONTENT_JS = """selectors => {
  const nodes = selectors.map(s => document.querySelector(s));
  return nodes.every(n => n) ? nodes.map(n => getComputedStyle(n, '::after').content) : null;
}"""


def uploader_texts(page, expected: list[str], timeout: float = 30_000) -> list[str] | None:
    """The uploader's drawn texts once both elements exist and show ``expected`` (or the last
    texts read when the timeout passes, so a wrong text fails the assertion, not the wait)."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "([selectors, expected]) => {"
            f" const texts = ({AFTER_CONTENT_JS})(selectors);"
            " return texts !== null && texts.every((t, i) => t === expected[i]); }",
            arg=[[BUTTON_TEXT, HINT_TEXT], expected],
            timeout=timeout,
        )
    return page.evaluate(AFTER_CONTENT_JS, [BUTTON_TEXT, HINT_TEXT])


def upload(page, name: str, data: bytes, until: str, mime: str = "text/csv") -> None:
    """Upload a file with the page's first file input and wait until ``until`` (a selector) shows."""
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    page.wait_for_selector(until, timeout=60_000)
    wait_for_app(page)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_cp932_with_title_row(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], height=TALL)
    open_app(page, f"{app_url}/data?lang={lang}")
    # the uploader's own English texts are drawn over with translated ones (the uploader's
    # button can reach the DOM after the script run has finished: wait for it)
    expected = [
        css_string(translate(lang, "common.upload_button")),
        css_string(translate(lang, "common.upload_hint", size=str(UPLOAD_MB))),
    ]
    assert uploader_texts(page, expected) == expected
    page.get_by_test_id("stFileUploader").first.screenshot(path=screenshot_dir / f"uploader_{lang}.png")
    upload(page, "顧客一覧.csv", TITLE_CP932, until='[data-testid="stMetricValue"]')
    main = page.get_by_test_id("stMain")
    text = main.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert translate(lang, "data.encoding_cp932") in text
    assert translate(lang, "data.mapping_title") in text
    # the mapping selectboxes show the suggested columns
    suggested = {"customer_id": "会社ID", "start_date": "開始日", "end_date": "終了日", "mrr": "月額"}
    for field, header in suggested.items():
        label = translate(lang, f"data.field_{field}")
        if field in ("customer_id", "start_date"):
            label = translate(lang, "data.required_mark", field=label)
        assert main.get_by_role("combobox", name=label, exact=True).input_value() == header
    metrics = [m.inner_text() for m in main.get_by_test_id("stMetricValue").all()]
    assert metrics == ["4", "2", "2"]  # read, used, excluded
    assert translate(lang, "data.issues_summary", n="2") in text
    page.screenshot(path=screenshot_dir / f"upload_cp932_{lang}.png", full_page=True)
    main.get_by_text(translate(lang, "data.preview_title")).scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"upload_cp932_preview_{lang}.png")
    used = translate(lang, "data.used", datasets=translate(lang, "common.dataset_customers")).replace("**", "")
    page.get_by_role("button", name=catalogue(lang)["data.use_files"]).click()
    wait_for_text(page, used)
    assert used in main.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_corrupt_file_shows_translated_error(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], height=1400)
    open_app(page, f"{app_url}/data?lang={lang}")
    upload(page, "壊れた.xlsx", CORRUPT_XLSX, until='[data-testid="stAlertContentError"]',
           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    alerts = page.get_by_test_id("stAlertContentError")
    assert alerts.count() == 1
    message = alerts.first.inner_text()
    assert "Traceback" not in message
    with pytest.raises(IngestError) as info:  # the reader's verdict, translated by the page
        read_table(CORRUPT_XLSX, "壊れた.xlsx")
    exc = info.value
    assert translate(lang, f"errors.{exc.code}", **exc.params, **exc.where()) in message
    assert page.locator('[data-testid="stException"]').count() == 0
    alerts.first.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"upload_corrupt_{lang}.png")
