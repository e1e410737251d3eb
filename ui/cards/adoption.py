"""Overview card: users so far, the share adopting by imitation, and the top adoption finding (word of mouth
or push)."""

from __future__ import annotations

import streamlit as st

from cs_models import adoption
from cs_models.errors import DataError
from ui import format as fmt
from ui.caching import shared
from ui.components import MetricRow, error_message, show_findings
from ui.i18n import t
from ui.memo import leading_findings
from ui.state import as_of, current_datasets


def render() -> None:
    """Two ``st.metric``s and the most important finding; too little history is an info box."""
    frame = current_datasets().adoption
    if frame is None:
        st.info(t("adoption.card_no_data"))
        return
    try:
        result = shared(adoption.fit_adoption)(frame, as_of())
    except DataError as exc:  # too little history yet (an early as-of date): said calmly, not as an error
        st.info(error_message(exc), icon=":material/info:")
        return
    tiles = MetricRow(2, key="adoption_card")
    tiles.metric(0, t("adoption.metric_users"), fmt.number(result.users), border=True)
    tiles.metric(1, t("adoption.metric_imitation"), fmt.pct(result.imitation_share, 0), border=True)
    tiles.draw()
    show_findings(leading_findings(adoption.findings, result, 1))
