"""The Churn page's parts: group names, headline metrics, the log-rank summary and the display tables.

Kept out of ``pages/churn.py`` so the page stays a short script; everything here renders
``cs_models.survival`` results and decides nothing about them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import stats
from cs_models import survival as sv
from cs_models.charts import labels as chart_labels
from ui import format as fmt
from ui.components import MetricRow
from ui.i18n import current_lang, t
from ui.memo import derived

#: The lifetime horizons (months) the page offers, and the one it opens with.
HORIZONS = (12, 24, 36)
HORIZON = 24


def group_name(code: str) -> str:
    """A group code in words (the overall, pooled and blank groups translated)."""
    return chart_labels.group_name(current_lang(), code)


def show_metrics(overall: sv.KMResult) -> None:
    """Customers, churned so far and the median lifetime."""
    row = overall.summary.loc[sv.ALL]
    tiles = MetricRow(3, key="churn_metrics")
    tiles.metric(0, t("churn.metric_customers"), fmt.number(row["n"]), border=True)
    tiles.metric(1, t("churn.metric_churned"), t("churn.metric_churned_value", n=fmt.number(row["events"]),
                                                 share=fmt.pct(row["events"] / row["n"], 0)), border=True)
    if pd.notna(row["median_days"]) and row["median_days"] != float("inf"):
        tiles.metric(2, t("churn.metric_median"), t("churn.months_value", months=fmt.months(row["median_days"])),
                     border=True)
    else:
        tiles.metric(2, t("churn.metric_median"), t("churn.not_reached"), help=t("churn.not_reached_help"),
                     border=True)
    tiles.draw()


def term_name(row: pd.Series) -> str:
    """A Cox model term in words."""
    return chart_labels.term_name(current_lang(), row)


def show_logrank(result: sv.LogRankResult) -> None:
    """Why the log-rank test is missing, or its pairwise (Holm-corrected) tests."""
    if result.notes:
        st.caption(t(f"churn.logrank_{result.notes[0]}"))
    elif not result.pairwise.empty:
        with st.expander(t("churn.pairwise_heading")):
            st.dataframe(derived(pairwise_table, result), hide_index=True, width="stretch")


def pairwise_table(result: sv.LogRankResult) -> pd.DataFrame:
    """The pairwise log-rank tests as shown: group names, chi-square, raw and Holm-corrected p."""
    pairs = result.pairwise
    return pd.DataFrame({
        t("churn.col_group_a"): pairs["group_a"].map(group_name),
        t("churn.col_group_b"): pairs["group_b"].map(group_name), t("churn.col_chi2"): pairs["chi2"].round(2),
        t("churn.col_p"): pairs["p"].map(fmt.p_value), t("churn.col_p_holm"): pairs["p_holm"].map(fmt.p_value),
    })


def survival_at_table(km: sv.KMResult) -> pd.DataFrame:
    """Share still active at 3/6/12/24 months with its CI, a row per group."""
    at = km.at_times.assign(cell=[
        "" if pd.isna(s) else f"{fmt.pct(s, 0)} ({fmt.interval(lo, hi, lambda v: fmt.number(100 * v))})"
        for s, lo, hi in zip(km.at_times["survival"], km.at_times["lower"], km.at_times["upper"], strict=True)])
    wide = at.pivot(index="group", columns="months", values="cell").reindex(list(km.groups))
    wide.columns = [t("churn.col_at_month", months=int(m)) for m in wide.columns]
    wide.index = pd.Index([group_name(g) for g in wide.index], name=t("churn.col_group"))
    return wide


def rmst_table(result: sv.RMSTResult, revenue: bool) -> pd.DataFrame:
    """Average months stayed, differences and (with ``revenue``) LTV, a row per group."""
    table, per_month = result.table, sv.DAYS_PER_MONTH
    out = pd.DataFrame(index=pd.Index([group_name(g) for g in table.index], name=t("churn.col_group")))
    out[t("churn.col_n")] = table["n"].to_numpy()
    out[t("churn.col_rmst")] = (table["rmst_days"] / per_month).round(1).to_numpy()
    out[t("churn.col_rmst_ci")] = [fmt.interval(lo, hi, fmt.months) for lo, hi in
                                   zip(table["rmst_lower"], table["rmst_upper"], strict=True)]
    diff = t("churn.col_diff", reference=group_name(result.reference))
    out[diff] = (table["diff_days"] / per_month).round(1).to_numpy()
    out[t("churn.col_diff_p_holm")] = ["" if pd.isna(p) else fmt.p_value(p) for p in table["diff_p_holm"]]
    if revenue:
        out[t("churn.col_revenue")] = table["revenue_per_month"].round(0).to_numpy()
        out[t("churn.col_ltv")] = table["ltv"].round(0).to_numpy()
        out[t("churn.col_ltv_ci")] = [fmt.interval(lo, hi, fmt.money) for lo, hi in
                                      zip(table["ltv_lower"], table["ltv_upper"], strict=True)]
        out[t("churn.col_ltv_discounted")] = table["ltv_discounted"].round(0).to_numpy()
    return out


def curves_table(km: sv.KMResult) -> pd.DataFrame:
    """The Kaplan–Meier curves as a spreadsheet: translated headers, months and percentages as shown."""
    curves = km.curves
    names = {code: group_name(code) for code in curves["group"].unique()}  # once per group, not per row
    return pd.DataFrame({
        t("churn.col_group"): curves["group"].map(names),
        t("churn.col_days"): curves["time_days"].round(0).astype(int),
        t("churn.col_months"): (curves["time_days"] / sv.DAYS_PER_MONTH).round(1),
        t("churn.hover_at_risk"): curves["at_risk"],
        t("churn.col_events_at"): curves["events"],
        t("churn.col_censored_at"): curves["censored"],
        t("churn.col_survival"): (curves["survival"] * 100).round(1),
        t("churn.col_survival_low"): (curves["lower"] * 100).round(1),
        t("churn.col_survival_high"): (curves["upper"] * 100).round(1),
    })


def at_risk_table(km: sv.KMResult) -> pd.DataFrame:
    """The numbers at risk under the curves as a spreadsheet: translated groups and headers."""
    table = km.at_risk_table
    names = {code: group_name(code) for code in table["group"].unique()}
    return table.assign(group=table["group"].map(names)).rename(columns={
        column: t(key) for column, key in (("group", "churn.col_group"), ("months", "churn.hover_month"),
                                           ("at_risk", "churn.hover_at_risk"), ("events", "churn.events_so_far"),
                                           ("censored", "churn.censored_so_far"))})


def has_revenue(result: sv.SurvivalAnalysis) -> bool:
    """Whether the lifetime table can show what customers are worth (revenue known for some)."""
    return "no_revenue" not in result.rmst.notes and bool(result.rmst.table["revenue_per_month"].notna().any())


def rmst_parts(result: sv.RMSTResult, revenue: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The lifetime table (the download), its months part and its money part (``None`` without revenue).

    Two tables that fit the page: months stayed, then what they are worth.
    """
    view = rmst_table(result, revenue)
    money_start = view.columns.get_loc(t("churn.col_revenue")) if revenue else len(view.columns)
    return view, view.iloc[:, :money_start], view.iloc[:, money_start:] if revenue else None


def km_names(km: sv.KMResult) -> tuple[dict[str, str], dict[str, str]]:
    """The legend names of the groups (with their n) and the plain group names, for the charts."""
    return chart_labels.group_names(current_lang(), km.summary["n"]), {g: group_name(g) for g in km.groups}


def cox_terms(fit: sv.CoxResult) -> tuple[dict[str, str], pd.DataFrame]:
    """The Cox terms in words and the hazard-ratio table as shown and downloaded."""
    names = {row["term"]: term_name(row) for _, row in fit.table.iterrows()}
    return names, pd.DataFrame({
        t("churn.col_term"): list(names.values()), t("churn.col_hr"): fit.table["hr"].round(3),
        t("churn.col_hr_ci"): [fmt.interval(lo, hi, lambda v: fmt.number(v, 2))
                               for lo, hi in zip(fit.table["hr_lower"], fit.table["hr_upper"], strict=True)],
        t("churn.col_p"): fit.table["p"].map(fmt.p_value)})


def segment_choices(customers: pd.DataFrame) -> list[str]:
    """The columns the curves can be split by (the page's segment menu)."""
    return stats.segment_columns(customers, exclude=sv.NOT_SEGMENTS)


def fit_cox(customers: pd.DataFrame, as_of_date: object, covariates: tuple[str, ...]) -> sv.CoxResult:
    """The Cox model of the chosen covariates, for ``cached()``.

    Defined here, not in the page: a function defined in a page script is a new object on every
    run, and ``cached`` (a ``functools.cache``) kept each one alive with the page's globals, i.e.
    the session's customers frame, after the session had ended.
    """
    return sv.cox(sv.durations(customers, as_of_date), covariates)

