"""Overview card: the touchpoint that disappoints most, the one that delights most, and the churn link."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from cs_models import gaps
from cs_models.datasets import Datasets
from cs_models.errors import CSLensError
from ui.caching import cache_data
from ui.components import md_escape, reading, show_error
from ui.i18n import t
from ui.state import as_of, current_datasets


@cache_data(show_spinner=False, max_entries=8)
def _items(frame: pd.DataFrame) -> pd.DataFrame:
    return gaps.analyse_gaps(gaps.read_gaps(frame)).items


@cache_data(show_spinner=False, max_entries=8)
def _hazard_ratio(frame: pd.DataFrame, customers: pd.DataFrame, as_of_date: object) -> tuple[float, float]:
    churn = gaps.gap_churn(gaps.read_gaps(frame), customers, as_of=as_of_date)
    return churn.hazard_ratio, churn.hr_upper


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def _churn_link(datasets: Datasets) -> float:
    """Hazard ratio per point of gap when the link to churn is clear (upper limit < 1), else NaN."""
    frame, customers = datasets.gaps, datasets.customers
    if customers is None or "customer_id" not in frame or frame["customer_id"].isna().all():
        return math.nan
    try:
        hr, upper = _hazard_ratio(frame, customers, as_of())
    except CSLensError:  # too few matches, no churn yet: the gaps page explains; the card stays quiet
        return math.nan
    return hr if upper < 1 else math.nan


def render() -> None:
    """Two ``st.metric``s (the largest shortfall and the largest delight) and one reading."""
    datasets = current_datasets()
    if datasets.gaps is None:
        st.info(t("gaps.card_no_data"))
        return
    try:
        items = _items(datasets.gaps)
    except CSLensError as exc:
        show_error(exc)
        return
    ranked = items.dropna(subset=["mean_gap"]).sort_values("mean_gap")
    worst, best = ranked.index[0], ranked.index[-1]
    left, right = st.columns(2)
    left.metric(t("gaps.card_worst", item=md_escape(worst)), _signed(ranked.loc[worst, "mean_gap"]),
                help=t("gaps.card_help"), border=True)
    if best != worst:
        right.metric(t("gaps.card_best", item=md_escape(best)), _signed(ranked.loc[best, "mean_gap"]),
                     help=t("gaps.card_help"), border=True)
    row = ranked.loc[worst]
    if row["verdict"] != "disappoints":
        reading("gaps.reading_none" if (items["verdict"] == "no_clear_gap").all() else "gaps.card_reading_fine")
        return
    hr = _churn_link(datasets)
    params = {"item": worst, "gap": f"{abs(row['mean_gap']):.2f}", "share": f"{row['disappointed_share'] * 100:.0f}%"}
    if math.isfinite(hr):
        reading("gaps.card_reading_link", **params, change=f"{(1 - hr) * 100:.0f}%")
    else:
        reading("gaps.card_reading", **params)
