"""The sidebar shared by every page: language, data source, as-of date, presentation mode."""

from __future__ import annotations

from datetime import date

import streamlit as st

from cs_models.catalogue import LANGUAGES
from ui.caching import latest_date
from ui.filters import filter_widget
from ui.i18n import LANG_KEY, browser_language, t
from ui.reload_notice import sidebar_caption
from ui.state import (
    AS_OF_KEY,
    PRESENT_KEY,
    SOURCE_KEY,
    unfiltered_datasets,
    uploaded_datasets,
)
from ui.url_state import url_widget

LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}
EARLIEST_AS_OF = date(1990, 1, 1)
PRESENTATION_CSS = """
<style>
  [data-testid="stMain"] [data-testid="stMarkdown"] p,
  [data-testid="stMain"] [data-testid="stMarkdown"] li,
  [data-testid="stMain"] [data-testid="stAlert"] p,
  [data-testid="stMain"] [data-testid="stCaptionContainer"] { font-size: 1.3rem; }
  [data-testid="stMetricLabel"] p { font-size: 1.2rem; }
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 2.6rem; line-height: 1.15; }
  /* on a projector nothing may be cut off with an ellipsis: labels and values wrap instead */
  [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
    overflow-wrap: anywhere;
  }
  [data-testid="stMain"] h1 { font-size: 3rem; }
</style>
"""


def language_selector() -> None:
    """The language switch (ja/en, default from the browser, kept in the URL as ``?lang=``).

    Drawn before the navigation is built, so page titles use the chosen language.
    """
    url_widget(
        st.sidebar.radio,
        "言語 / Language",
        LANGUAGES,
        key=LANG_KEY,
        default=browser_language(),
        keep_default=True,
        format_func=LANGUAGE_NAMES.__getitem__,
        horizontal=True,
    )


def render_sidebar() -> None:
    """Draw the other sidebar widgets; their values live in session state (and the URL)."""
    with st.sidebar:
        if uploaded_datasets() is not None:
            st.radio(
                t("common.data_source"),
                ("upload", "sample"),
                format_func=lambda source: t(f"common.source_{source}"),
                key=SOURCE_KEY,
            )
        else:
            st.caption(sidebar_caption())
        latest = latest_date(unfiltered_datasets())
        if latest is not None:
            url_widget(
                st.date_input,
                t("common.as_of"),
                key=AS_OF_KEY,
                default=latest,
                # after the data end, active customers would be credited with time that has not
                # happened and periods without events would read as 0% retention
                min_value=EARLIEST_AS_OF,
                max_value=latest,
                help=t("common.as_of_help"),
                format="YYYY-MM-DD",
            )
        url_widget(st.toggle, t("common.presentation"), key=PRESENT_KEY, default=False)
        filter_widget()
    if st.session_state.get(PRESENT_KEY):
        st.html(PRESENTATION_CSS)
