"""Overview card: the honest hazard ratio of upgrading, the LTV of the first stage, and the top journey finding."""

from __future__ import annotations

import streamlit as st

from cs_models import journey
from ui import format as fmt
from ui import journey_view as view
from ui.caching import shared
from ui.components import MetricRow, show_findings
from ui.i18n import t
from ui.memo import leading_findings
from ui.state import as_of, current_datasets


def render() -> None:
    """Two ``st.metric``s and the most important finding (errors go to the Overview's boundary)."""
    datasets = current_datasets()
    history, _ = shared(journey.journey_history)(datasets)  # the plan history, or plan changes from events
    if history is None or datasets.customers is None:
        st.info(t("journey.card_no_data"))
        return
    # only what the card draws: the paths, their LTV and the time in stage are left to the page
    result = shared(journey.card_summary)(history, datasets.customers, as_of())
    tiles = MetricRow(2, key="journey_card")
    if result.upgrade is not None:
        tiles.metric(0, t("journey.metric_hr"), fmt.number(result.upgrade.hr, 2), border=True)
    key = "journey.metric_ltv_months" if result.mrr_source == "months" else "journey.metric_ltv"
    tiles.metric(1, t(key, stage=result.order[0]), view.value_format(result)(result.ltv["ltv"].iloc[0]), border=True)
    tiles.draw()
    show_findings(leading_findings(journey.findings, result, 1))
