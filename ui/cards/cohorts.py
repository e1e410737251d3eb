"""Overview card: how many customers (and how much revenue) cohorts keep after a year."""

from __future__ import annotations

import streamlit as st

from cs_models import cohorts
from cs_models.datasets import Datasets
from cs_models.errors import CSLensError
from ui.components import reading, show_error
from ui.i18n import t
from ui.state import as_of, current_datasets

#: Months after joining that the card reports (shorter when no cohort is that old yet).
HORIZON_MONTHS = 12


@st.cache_data(show_spinner=False, max_entries=8)
def _monthly(datasets: Datasets, as_of_date: object, metric: str) -> cohorts.CohortTable:
    return cohorts.build(datasets, as_of=as_of_date, period="month", metric=metric)


def render() -> None:
    """One or two ``st.metric``s (logo retention, NRR) after 12 months and a reading."""
    datasets = current_datasets()
    source = cohorts.default_source(datasets)
    if source is None:
        st.info(t("cohorts.card_no_data"))
        return
    try:
        logo = _monthly(datasets, as_of(), "logo")
        k = min(HORIZON_MONTHS, logo.mature_horizon())
        if k < 1:
            st.info(t("cohorts.card_not_mature"))
            return
        span = t(f"cohorts.span_month_{'one' if k == 1 else 'other'}", k=k)
        row = logo.average.loc[k]
        columns = st.columns(2)
        columns[0].metric(t("cohorts.card_logo", span=span), f"{row['weighted'] * 100:.0f}%", border=True)
        if "nrr" in cohorts.available_metrics(datasets, source):
            nrr = _monthly(datasets, as_of(), "nrr").average.loc[k, "weighted"]
            columns[1].metric(t("cohorts.card_nrr", span=span), f"{nrr * 100:.0f}%", border=True)
    except CSLensError as exc:
        show_error(exc)
        return
    value = f"{row['weighted'] * 100:.0f}%"
    reading("cohorts.card_reading", value=value, span=span, cohorts=int(row["cohorts"]))
