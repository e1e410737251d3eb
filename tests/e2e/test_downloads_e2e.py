"""A table download in the browser: written on the click (not on every rerun), UTF-8 with BOM for
Excel, headers in the page's language."""

from __future__ import annotations

import pytest

from cs_models.catalogue import translate
from tests.e2e.conftest import open_app

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_churn_table_downloads_on_click(app_url, new_page, tmp_path, lang):
    page = new_page("en-US")
    open_app(page, f"{app_url}/churn?lang={lang}")
    button = page.get_by_role("button", name=translate(lang, "common.download_csv")).first
    button.wait_for(state="visible", timeout=60_000)
    with page.expect_download() as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".csv"
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].decode("utf-8").splitlines()[0]
    assert header
    assert "_" not in header.split(",")[0]  # a translated header, not a code name
