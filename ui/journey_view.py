"""Tables of the Customer journey page (churn by stage, LTV by entry stage, months and reach) and its
downloads. No decisions here: the sentences come from :mod:`cs_models.journey` findings."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from cs_models.charts import labels
from cs_models.charts.journey import path_ltv_bars
from cs_models.journey import JourneyResult, JourneySummary
from ui import format as fmt
from ui.components import download_table, show_shared_chart
from ui.i18n import current_lang, t


def value_format(result: JourneyResult | JourneySummary) -> Callable[[float], str]:
    """Money, or months when the data hold no amounts."""
    if result.mrr_source == "months":
        return lambda v: fmt.number(v, 1)
    return fmt.money


def source_key(result: JourneyResult, stages_from: str | None) -> str:
    """Catalogue key naming where the stage revenue came from (billed amounts when stages came from events)."""
    if stages_from == "events" and result.mrr_source == "history":
        return "journey.source_billed"
    return f"journey.source_{result.mrr_source}"


def hazard_table(result: JourneyResult) -> pd.DataFrame:
    """Churn per customer-month by current stage, with its interval."""
    h = result.hazard
    return pd.DataFrame({
        t("journey.col_customer_months"): h["customer_months"].map(fmt.number),
        t("journey.col_churned"): h["churned"].map(fmt.number),
        t("journey.col_rate"): h["rate"].map(fmt.pct),
        t("journey.col_rate_ci"): [fmt.interval(lo, hi) for lo, hi in zip(h["low"], h["high"], strict=True)],
    }, index=pd.Index(h.index, name=t("journey.col_stage")))


def ltv_table(result: JourneyResult) -> pd.DataFrame:
    """LTV by entry stage, its interval, expected months and the monthly revenue of the stage."""
    table, value = result.ltv, value_format(result)
    return pd.DataFrame({
        t("journey.col_customers"): table["customers"].map(fmt.number),
        t("journey.col_ltv"): table["ltv"].map(value),
        t("journey.col_ltv_ci"): [fmt.interval(lo, hi, value) for lo, hi in zip(table["low"], table["high"],
                                                                                   strict=True)],
        t("journey.col_months"): table["months"].map(lambda v: fmt.number(v, 1)),
        t("journey.col_mrr"): result.mrr.map(fmt.money),
    }, index=pd.Index(table.index, name=t("journey.col_entry")))


def path_name(path: tuple[str, ...] | list[str]) -> str:
    """A path as the user reads it: ``ライト → スタンダード``."""
    return t("journey.path_join").join(path)


def path_table(result: JourneyResult) -> pd.DataFrame:
    """LTV from entry of the customers following each typical path, its interval and the path's chance."""
    table, value = result.ltv_by_path, value_format(result)
    return pd.DataFrame({
        t("journey.col_path_customers"): table["customers"].map(fmt.number).to_numpy(),
        t("journey.col_path_chance"): table["chance"].map(fmt.pct).to_numpy(),
        t("journey.col_ltv"): table["ltv"].map(value).to_numpy(),
        t("journey.col_ltv_ci"): [fmt.interval(lo, hi, value) for lo, hi in zip(table["low"], table["high"],
                                                                                   strict=True)],
    }, index=pd.Index([path_name(p) for p in table["path"]], name=t("journey.col_path")))


def months_table(result: JourneyResult) -> pd.DataFrame:
    """Expected months in each stage and the chance of ever reaching each later stage, by entry stage."""
    out = pd.DataFrame(index=pd.Index(result.ltv.index, name=t("journey.col_entry")))
    for stage in result.order:
        out[t("journey.col_months_in", stage=stage)] = result.months_in[stage].map(lambda v: fmt.number(v, 1))
    for stage in result.order[1:]:
        out[t("journey.col_reach", stage=stage)] = result.reach[stage].map(fmt.pct)
    return out


def show_tables(result: JourneyResult) -> None:
    """The LTV tables (by entry stage, by path), the months table and the downloads of the matrix and the LTV."""
    table = ltv_table(result)
    st.dataframe(table, width="stretch")
    if result.ltv_by_path.empty:
        st.subheader(t("journey.path_heading"))
        st.info(t("journey.path_none"))
    else:
        show_shared_chart(path_ltv_bars, result, labels.journey_labels(current_lang()), {}, current_lang(),
                          key="journey_path_ltv", title=t("journey.path_heading"))
        st.dataframe(path_table(result), width="stretch")
    st.caption(t("journey.path_caption"))
    st.subheader(t("journey.months_heading"))
    st.dataframe(months_table(result), width="stretch")
    matrix = result.matrix.rename(columns={"__churn__": t("journey.churn")})
    matrix.index.name = t("journey.col_from")
    left, right = st.columns(2)
    with left:
        download_table(table, f"{t('journey.download_stem')}_ltv")
    with right:
        download_table(matrix, f"{t('journey.download_stem')}_matrix")
