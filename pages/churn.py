"""Churn and lifetime: Kaplan–Meier curves, log-rank, RMST/LTV, monthly churn and Cox."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cs_models import survival as sv
from cs_models.charts.survival import MIN_AT_RISK, churn_rate_figure, hazard_ratio_figure, km_figure
from cs_models.errors import CSLensError
from ui.caching import cache_data
from ui.components import (
    download_table,
    error_message,
    md_escape,
    page_header,
    reading,
    require_dataset,
    show_chart,
)
from ui.i18n import t
from ui.state import as_of
from ui.url_state import url_widget

NONE = "__none__"
HORIZONS = (12, 24, 36)
ANNUAL_DISCOUNT = 0.10


@cache_data(show_spinner=False, max_entries=16)
def _analysis(customers: pd.DataFrame, as_of_date: object, segment: str | None, horizon: int) -> sv.SurvivalAnalysis:
    return sv.analyse(customers, as_of_date, segment, horizon_months=horizon, annual_discount=ANNUAL_DISCOUNT)


@cache_data(show_spinner=False, max_entries=16)
def _cox(customers: pd.DataFrame, as_of_date: object, covariates: tuple[str, ...]) -> sv.CoxResult:
    return sv.cox(sv.durations(customers, as_of_date), covariates)


# ------------------------------------------------------------------------------ formatting
def months(days: float) -> str:
    return f"{days / sv.DAYS_PER_MONTH:.1f}"


def pct(value: float) -> str:
    return "–" if not np.isfinite(value) else f"{value * 100:.0f}%"


def p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def p_value(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def group_name(code: str) -> str:
    special = {sv.ALL: "churn.group_all", sv.OTHER: "churn.group_other", sv.MISSING: "churn.group_missing"}
    return t(special[code]) if code in special else str(code)


def names_with_n(km: sv.KMResult) -> dict[str, str]:
    return {
        g: t("churn.group_with_n", name=group_name(g), n=f"{int(km.summary.loc[g, 'n']):,}") for g in km.groups
    }


def term_name(row: pd.Series) -> str:
    if row["level"]:
        return t("churn.term_level", column=row["column"], level=group_name(row["level"]),
                 reference=group_name(row["reference"]))
    return t("churn.term_numeric", column=row["column"])


def share_at_12(result: sv.KMResult, group: str = sv.ALL) -> float:
    at = result.at_times
    row = at[(at["group"] == group) & (at["months"] == 12)]
    return float(row["survival"].iloc[0]) if len(row) else np.nan


# ------------------------------------------------------------------------------ sections
def show_metrics(overall: sv.KMResult) -> None:
    row = overall.summary.loc[sv.ALL]
    left, middle, right = st.columns(3)
    left.metric(t("churn.metric_customers"), f"{int(row['n']):,}", border=True)
    middle.metric(
        t("churn.metric_churned"),
        t("churn.metric_churned_value", n=f"{int(row['events']):,}", share=pct(row["events"] / row["n"])),
        border=True,
    )
    if np.isfinite(row["median_days"]):
        right.metric(t("churn.metric_median"), t("churn.months_value", months=months(row["median_days"])),
                     border=True)
    else:
        right.metric(t("churn.metric_median"), t("churn.not_reached"), help=t("churn.not_reached_help"),
                     border=True)


def explain(result: sv.SurvivalAnalysis, horizon: int) -> None:
    overall = result.overall.summary.loc[sv.ALL]
    share12 = pct(share_at_12(result.overall))
    if result.logrank is None or len(result.km.groups) < 2:
        if np.isfinite(overall["median_days"]):
            lower = months(overall["median_lower"])
            upper = months(overall["median_upper"]) if np.isfinite(overall["median_upper"]) else "–"
            reading("churn.reading_overall", median=months(overall["median_days"]), lower=lower, upper=upper,
                    share12=share12)
        else:
            reading("churn.reading_overall_not_reached", share12=share12)
        return
    table = result.rmst.table[result.rmst.table["n"] >= sv.MIN_CUSTOMERS]
    if len(table) < 2:
        return
    best, worst = table["rmst_days"].idxmax(), table["rmst_days"].idxmin()
    params = {
        "best": group_name(best), "worst": group_name(worst), "horizon": horizon,
        "ratio": f"{table.loc[best, 'rmst_days'] / table.loc[worst, 'rmst_days']:.1f}",
        "best_rmst": months(table.loc[best, "rmst_days"]), "worst_rmst": months(table.loc[worst, "rmst_days"]),
    }
    worst_median = result.km.summary.loc[worst, "median_days"]
    if np.isfinite(worst_median):
        reading("churn.reading_groups", median=months(worst_median), **params)
    else:
        reading("churn.reading_groups_not_reached", **params)


def show_logrank(result: sv.LogRankResult) -> None:
    if result.notes:
        st.caption(t(f"churn.logrank_{result.notes[0]}"))
        return
    key = "churn.logrank_clear" if result.p < 0.05 else "churn.logrank_unclear"
    st.markdown(t(key, p=p_text(result.p) if result.p < 0.05 else f"{result.p:.3f}"))
    if not result.pairwise.empty:
        with st.expander(t("churn.pairwise_heading")):
            frame = pd.DataFrame(
                {
                    t("churn.col_group_a"): result.pairwise["group_a"].map(group_name),
                    t("churn.col_group_b"): result.pairwise["group_b"].map(group_name),
                    t("churn.col_chi2"): result.pairwise["chi2"].round(2),
                    t("churn.col_p"): result.pairwise["p"].map(p_value),
                    t("churn.col_p_holm"): result.pairwise["p_holm"].map(p_value),
                }
            )
            st.dataframe(frame, hide_index=True, width="stretch")


def survival_at_table(km: sv.KMResult) -> pd.DataFrame:
    def cell(row: pd.Series) -> str:
        if not np.isfinite(row["survival"]):
            return ""
        return f"{row['survival'] * 100:.0f}% ({row['lower'] * 100:.0f}–{row['upper'] * 100:.0f})"

    at = km.at_times.assign(cell=lambda f: f.apply(cell, axis=1))
    wide = at.pivot(index="group", columns="months", values="cell").reindex(list(km.groups))
    wide.columns = [t("churn.col_at_month", months=int(m)) for m in wide.columns]
    wide.index = [group_name(g) for g in wide.index]
    wide.index.name = t("churn.col_group")
    return wide


def has_revenue(result: sv.RMSTResult) -> bool:
    """A revenue column with at least one amount (an all-blank column gives no LTV)."""
    return "no_revenue" not in result.notes and bool(result.table["revenue_per_month"].notna().any())


def rmst_table(result: sv.RMSTResult) -> pd.DataFrame:
    table = result.table
    per_month = sv.DAYS_PER_MONTH
    out = pd.DataFrame(index=[group_name(g) for g in table.index])
    out.index.name = t("churn.col_group")
    out[t("churn.col_n")] = table["n"].to_numpy()
    out[t("churn.col_rmst")] = (table["rmst_days"] / per_month).round(1).to_numpy()
    out[t("churn.col_rmst_ci")] = [
        f"{lo / per_month:.1f}–{hi / per_month:.1f}"
        for lo, hi in zip(table["rmst_lower"], table["rmst_upper"], strict=True)
    ]
    out[t("churn.col_diff", reference=group_name(result.reference))] = (
        (table["diff_days"] / per_month).round(1).to_numpy()
    )
    out[t("churn.col_diff_p_holm")] = [("" if not np.isfinite(p) else p_value(p)) for p in table["diff_p_holm"]]
    if has_revenue(result):
        out[t("churn.col_revenue")] = table["revenue_per_month"].round(0).to_numpy()
        out[t("churn.col_ltv")] = table["ltv"].round(0).to_numpy()
        out[t("churn.col_ltv_ci")] = [
            f"{lo:,.0f}–{hi:,.0f}" if np.isfinite(lo) and np.isfinite(hi) else "–"
            for lo, hi in zip(table["ltv_lower"], table["ltv_upper"], strict=True)
        ]
        out[t("churn.col_ltv_discounted")] = table["ltv_discounted"].round(0).to_numpy()
    return out


def cox_table(fit: sv.CoxResult) -> pd.DataFrame:
    table = fit.table
    return pd.DataFrame(
        {
            t("churn.col_term"): [term_name(row) for _, row in table.iterrows()],
            t("churn.col_hr"): table["hr"].round(3),
            t("churn.col_hr_ci"): [
                f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(table["hr_lower"], table["hr_upper"], strict=True)
            ],
            t("churn.col_p"): table["p"].map(p_value),
        }
    )


def show_cox(customers: pd.DataFrame, covariates: list[str]) -> pd.DataFrame | None:
    st.subheader(t("churn.cox_heading"))
    st.caption(t("churn.cox_intro"))
    if not covariates:
        st.info(t("churn.cox_none"))
        return None
    try:
        with st.spinner(t("churn.cox_progress"), show_time=True):
            fit = _cox(customers, as_of(), tuple(covariates))
    except CSLensError as exc:
        st.info(error_message(exc), icon=":material/info:")
        return None
    names = {row["term"]: term_name(row) for _, row in fit.table.iterrows()}
    labels = {key: t(f"churn.{key}") for key in ("hover_hr", "hover_p", "less", "more")}
    labels["x_title"] = t("churn.forest_x_title")
    show_chart(hazard_ratio_figure(fit, labels, names), key="churn_forest")
    st.caption(
        t(
            "churn.cox_stats", concordance=f"{fit.concordance:.3f}", chi2=f"{fit.lr_chi2:.1f}", df=fit.lr_df,
            p=p_text(fit.lr_p), n=f"{fit.n:,}", events=f"{fit.events:,}",
        )
    )
    if fit.sampled_from:
        st.caption(t("churn.cox_sampled", n=f"{fit.n:,}", total=f"{fit.sampled_from:,}"))
    significant = fit.table[fit.table["p"] < 0.05]
    if len(significant):
        strongest = significant.loc[(np.log(significant["hr"])).abs().idxmax()]
        hr = float(strongest["hr"])
        key = "churn.cox_reading_less" if hr < 1 else "churn.cox_reading_more"
        reading(key, term=names[strongest["term"]], pct=f"{abs(1 - hr) * 100:.0f}", hr=f"{hr:.2f}",
                lower=f"{strongest['hr_lower']:.2f}", upper=f"{strongest['hr_upper']:.2f}")
    if fit.ph_violations:
        columns = t("churn.list_separator").join(md_escape(c) for c in fit.ph_violations)
        st.warning(t("churn.ph_warning", columns=columns), icon=":material/warning:")
    else:
        st.caption(t("churn.ph_ok"))
    for column, reason in fit.dropped:
        st.caption(t("churn.dropped", column=md_escape(column), reason=t(f"churn.reason_{reason}")))
    for note in fit.notes:
        st.caption(t(f"churn.note_{note}"))
    return cox_table(fit)


def curves_table(km: sv.KMResult) -> pd.DataFrame:
    curves = km.curves.copy()
    curves["group"] = curves["group"].map(group_name)
    curves.insert(2, "months", (curves["time_days"] / sv.DAYS_PER_MONTH).round(2))
    return curves


def at_risk_download(km: sv.KMResult) -> pd.DataFrame:
    """The KMunicate table: still followed, churned so far and still active (censored) so far."""
    table = km.at_risk_table.copy()
    table["group"] = table["group"].map(group_name)
    return table.rename(
        columns={
            "group": t("churn.col_group"), "months": t("churn.hover_month"), "at_risk": t("churn.hover_at_risk"),
            "events": t("churn.events_so_far"), "censored": t("churn.censored_so_far"),
        }
    )


# ------------------------------------------------------------------------------ page
page_header("churn")
customers = require_dataset("customers")
segments = sv.segment_columns(customers)
numeric = sv.covariate_columns(customers)
left, middle = st.columns([2, 1])
with left:
    segment_choice = url_widget(
        st.selectbox, t("churn.segment_label"), [NONE, *segments], key="churn_segment",
        default=segments[0] if segments else NONE,
        format_func=lambda code: t("churn.segment_none") if code == NONE else code,
    )
with middle:
    horizon = url_widget(
        st.selectbox, t("churn.horizon_label"), HORIZONS, key="churn_horizon", default=24,
        format_func=lambda m: t("churn.horizon_option", months=m),
    )
segment = None if segment_choice == NONE else segment_choice

try:
    result = _analysis(customers, as_of(), segment, horizon)
except CSLensError as exc:
    st.info(error_message(exc), icon=":material/info:")
    st.stop()

show_metrics(result.overall)
explain(result, horizon)

st.subheader(t("churn.km_heading"))
names = names_with_n(result.km)
km_labels = {
    key: t(f"churn.{key}")
    for key in ("x_title", "y_title", "at_risk_title", "hover_month", "hover_survival", "hover_at_risk",
                "censored", "median", "events_so_far", "censored_so_far")
}
annotation = None
if result.logrank is not None and np.isfinite(result.logrank.p):
    p = result.logrank.p
    annotation = t("churn.p_value_small") if p < 0.001 else t("churn.p_value", p=f"{p:.3f}")
short_names = {g: group_name(g) for g in result.km.groups}
show_chart(km_figure(result.km, km_labels, names, annotation=annotation, row_names=short_names), key="churn_km")
st.caption(t("churn.km_caption"))
if result.logrank is not None:
    show_logrank(result.logrank)
for note in dict.fromkeys(result.km.notes + result.rmst.notes):
    if note != "no_revenue":
        st.caption(t(f"churn.note_{note}"))

st.subheader(t("churn.survival_at_heading"))
survival_at = survival_at_table(result.km)
st.dataframe(survival_at, width="stretch")
st.caption(t("churn.survival_at_caption"))

st.subheader(t("churn.rmst_heading"))
rmst_view = rmst_table(result.rmst)
money = [t("churn.col_revenue"), t("churn.col_ltv"), t("churn.col_ltv_discounted"), t("churn.col_n")]
months_columns = [t("churn.col_rmst"), t("churn.col_diff", reference=group_name(result.rmst.reference))]
formats = {name: st.column_config.NumberColumn(format="localized") for name in money}
formats |= {name: st.column_config.NumberColumn(format="%.1f") for name in months_columns}
st.dataframe(rmst_view, width="stretch", column_config=formats)
if "no_revenue" in result.rmst.notes:
    st.caption(t("churn.ltv_no_revenue"))
elif not has_revenue(result.rmst):
    st.caption(t("churn.ltv_revenue_blank"))
st.caption(t("churn.ltv_assumptions", horizon=horizon, rate=f"{ANNUAL_DISCOUNT * 100:.0f}"))

st.subheader(t("churn.churn_rate_heading"))
rate_labels = {key: t(f"churn.{key}") for key in ("hover_month", "hover_rate", "hover_at_risk", "hover_events")}
rate_labels |= {"x_title": t("churn.churn_x_title"), "y_title": t("churn.churn_y_title")}
show_chart(churn_rate_figure(result.life, rate_labels, names, groups=result.km.groups), key="churn_rate")
st.caption(t("churn.churn_rate_caption", n=MIN_AT_RISK))

covariate_options = [*segments, *numeric]
covariates = url_widget(
    st.multiselect, t("churn.covariates_label"), covariate_options, key="churn_covariates",
    default=list(covariate_options), help=t("churn.covariates_help"),
)
cox_view = show_cox(customers, list(covariates))

st.subheader(t("churn.downloads_heading"))
for label_key, frame, stem in (
    ("churn.download_curves", curves_table(result.km), "churn_curves"),
    ("churn.download_at_risk", at_risk_download(result.km), "churn_at_risk"),
    ("churn.download_rmst", rmst_view, "churn_lifetime_ltv"),
    ("churn.download_cox", cox_view, "churn_hazard_ratios"),
):
    if frame is not None:
        st.caption(t(label_key))
        download_table(frame, stem, index=stem != "churn_hazard_ratios")
