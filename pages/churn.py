"""Churn and lifetime: Kaplan–Meier curves, log-rank, RMST/LTV, monthly churn and Cox."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import survival as sv
from cs_models.charts import labels
from cs_models.charts.survival import MIN_AT_RISK, churn_rate_figure, hazard_ratio_figure, km_figure
from cs_models.errors import CSLensError
from ui import format as fmt
from ui.caching import shared
from ui.churn_view import (
    HORIZON,
    HORIZONS,
    at_risk_table,
    cox_terms,
    curves_table,
    fit_cox,
    group_name,
    has_revenue,
    km_names,
    rmst_parts,
    segment_choices,
    show_logrank,
    show_metrics,
    survival_at_table,
)
from ui.components import (
    download_table,
    error_message,
    md_escape,
    money_column,
    page_header,
    require_dataset,
    show_findings,
    show_shared_chart,
)
from ui.i18n import current_lang, t
from ui.memo import derived, leading_findings
from ui.state import as_of
from ui.url_state import url_widget

NONE = "__none__"


def show_cox(customers: pd.DataFrame, covariates: list[str]) -> pd.DataFrame | None:
    st.subheader(t("churn.cox_heading"))
    st.caption(t("churn.cox_intro"))
    if not covariates:
        st.info(t("churn.cox_none"))
        return None
    try:
        with st.spinner(t("churn.cox_progress"), show_time=True):
            fit = shared(fit_cox)(customers, as_of(), tuple(covariates))
    except CSLensError as exc:
        st.info(error_message(exc), icon=":material/info:")
        return None
    names, table = derived(cox_terms, fit)
    show_shared_chart(hazard_ratio_figure, fit, labels.forest_labels(current_lang()), names, key="churn_forest",
                      title=t("churn.forest_title"))
    st.caption(t("churn.cox_stats", concordance=fmt.number(fit.concordance, 3), chi2=fmt.number(fit.lr_chi2, 1),
                 df=fit.lr_df, p=fmt.p_text(fit.lr_p), n=fmt.number(fit.n), events=fmt.number(fit.events)))
    if fit.sampled_from:
        st.caption(t("churn.cox_sampled", n=fmt.number(fit.n), total=fmt.number(fit.sampled_from)))
    show_findings(leading_findings(sv.cox_findings, fit))
    if not fit.ph_violations:
        st.caption(t("churn.ph_ok"))
    for column, reason in fit.dropped:
        st.caption(t("churn.dropped", column=md_escape(column), reason=t(f"churn.reason_{reason}")))
    for note in fit.notes:
        st.caption(t(f"churn.note_{note}"))
    return table


# ------------------------------------------------------------------------------ page
page_header("churn")
customers = require_dataset("customers")
segments = derived(segment_choices, customers)
left, middle = st.columns([2, 1])
with left:
    segment_choice = url_widget(st.selectbox, t("churn.segment_label"), [NONE, *segments], key="churn_segment",
                                default=segments[0] if segments else NONE,
                                format_func=lambda code: t("churn.segment_none") if code == NONE else code)
with middle:
    horizon = url_widget(st.selectbox, t("churn.horizon_label"), HORIZONS, key="churn_horizon", default=HORIZON,
                         format_func=lambda m: t("churn.horizon_option", months=m))
segment = None if segment_choice == NONE else segment_choice
try:
    result = shared(sv.analyse)(customers, as_of(), segment, horizon_months=horizon, annual_discount=sv.ANNUAL_DISCOUNT)
except CSLensError as exc:
    st.info(error_message(exc), icon=":material/info:")
    st.stop()

show_metrics(result.overall)
show_findings(leading_findings(sv.findings, result))
km = result.km
names, row_names = derived(km_names, km)
p = result.logrank.p if result.logrank is not None else float("nan")
annotation = None if pd.isna(p) else t("churn.km_annotation", p=fmt.p_text(p))
show_shared_chart(km_figure, km, labels.km_labels(current_lang()), names, annotation=annotation,
                  row_names=row_names, key="churn_km", title=t("churn.km_heading"))
st.caption(t("churn.km_caption"))
if result.logrank is not None:
    show_logrank(result.logrank)
for note in dict.fromkeys(km.notes + result.rmst.notes):
    if note != "no_revenue":
        st.caption(t(f"churn.note_{note}"))

st.subheader(t("churn.survival_at_heading"))
st.dataframe(derived(survival_at_table, km), width="stretch")
st.caption(t("churn.survival_at_caption"))
st.subheader(t("churn.rmst_heading"))
revenue = derived(has_revenue, result)
rmst_view, months_part, money_part = derived(rmst_parts, result.rmst, revenue)
months_columns = [t("churn.col_rmst"), t("churn.col_diff", reference=group_name(result.rmst.reference))]
formats = {name: st.column_config.NumberColumn(format="%.1f") for name in months_columns}
formats |= {t(f"churn.col_{name}"): money_column() for name in ("revenue", "ltv", "ltv_discounted")}
formats[t("churn.col_n")] = st.column_config.NumberColumn(format="localized")
# two tables that fit the page: months stayed, then what they are worth (the download holds both)
st.dataframe(months_part, width="stretch", column_config=formats)
if money_part is not None:
    st.dataframe(money_part, width="stretch", column_config=formats)
else:
    st.caption(t("churn.ltv_no_revenue" if "no_revenue" in result.rmst.notes else "churn.ltv_revenue_blank"))
st.caption(t("churn.ltv_assumptions", horizon=horizon, rate=fmt.number(sv.ANNUAL_DISCOUNT * 100)))

show_shared_chart(churn_rate_figure, result.life, labels.churn_rate_labels(current_lang()), names,
                  groups=km.groups, key="churn_rate", title=t("churn.churn_rate_heading"))
st.caption(t("churn.churn_rate_caption", n=MIN_AT_RISK))
options = derived(sv.default_covariates, customers)
covariates = url_widget(st.multiselect, t("churn.covariates_label"), options, key="churn_covariates",
                        default=list(options), help=t("churn.covariates_help"))
cox_view = show_cox(customers, list(covariates))

st.subheader(t("churn.downloads_heading"))
curves, at_risk = derived(curves_table, km), derived(at_risk_table, km)
for label_key, frame, stem in (("churn.download_curves", curves, "churn_curves"),
                               ("churn.download_at_risk", at_risk, "churn_at_risk"),
                               ("churn.download_rmst", rmst_view, "churn_lifetime_ltv"),
                               ("churn.download_cox", cox_view, "churn_hazard_ratios")):
    if frame is not None:
        st.caption(t(label_key))
        download_table(frame, stem)
