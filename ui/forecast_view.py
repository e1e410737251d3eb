"""Widgets of the Lifetime value forecast page: the headline metrics and its three tables.

No decisions here: which sentence to say comes from :mod:`cs_models.forecast` findings.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import forecast as fc
from cs_models.catalogue import translate
from cs_models.charts import labels
from cs_models.survival import ALL
from ui import format as fmt
from ui.components import money_column
from ui.i18n import current_lang, t

#: The page's starting settings (the margin and discount in percent), shared with :mod:`ui.prefetch`.
PERIOD = "month"
MARGIN_PERCENT = 100
DISCOUNT_PERCENT = 10


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
        columns[0].metric(t("forecast.metric_base"), fmt.money_short(row["ltv_total"]), border=True,
                          help=t("forecast.metric_base_help", amount=fmt.money(row["ltv_total"]),
                                 low=fmt.money(row["ltv_total_lower"]),
                                 high=fmt.money(row["ltv_total_upper"])))
    columns[1].metric(t("forecast.metric_derl"), _months(row["derl"]), border=True,
                      help=t("forecast.metric_derl_help", active=fmt.number(row["active"]),
                             low=fmt.number(row["derl_lower"], 1), high=fmt.number(row["derl_upper"], 1)))
    if revenue:
        columns[2].metric(t("forecast.metric_new_ltv"), fmt.money_short(row["new_ltv"]), border=True,
                          help=t("forecast.metric_new_ltv_help", amount=fmt.money(row["new_ltv"])))
    columns[3].metric(t("forecast.metric_beyond"), fmt.pct(row["share_beyond"], 0), border=True,
                      help=t("forecast.metric_beyond_help", months=result.observed_periods * result.period_months))


def _ci(table: pd.DataFrame, low: str, high: str, digits: int) -> list[str]:
    pairs = zip(table[low], table[high], strict=True)
    return [fmt.interval(lo, hi, lambda v: fmt.number(v, digits)) for lo, hi in pairs]


def tables(result: fc.ForecastResult) -> dict[str, pd.DataFrame]:
    """The page's four tables, indexed by group: ``lifetimes`` and ``values`` (Kaplan–Meier within the
    data beside the forecast), ``model`` (α, β with intervals) and ``base`` (today's customers' value)."""
    table = fc.summary_frame(result)
    index = pd.Index([group_name(g) for g in table.index], name=t("forecast.col_group"))

    def frame(columns: dict[str, object]) -> pd.DataFrame:
        return pd.DataFrame({t(f"forecast.col_{k}"): v for k, v in columns.items()}, index=index)

    return {
        "lifetimes": frame({"n": table["n"].to_numpy(), "km_lifetime": table["km_lifetime"].to_numpy(),
                            "window_lifetime": table["window_lifetime"].to_numpy(),
                            "new_lifetime": table["new_lifetime"].to_numpy()}),
        "values": frame({"km_ltv": table["km_ltv"].round(0).to_numpy(), "new_ltv": table["new_ltv"].round(0).to_numpy(),
                         "beyond": table["share_beyond"].map(fmt.pct).to_numpy()}),
        "model": frame({"status": [t(f"forecast.status_{s}") for s in table["status"]],
                        "alpha": table["alpha"].round(3).to_numpy(),
                        "alpha_ci": _ci(table, "alpha_lower", "alpha_upper", 3),
                        "beta": table["beta"].round(3).to_numpy(),
                        "beta_ci": _ci(table, "beta_lower", "beta_upper", 3)}),
        "base": frame({"active": table["active"].to_numpy(), "derl": table["derl"].to_numpy(),
                       "derl_ci": _ci(table, "derl_lower", "derl_upper", 1), "ltv": table["ltv"].round(0).to_numpy(),
                       "ltv_total": table["ltv_total"].round(0).to_numpy(),
                       "ltv_total_ci": [fmt.interval(lo, hi, fmt.money_short) for lo, hi in
                                        zip(table["ltv_total_lower"], table["ltv_total_upper"], strict=True)]}),
    }


def column_formats() -> dict[str, object]:
    """Column formats of the tables: money in yen, months with one decimal, counts localised."""
    formats: dict[str, object] = {t(f"forecast.col_{name}"): money_column()
                                  for name in ("km_ltv", "new_ltv", "ltv", "ltv_total")}
    months = ("km_lifetime", "window_lifetime", "new_lifetime", "derl")
    formats |= {t(f"forecast.col_{name}"): st.column_config.NumberColumn(format="%.1f") for name in months}
    formats |= {t(f"forecast.col_{name}"): st.column_config.NumberColumn(format="localized")
                for name in ("n", "active")}
    return formats


def customers_table(result: fc.ForecastResult, lang: str) -> pd.DataFrame:
    """Active customers with their renewals, revenue per period, expected further months and value.

    Made only when its download is clicked, outside the script thread: no session state here, the
    language is given, and each group is named once (not once per customer).
    """
    c = result.customers
    names = {group: labels.group_name(lang, group) for group in c["group"].unique()}
    return pd.DataFrame({
        translate(lang, "forecast.col_customer"): c["customer_id"].to_numpy(),
        translate(lang, "forecast.col_group"): c["group"].map(names).to_numpy(),
        translate(lang, "forecast.col_renewals"): c["renewals"].to_numpy(),
        translate(lang, "forecast.col_revenue"): c["revenue_per_period"].to_numpy(),
        translate(lang, "forecast.col_derl"): (c["derl"] * result.period_months).round(2).to_numpy(),
        translate(lang, "forecast.col_ltv"): c["ltv"].round(0).to_numpy(),
    })
