"""Overview card: leaders and audience by the default rule, and the top community finding."""

from __future__ import annotations

import streamlit as st

from cs_models import community
from ui import format as fmt
from ui.caching import shared
from ui.components import MetricRow, show_findings
from ui.i18n import t
from ui.memo import leading_findings
from ui.state import as_of, current_datasets


def render() -> None:
    """Two ``st.metric``s and the most important finding (errors go to the Overview's boundary)."""
    log = current_datasets().community
    if log is None:
        st.info(t("community.card_no_data"))
        return
    roles = shared(community.community_roles)(log, as_of())
    tiles = MetricRow(2, key="community_card")
    tiles.metric(0, t("community.metric_leader"), fmt.number(roles.counts["leader"]), border=True)
    tiles.metric(1, t("community.metric_top_share"), fmt.pct(roles.top_share), border=True)
    tiles.draw()
    show_findings(leading_findings(community.role_findings, roles, 1))
