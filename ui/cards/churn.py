"""Overview card: how long customers stay (median lifetime) and how many are left after a year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cs_models import survival as sv
from cs_models.errors import CSLensError
from ui.caching import cache_data
from ui.components import error_message, reading
from ui.i18n import t
from ui.state import as_of, current_datasets


@cache_data(show_spinner=False, max_entries=8)
def _overall(customers: pd.DataFrame, as_of_date: object) -> sv.KMResult:
    return sv.kaplan_meier(sv.durations(customers, as_of_date))


def render() -> None:
    """Median customer lifetime and the share still active after 12 months, with a reading."""
    customers = current_datasets().customers
    if customers is None:
        st.info(t("churn.card_no_data"))
        return
    try:
        km = _overall(customers, as_of())
    except CSLensError as exc:
        st.info(error_message(exc), icon=":material/info:")
        return
    row = km.summary.loc[sv.ALL]
    at12 = km.at_times[km.at_times["months"] == 12]["survival"].iloc[0]
    share12 = "–" if not np.isfinite(at12) else f"{at12 * 100:.0f}%"
    left, right = st.columns(2)
    if np.isfinite(row["median_days"]):
        median = f"{row['median_days'] / sv.DAYS_PER_MONTH:.1f}"
        left.metric(t("churn.card_median_months"), median, border=True)
        right.metric(t("churn.card_12m"), share12, border=True)
        reading("churn.card_reading", median=median, share12=share12)
    else:
        left.metric(t("churn.card_median"), t("churn.not_reached"), help=t("churn.not_reached_help"), border=True)
        right.metric(t("churn.card_12m"), share12, border=True)
        reading("churn.card_reading_not_reached", share12=share12)
