"""Overview card: how many customers (and how much revenue) cohorts keep after a year."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import cohorts
from cs_models.datasets import Datasets
from cs_models.errors import CSLensError
from ui.caching import cache_data
from ui.components import reading, show_error
from ui.i18n import t
from ui.state import as_of, current_datasets

#: Months after joining that the card reports (shorter when no cohort is that old yet).
HORIZON_MONTHS = 12


@cache_data(show_spinner=False, max_entries=8)
def _monthly(
    events: pd.DataFrame | None, customers: pd.DataFrame | None, source: str, as_of_date: object, metric: str
) -> cohorts.CohortTable:
    """Monthly cohorts (cached on the two frames it reads, not on every loaded dataset)."""
    datasets = Datasets(events=events, customers=customers)
    return cohorts.build(datasets, as_of=as_of_date, source=source, period="month", metric=metric)


def _percent(value: float) -> str:
    return "–" if pd.isna(value) else f"{value * 100:.0f}%"


def render() -> None:
    """One or two ``st.metric``s (logo retention, NRR) after 12 months and a reading."""
    datasets = current_datasets()
    source = cohorts.default_source(datasets)
    if source is None:
        st.info(t("cohorts.card_no_data"))
        return
    try:
        frames = (datasets.events, datasets.customers, source, as_of())
        logo = _monthly(*frames, "logo")
        k = min(HORIZON_MONTHS, logo.mature_horizon())
        if k < 1:
            st.info(t("cohorts.card_not_mature"))
            return
        span = t(f"cohorts.span_month_{'one' if k == 1 else 'other'}", k=k)
        row = logo.average.loc[k]
        columns = st.columns(2)
        columns[0].metric(t("cohorts.card_logo", span=span), _percent(row["weighted"]), border=True)
        if "nrr" in cohorts.available_metrics(datasets, source):
            nrr = _monthly(*frames, "nrr").average.loc[k, "weighted"]
            columns[1].metric(t("cohorts.card_nrr", span=span), _percent(nrr), border=True)
    except CSLensError as exc:
        show_error(exc)
        return
    value = _percent(row["weighted"])
    reading("cohorts.card_reading", value=value, span=span, cohorts=int(row["cohorts"]))
