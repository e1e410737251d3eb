"""Customers at risk: who is likely to leave within the horizon, why, and the revenue at stake."""

from __future__ import annotations

import functools

import streamlit as st

from cs_models import risk
from cs_models.charts import labels
from cs_models.charts.risk import calibration_chart
from cs_models.errors import CSLensError
from ui import format as fmt
from ui import risk_view
from ui.caching import shared
from ui.components import (
    download_table,
    money_column,
    page_header,
    require_dataset,
    show_error,
    show_findings,
    show_shared_chart,
)
from ui.i18n import current_lang, t
from ui.risk_view import as_frame, call_list
from ui.state import as_of
from ui.url_state import url_widget

page_header("risk")
customers = require_dataset("customers")
horizon = url_widget(st.segmented_control, t("risk.horizon_label"), list(risk.HORIZONS), key="risk_horizon",
                     default=90, required=True, format_func=lambda d: t("risk.horizon_option", days=d))
try:
    # shared: one result object (the Overview card's, at 90 days), so its call list is made once
    result = shared(risk.risk_scores)(customers, as_of(), horizon_days=int(horizon or 90))
except CSLensError as exc:
    show_error(exc)
    st.stop()

if "risk_no_events" in result.notes:  # every risk is 0: the finding says why, no list and no "¥0 at risk"
    show_findings(risk.findings(result))
    st.stop()
scores, bt = result.customers, result.backtest
top = result.top_decile()
columns = st.columns(4)
columns[0].metric(t("risk.metric_active"), fmt.number(len(scores)), border=True)
amount = top["revenue_at_risk"].sum()
columns[1].metric(t("risk.metric_revenue"), fmt.money_short(amount), border=True, help=fmt.money(amount))
if bt is not None:
    columns[2].metric(t("risk.metric_auc"), fmt.number(bt.auc, 2), border=True,
                      help=t("risk.auc_help", low=bt.auc_low, high=bt.auc_high, n=bt.customers,
                             as_of=bt.as_of.isoformat()))
    columns[3].metric(t("risk.metric_lift"), fmt.number(bt.top_decile_lift, 1), border=True,
                      help=t("risk.lift_help"))
show_findings(risk.findings(result))

st.subheader(t("risk.list_heading"))
ranked = bt is None or bt.informative  # without a backtest the list is shown, with the finding's caution
if not ranked:
    st.warning(t("risk.not_ranked"), icon=":material/warning:")
else:
    st.caption(t("risk.list_caption"))
    view = call_list(result)
    if len(view) > risk_view.SHOWN_ROWS:
        st.caption(t("risk.list_truncated", shown=fmt.number(risk_view.SHOWN_ROWS), n=fmt.number(len(view))))
    st.dataframe(risk_view.shown(view), hide_index=True, width="stretch", column_config={
        t("risk.col_customer"): st.column_config.TextColumn(width="small"),
        t("risk.col_risk"): st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100, width="small"),
        t("risk.col_mrr"): money_column(), t("risk.col_revenue_at_risk"): money_column()})
    st.caption(t("risk.download_caption"))
    download_table(functools.partial(as_frame, view), f"risk_call_list_{horizon}d")

if bt is not None:
    st.subheader(t("risk.backtest_heading"))
    st.caption(t("risk.backtest_caption", as_of=bt.as_of.isoformat(), days=horizon, n=bt.customers, events=bt.events,
                 brier=bt.brier))
    show_shared_chart(calibration_chart, bt, labels.calibration_labels(current_lang()), key="risk_calibration",
                      title=t("risk.calibration_title"))
