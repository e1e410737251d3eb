"""Reload after an upload in a real browser (ja + en): the uploaded data are not kept on the
server, and the page says so (a warning with a way back to the Data page) instead of silently
showing the sample (issue 16)."""

from __future__ import annotations

import pytest

from cs_models.catalogue import catalogue, translate
from tests.e2e.conftest import open_app, wait_for_app, wait_for_text
from tests.e2e.test_upload_e2e import LOCALES, upload

pytestmark = pytest.mark.e2e
CUSTOMERS = ("customer_id,start_date,end_date\n"
             + "".join(f"c{i},2023-{1 + i % 12:02d}-01,{'2024-03-01' if i % 4 == 0 else ''}\n" for i in range(40))
             ).encode()
NOTICE = '.st-key-reload_notice [data-testid="stAlertContentWarning"]'


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_reload_after_an_upload_says_the_data_were_dropped(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], height=1000)
    open_app(page, f"{app_url}/data?lang={lang}")
    upload(page, "customers.csv", CUSTOMERS, until='[data-testid="stMetricValue"]')
    page.get_by_role("button", name=catalogue(lang)["data.use_files"]).click()
    used = translate(lang, "data.used", datasets=translate(lang, "common.dataset_customers")).replace("**", "")
    wait_for_text(page, used)
    page.wait_for_url("**data=upload**")  # the marker follows the data shown
    assert page.locator(NOTICE).count() == 0

    page.reload()
    page.wait_for_selector(NOTICE, timeout=60_000)
    wait_for_app(page)
    warning = page.locator(NOTICE).inner_text()
    assert translate(lang, "reload.notice").replace("**", "") in warning
    sidebar = page.get_by_test_id("stSidebar").inner_text()
    assert translate(lang, "reload.sidebar_dropped") in sidebar
    assert page.get_by_role("link", name=translate(lang, "reload.go_data")).count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=screenshot_dir / f"reload_notice_{lang}.png")

    page.get_by_role("button", name=translate(lang, "reload.keep_sample")).click()
    page.wait_for_selector(NOTICE, state="detached", timeout=60_000)
    wait_for_app(page)
    assert "data=upload" not in page.url
