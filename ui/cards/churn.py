"""Overview card: how long customers stay (median lifetime) and how many are left after a year."""

from __future__ import annotations

import streamlit as st

from cs_models import survival as sv
from cs_models.errors import CSLensError
from ui import format as fmt
from ui.caching import shared
from ui.components import MetricRow, error_message, show_findings
from ui.i18n import t
from ui.memo import derived, leading_findings
from ui.state import as_of, current_datasets

#: Findings the overview card shows (the headline ones; the page shows them all).
CARD_FINDINGS = ("churn.median_lifetime", "churn.median_lifetime_open", "churn.median_not_reached",
                 "churn.retained_at_12", "churn.too_young_for_12")


def share_at_12(km: sv.KMResult) -> float:
    """Share of all customers still active at 12 months (NaN when no one was followed that long)."""
    at = km.at_times
    row = at[(at["group"] == sv.ALL) & (at["months"] == sv.RETAINED_MONTH)]
    return float(row["survival"].iloc[0]) if len(row) else float("nan")


def render() -> None:
    """Median customer lifetime and the share still active after 12 months, with their findings."""
    customers = current_datasets().customers
    if customers is None:
        st.info(t("churn.card_no_data"))
        return
    try:
        result = shared(sv.analyse)(customers, as_of())
    except CSLensError as exc:
        st.info(error_message(exc), icon=":material/info:")
        return
    row = result.overall.summary.loc[sv.ALL]
    share12 = derived(share_at_12, result.overall)
    tiles = MetricRow(2, key="churn_card")
    if row["median_days"] != float("inf"):
        tiles.metric(0, t("churn.card_median_months"), fmt.months(row["median_days"]), border=True)
    else:
        tiles.metric(0, t("churn.card_median"), t("churn.not_reached"), help=t("churn.not_reached_help"), border=True)
    tiles.metric(1, t("churn.card_12m"), fmt.pct(share12, 0), border=True)
    tiles.draw()
    show_findings(leading_findings(sv.findings, result, codes=CARD_FINDINGS))
