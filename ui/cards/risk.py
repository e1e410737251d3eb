"""Overview card: revenue at risk in the riskiest tenth, and whether the ranking passed its backtest."""

from __future__ import annotations

import streamlit as st

from cs_models import risk
from ui import format as fmt
from ui.caching import shared
from ui.components import MetricRow, show_findings
from ui.i18n import t
from ui.memo import leading_findings
from ui.state import as_of, current_datasets


def render() -> None:
    """Two ``st.metric``s and the backtest's verdict."""
    customers = current_datasets().customers
    if customers is None:
        st.info(t("risk.card_no_data"))
        return
    result = shared(risk.risk_scores)(customers, as_of(), horizon_days=90)
    top = result.top_decile()
    tiles = MetricRow(2, key="risk_card")
    amount = top["revenue_at_risk"].sum()
    tiles.metric(0, t("risk.metric_revenue"), fmt.money_short(amount), border=True, help=fmt.money(amount))
    if result.backtest is not None:
        tiles.metric(1, t("risk.metric_auc"), fmt.number(result.backtest.auc, 2), border=True)
    tiles.draw()
    show_findings(leading_findings(risk.findings, result, 1))
