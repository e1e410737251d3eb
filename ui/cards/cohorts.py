"""Overview card: how many customers (and how much revenue) cohorts keep after a year."""

from __future__ import annotations

import streamlit as st

from cs_models import cohorts
from cs_models.errors import CSLensError
from cs_models.findings import Finding
from cs_models.warehouse.spill import cohort_table_for
from ui import format as fmt
from ui.caching import shared
from ui.components import MetricRow, show_error, show_findings
from ui.i18n import t
from ui.memo import derived
from ui.state import as_of, current_datasets, events_engine

#: Months after joining that the card reports (shorter when no cohort is that old yet).
HORIZON_MONTHS = 12


def _logo_findings(logo: cohorts.CohortTable) -> list[Finding]:
    return cohorts.findings(logo, period=HORIZON_MONTHS)


def _nrr_findings(nrr: cohorts.CohortTable) -> list[Finding]:
    return [f for f in cohorts.findings(nrr, period=HORIZON_MONTHS) if f.code == "cohorts.net_expansion"]


def render() -> None:
    """One or two ``st.metric``s (logo retention, NRR) after 12 months and the findings."""
    datasets = current_datasets()
    source = cohorts.default_source(datasets)
    if source is None:
        st.info(t("cohorts.card_no_data"))
        return
    try:
        options = {"customers": datasets.customers, "as_of": as_of(), "source": source, "period": "month"}
        events = datasets.events if source == "events" else None
        spilled = events_engine()[0] if source == "events" else None  # large uploads: SQL over their Parquet
        logo = shared(cohort_table_for)(events, spilled, **options)
        k = derived(cohorts.reading_period, logo, HORIZON_MONTHS)
        if k < 1:
            st.info(t("cohorts.card_not_mature"))
            return
        span = t(f"cohorts.span_month_{'one' if k == 1 else 'other'}", k=k)
        tiles = MetricRow(2, key="cohorts_card")
        tiles.metric(0, t("cohorts.card_logo", span=span), fmt.pct(logo.average.loc[k, "weighted"], 0), border=True)
        found = list(derived(_logo_findings, logo))
        if "nrr" in cohorts.available_metrics(datasets, source):
            nrr = shared(cohort_table_for)(events, spilled, metric="nrr", **options)
            tiles.metric(1, t("cohorts.card_nrr", span=span), fmt.pct(nrr.average.loc[k, "weighted"], 0),
                              border=True)
            found += derived(_nrr_findings, nrr)
        tiles.draw()
    except CSLensError as exc:
        show_error(exc)
        return
    show_findings(found)
