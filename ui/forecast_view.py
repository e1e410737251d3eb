"""Widgets of the Lifetime value forecast page: the headline metrics and its three tables.

No decisions here: which sentence to say comes from :mod:`cs_models.forecast` findings.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import forecast as fc
from cs_models.charts import labels
from cs_models.survival import ALL
from ui import format as fmt
from ui.components import money_column
from ui.i18n import current_lang, t


def group_name(code: str) -> str:
    """A group code in words (all customers, pooled and blank groups translated)."""
    return labels.group_name(current_lang(), code)


def _months(value: float) -> str:
    return t("forecast.months_value", months=value)


def show_metrics(result: fc.ForecastResult) -> None:
    """Value of today's customers, their expected further months, a new customer's LTV, and the
    share of value beyond the data (all customers)."""
    row = fc.summary_frame(result).loc[ALL]
    if row["status"] != "ok":
        return
    columns = st.columns(4)
    revenue = "no_revenue" not in result.notes
    if revenue:
        columns[0].metric(t("forecast.metric_base"), fmt.money(row["ltv_total"]), border=True,
                          help=t("forecast.metric_base_help", low=fmt.money(row["ltv_total_lower"]),
                                 high=fmt.money(row["ltv_total_upper"])))
    columns[1].metric(t("forecast.metric_derl"), _months(row["derl"]), border=True,
                      help=t("forecast.metric_derl_help", active=fmt.number(row["active"]),
                             low=fmt.number(row["derl_lower"], 1), high=fmt.number(row["derl_upper"], 1)))
    if revenue:
        columns[2].metric(t("forecast.metric_new_ltv"), fmt.money(row["new_ltv"]), border=True,
                          help=t("forecast.metric_new_ltv_help"))
    columns[3].metric(t("forecast.metric_beyond"), fmt.pct(row["share_beyond"], 0), border=True,
                      help=t("forecast.metric_beyond_help", months=result.observed_periods * result.period_months))


def compare_table(result: fc.ForecastResult) -> pd.DataFrame:
    """Kaplan–Meier lifetime and LTV within the data beside the forecast, per group (months)."""
    table = fc.summary_frame(result)
    return pd.DataFrame({
        t("forecast.col_group"): [group_name(g) for g in table.index],
        t("forecast.col_n"): table["n"].to_numpy(),
        t("forecast.col_km_lifetime"): table["km_lifetime"].round(1).to_numpy(),
        t("forecast.col_window_lifetime"): table["window_lifetime"].round(1).to_numpy(),
        t("forecast.col_new_lifetime"): table["new_lifetime"].round(1).to_numpy(),
        t("forecast.col_km_ltv"): table["km_ltv"].round(0).to_numpy(),
        t("forecast.col_new_ltv"): table["new_ltv"].round(0).to_numpy(),
        t("forecast.col_beyond"): table["share_beyond"].map(fmt.pct).to_numpy(),
    }).set_index(t("forecast.col_group"))


def params_table(result: fc.ForecastResult) -> pd.DataFrame:
    """α, β with intervals, the expected further months and the value of the active customers, per group."""
    table = fc.summary_frame(result)

    def ci(low: str, high: str, digits: int) -> list[str]:
        return [fmt.interval(lo, hi, lambda v: fmt.number(v, digits))
                for lo, hi in zip(table[low], table[high], strict=True)]

    return pd.DataFrame({
        t("forecast.col_group"): [group_name(g) for g in table.index],
        t("forecast.col_status"): [t(f"forecast.status_{s}") for s in table["status"]],
        t("forecast.col_active"): table["active"].to_numpy(),
        t("forecast.col_alpha"): table["alpha"].round(3).to_numpy(),
        t("forecast.col_alpha_ci"): ci("alpha_lower", "alpha_upper", 3),
        t("forecast.col_beta"): table["beta"].round(3).to_numpy(),
        t("forecast.col_beta_ci"): ci("beta_lower", "beta_upper", 3),
        t("forecast.col_derl"): table["derl"].round(1).to_numpy(),
        t("forecast.col_derl_ci"): ci("derl_lower", "derl_upper", 1),
        t("forecast.col_ltv"): table["ltv"].round(0).to_numpy(),
        t("forecast.col_ltv_total"): table["ltv_total"].round(0).to_numpy(),
        t("forecast.col_ltv_total_ci"): [fmt.interval(lo, hi, fmt.money) for lo, hi in
                                         zip(table["ltv_total_lower"], table["ltv_total_upper"], strict=True)],
    }).set_index(t("forecast.col_group"))


def money_columns() -> dict[str, object]:
    """Column formats of the money columns of both tables."""
    return {t(f"forecast.col_{name}"): money_column() for name in ("km_ltv", "new_ltv", "ltv", "ltv_total")}


def customers_table(result: fc.ForecastResult) -> pd.DataFrame:
    """Active customers with their renewals, revenue per period, expected further months and value."""
    c = result.customers
    return pd.DataFrame({
        t("forecast.col_customer"): c["customer_id"].to_numpy(),
        t("forecast.col_group"): [group_name(g) for g in c["group"]],
        t("forecast.col_renewals"): c["renewals"].to_numpy(),
        t("forecast.col_revenue"): c["revenue_per_period"].to_numpy(),
        t("forecast.col_derl"): (c["derl"] * result.period_months).round(2).to_numpy(),
        t("forecast.col_ltv"): c["ltv"].round(0).to_numpy(),
    })
