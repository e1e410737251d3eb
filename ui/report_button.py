"""The Overview's one-click report: every section's tables and findings as one offline HTML file."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from cs_models.errors import CSLensError
from cs_models.report import datasets_report, render_html
from cs_models.story import build_story
from ui.caching import shared
from ui.components import data_source, show_error
from ui.i18n import current_lang, t
from ui.state import as_of, current_datasets, segment_filter, unfiltered_datasets


def report_download() -> None:
    """A download button for the report of the current data, as-of date and language."""
    datasets, day, lang = current_datasets(), as_of(), current_lang()
    try:
        report = shared(datasets_report)(unfiltered_datasets(), as_of=day, lang=lang, segment_filter=segment_filter())
        story = shared(build_story)(datasets, as_of=day, lang=lang)  # shared: read only (figures copied below)
    except CSLensError as exc:
        show_error(exc)
        return
    source = data_source()

    def page() -> bytes:  # drawn when clicked (in another thread: no Streamlit calls here)
        # render_html titles and themes the figures: copies, the story is shared by every session
        figures = {name: [go.Figure(fig) for fig in figs] for name, figs in story.figures_by_section().items()}
        return render_html(report, lang=lang, figures=figures, source=source).encode("utf-8")

    st.download_button(
        t("report.download"),
        data=page,
        file_name=f"cs_lens_report_{day.isoformat()}_{lang}.html",
        mime="text/html",
        help=t("report.download_help"),
        icon=":material/download:",
        key="overview_report",
    )
