"""Overview card: MRR at the end of the last complete month, its net change, and what moved it."""

from __future__ import annotations

import streamlit as st

from cs_models import revenue
from cs_models.warehouse.spill import movements_for
from ui import format as fmt
from ui.caching import shared
from ui.components import MetricRow, show_findings
from ui.i18n import t
from ui.memo import leading_findings
from ui.state import as_of, current_datasets, events_engine


def render() -> None:
    """Two ``st.metric``s and the last month's movements in words."""
    events = current_datasets().events
    if events is None or "amount" not in events:
        st.info(t("revenue.card_no_data"))
        return
    spilled, kept = events_engine()  # large uploads: SQL over their Parquet
    result = shared(movements_for)(events, spilled, as_of(), kept=kept)
    last = result.months.iloc[-1]
    month = last["month"].strftime("%Y-%m")
    tiles = MetricRow(2, key="revenue_card")
    net = last["end_mrr"] - last["start_mrr"]  # short amounts in the tiles (a card is narrow), the full ones on hover
    tiles.metric(0, t("revenue.metric_mrr", month=month), fmt.money_short(last["end_mrr"]), border=True,
                help=fmt.money(last["end_mrr"]))
    tiles.metric(1, t("revenue.metric_net", month=month), fmt.money_short(net), border=True, help=fmt.money(net))
    tiles.draw()
    show_findings(leading_findings(revenue.findings, result, codes=("revenue.last_month",)))
