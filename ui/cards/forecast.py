"""Overview card: the value of today's customers and the share of a new customer's value beyond the data."""

from __future__ import annotations

import streamlit as st

from cs_models import forecast as fc
from cs_models.errors import CSLensError
from cs_models.survival import ALL
from ui import format as fmt
from ui.caching import shared
from ui.components import MetricRow, error_message, show_findings
from ui.i18n import t
from ui.memo import leading_findings
from ui.state import as_of, current_datasets


def render() -> None:
    """Two ``st.metric``s (all customers) and the most important forecast finding."""
    customers = current_datasets().customers
    if customers is None:
        st.info(t("forecast.card_no_data"))
        return
    try:
        result = shared(fc.forecast)(customers, as_of())
    except CSLensError as exc:
        st.info(error_message(exc), icon=":material/info:")
        return
    row = result.table.loc[ALL]
    tiles = MetricRow(2, key="forecast_card")
    if row["status"] == "ok":
        if "no_revenue" not in result.notes:
            tiles.metric(0, t("forecast.card_base"), fmt.money_short(row["ltv_total"]), border=True)
        tiles.metric(1, t("forecast.card_beyond"), fmt.pct(row["share_beyond"], 0), border=True)
    tiles.draw()
    show_findings(leading_findings(fc.findings, result, 1))
