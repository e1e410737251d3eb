"""Overview card: users so far, the share adopting by imitation, and the top adoption finding (word of mouth
or push)."""

from __future__ import annotations

import streamlit as st

from cs_models import adoption
from ui import format as fmt
from ui.caching import cached
from ui.components import show_findings
from ui.i18n import t
from ui.state import as_of, current_datasets


def render() -> None:
    """Two ``st.metric``s and the most important finding (errors go to the Overview's boundary)."""
    frame = current_datasets().adoption
    if frame is None:
        st.info(t("adoption.card_no_data"))
        return
    result = cached(adoption.fit_adoption)(frame, as_of())
    left, right = st.columns(2)
    left.metric(t("adoption.metric_users"), fmt.number(result.users), border=True)
    right.metric(t("adoption.metric_imitation"), fmt.pct(result.imitation_share, 0), border=True)
    show_findings(adoption.findings(result)[:1])
