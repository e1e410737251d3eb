"""The app shell: router, sidebar, language, Overview and Data pages, error boundary."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.util import LANGS, assert_clean, run_app, texts

TITLES = {"ja": {"overview": "概要", "data": "データ"}, "en": {"overview": "Overview", "data": "Data"}}


@pytest.mark.parametrize("lang", LANGS)
def test_overview_shows_dataset_sizes(lang):
    at = run_app(lang=lang)
    assert_clean(at)
    assert at.title[0].value == TITLES[lang]["overview"]
    values = {m.label: m.value for m in at.metric}
    expected_rows = {"ja": "2,000行", "en": "2,000 rows"}[lang]
    assert expected_rows in values.values()


@pytest.mark.parametrize("lang", LANGS)
def test_data_page_lists_every_dataset(lang):
    at = run_app("pages/data.py", lang=lang)
    assert_clean(at)
    assert at.title[0].value == TITLES[lang]["data"]
    labels = [e.label for e in at.expander]
    assert any("2,000" in label for label in labels)
    assert any("374" in label for label in labels)


def test_language_switch_in_the_sidebar():
    at = run_app(lang="en")
    assert at.title[0].value == "Overview"
    at.sidebar.radio(key="lang").set_value("ja").run()
    assert at.title[0].value == "概要"
    assert at.query_params["lang"] == ["ja"] or at.query_params["lang"] == "ja"


def test_a_links_language_is_the_only_sample_a_first_run_loads():
    """A Japanese link opened in a browser set to English (AppTest's has no locale: English) loads only
    the Japanese sample, even while the sidebar reads the link before the language is chosen."""
    from streamlit.runtime.caching.cache_metrics import get_cache_metrics

    def loads() -> int:
        stats = get_cache_metrics().get_stats(["cache_lookups"]).get("cache_lookups", [])
        return sum(s.value for s in stats if s.labels["cache"] == "ui.state.sample_datasets"
                   and s.labels.get("result") == "miss")

    before = loads()  # the caches are cleared for each test; the counts are not
    at = run_app(lang="ja")
    assert at.title[0].value == "概要"
    assert loads() - before == 1


def test_japanese_view_has_no_english_sentences():
    """Every sentence on the Japanese Overview is Japanese (figures, 'CS Lens' and data excepted)."""
    at = run_app(lang="ja")
    for line in texts(at).splitlines():
        words = [w for w in line.replace("CS Lens", "").split() if w.isascii() and w.isalpha() and len(w) > 3]
        assert not words, line


def test_as_of_date_comes_from_the_link():
    at = run_app(lang="en", query={"as_of": "2025-12-31"})
    assert_clean(at)
    assert "2025-12-31" in texts(at)


def test_invalid_link_values_fall_back_to_defaults():
    at = run_app(lang="xx", query={"as_of": "not-a-date", "present": "maybe"})
    assert_clean(at)
    assert at.title[0].value == "Overview"  # AppTest's browser has no locale: English


def test_presentation_mode_from_the_link():
    at = run_app(lang="en", query={"present": "1"})
    assert_clean(at)
    assert at.sidebar.toggle(key="present").value is True


def _failing_page():
    import streamlit as st

    from cs_models.errors import IngestError
    from ui.components import show_error

    st.session_state["lang"] = "ja"
    show_error(IngestError("generic", "bad", file="顧客.csv", row=3, column="[x](javascript:alert(1))", detail="*x*"))


def test_package_errors_are_translated_and_escaped():
    """A package error becomes a translated message naming file, row and column; user text is escaped."""
    at = AppTest.from_function(_failing_page).run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("データを利用できませんでした")
    assert "顧客\\.csv" in message
    assert "行：3" in message
    assert "\\[x\\]\\(javascript\\:alert\\(1\\)\\)" in message  # not a clickable link
    assert "\\*x\\*" in message


def test_as_of_after_the_data_is_clamped_to_the_latest_date():
    """An as-of date after the data end would censor active customers in the future and read
    periods without events as 0% retention; the link's value is clamped to the latest date."""
    at = run_app(lang="en", query={"as_of": "2999-01-01"})
    assert_clean(at)
    assert at.sidebar.date_input(key="as_of").value.isoformat() == "2026-10-31"
    assert "2026-10-31" in texts(at)
    assert "2999" not in texts(at)
