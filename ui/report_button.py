"""The Overview's one-click report: every section's tables and findings as one offline HTML file."""

from __future__ import annotations

import streamlit as st

from cs_models.errors import CSLensError
from ui.components import data_source, error_message
from ui.i18n import current_lang, t
from ui.state import as_of, current_datasets, segment_filter, unfiltered_datasets


def report_download() -> None:
    """A download button for the report of the current data, as-of date and language.

    The report (every analysis with its complete results) is built only when the button is clicked,
    so opening the Overview never waits for it; a data problem then makes the downloaded page say
    what is wrong instead of the report. The report and the story (every analysis module, with
    ``scipy.stats``) are imported on the click too, so the page that draws the button does not
    wait for modules it does not draw.
    """
    datasets, unfiltered, chosen = current_datasets(), unfiltered_datasets(), segment_filter()
    day, lang, source = as_of(), current_lang(), data_source()

    def page() -> bytes:  # run when clicked, in another thread: no Streamlit calls here
        from cs_models.report import datasets_report, render_error_html, render_html
        from cs_models.story import build_story

        try:
            report = datasets_report(unfiltered, as_of=day, lang=lang, segment_filter=chosen)
            figures = build_story(datasets, as_of=day, lang=lang).figures_by_section()
        except CSLensError as exc:
            return render_error_html(error_message(exc, lang=lang, escape=str), lang=lang).encode("utf-8")
        return render_html(report, lang=lang, figures=figures, source=source).encode("utf-8")

    st.download_button(
        t("report.download"),
        data=page,
        file_name=f"cs_lens_report_{day.isoformat()}_{lang}.html",
        mime="text/html",
        help=t("report.download_help"),
        icon=":material/download:",
        key="overview_report",
        on_click="ignore",
    )
