"""Overview card: answer rate, the Kaplan–Meier median time to solve, and the top support finding."""

from __future__ import annotations

import streamlit as st

from cs_models import support
from ui import format as fmt
from ui.caching import shared
from ui.components import MetricRow, show_findings
from ui.i18n import t
from ui.memo import leading_findings
from ui.state import as_of, current_datasets


def render() -> None:
    """Two ``st.metric``s and the most important finding (errors go to the Overview's boundary)."""
    tickets = current_datasets().tickets
    if tickets is None:
        st.info(t("support.card_no_data"))
        return
    result = shared(support.analyse_support)(tickets, as_of())
    tiles = MetricRow(2, key="support_card")
    if result.answer is not None:
        tiles.metric(0, t("support.metric_answer"), fmt.pct(result.answer.share), border=True)
    median = result.median_hours()[0]
    tiles.metric(1, t("support.metric_median"), t("support.not_reached") if median == float("inf")
                 else t("support.hours_value", hours=median), border=True)
    tiles.draw()
    show_findings(leading_findings(support.findings, result, 1))
