"""Survey results in a real browser (ja + en): the sample's published figures, a deep link to the
multi-select question, and a sheet with Japanese headers uploaded on the Data page."""

from __future__ import annotations

import pytest

from cs_models.catalogue import catalogue
from tests.app.test_survey_page import japanese_upload
from tests.e2e.conftest import open_app, wait_for_app, wait_for_charts, wait_for_text, wait_for_title

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
TALL = 3400  # the page scrolls inside Streamlit's container: a tall viewport shows all of it


def assert_survey_page(page, lang: str, charts: int = 3) -> None:
    """Title, no exception, and at least ``charts`` Plotly charts drawn (no loading skeletons)."""
    assert page.inner_text("h1").strip() == catalogue(lang)["survey.page_title"]
    assert page.locator('[data-testid="stException"]').count() == 0
    wait_for_charts(page, charts)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sample_survey_in_the_browser(app_url, new_page, screenshot_dir, lang):
    page = new_page(LOCALES[lang], height=TALL)
    open_app(page, f"{app_url}/survey?lang={lang}")
    assert_survey_page(page, lang)
    main = page.get_by_test_id("stMain").inner_text()
    for figure in ("28.6%", "24.3–33.4%", "72.0%", "78.5%"):
        assert figure in main
    assert page.locator(".js-plotly-plot").count() >= 3
    page.screenshot(path=screenshot_dir / f"survey_sample_{lang}.png", full_page=True)


@pytest.mark.parametrize(
    ("lang", "question", "figure"),
    [("en", 3, "72.0%"), ("ja", 6, "n=107")],
    ids=["likert-en", "nps-ja"],
)
def test_question_links(app_url, new_page, screenshot_dir, lang, question, figure):
    """A copied link (?survey_q=) reopens the Likert and NPS views (multi-select: see the AppTest)."""
    page = new_page(LOCALES[lang], height=1100)
    open_app(page, f"{app_url}/survey?lang={lang}&survey_q={question}")
    assert_survey_page(page, lang, charts=1)
    assert figure in page.get_by_test_id("stMain").inner_text()
    page.screenshot(path=screenshot_dir / f"survey_q{question}_{lang}.png")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_uploaded_sheet_with_japanese_headers(app_url, new_page, screenshot_dir, lang):
    """Upload a CSV on the Data page, use it, then open Survey results from the menu."""
    frame = japanese_upload().survey.rename(columns={"respondent_id": "回答者ID"})
    data = frame.to_csv(index=False).encode("utf-8-sig")
    page = new_page(LOCALES[lang], height=TALL)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_app(page, f"{app_url}/data?lang={lang}")
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "アンケート.csv", "mimeType": "text/csv", "buffer": data}]
    )
    wait_for_app(page)
    page.get_by_role("button", name=catalogue(lang)["data.use_files"]).click()
    wait_for_text(page, catalogue(lang)["data.used"].split("{datasets}")[0].replace("**", "").strip())
    page.get_by_test_id("stSidebarNavLink").filter(has_text=catalogue(lang)["survey.page_title"]).click()
    wait_for_title(page, catalogue(lang)["survey.page_title"])
    assert_survey_page(page, lang)
    main = page.get_by_test_id("stMain").inner_text()
    assert "n=60" in main or "n=55" in main
    page.screenshot(path=screenshot_dir / f"survey_upload_{lang}.png", full_page=True)
    assert not dialogs
    if lang == "en":
        return
    # the free-text answers include <script>alert(1)</script>: shown as text, never run
    page.get_by_test_id("stMain").get_by_role("combobox").first.click()
    page.keyboard.type("ご意見")
    page.keyboard.press("Enter")
    wait_for_app(page)
    page.screenshot(path=screenshot_dir / f"survey_upload_text_{lang}.png", full_page=True)
    assert not dialogs
