"""Support: answer rate, first reply and resolution as survival, SLA attainment, CSAT, and churn."""

from __future__ import annotations

import streamlit as st

from cs_models import support
from cs_models.charts import labels
from cs_models.charts.support import solved_curves, volume_bars
from cs_models.errors import CSLensError
from ui import format as fmt
from ui import support_view as view
from ui.caching import shared
from ui.components import page_header, require_dataset, show_error, show_findings, show_shared_chart
from ui.i18n import current_lang, t
from ui.state import as_of
from ui.url_state import url_widget

NONE = "__none__"

page_header("support")
tickets = require_dataset("tickets")
groups = view.groups(tickets)
left, middle, right = st.columns(3)
with left:
    group = url_widget(st.selectbox, t("support.group_label"), [*groups, NONE], key="support_group",
                       default=groups[0] if groups else NONE,
                       format_func=lambda c: t("support.group_none") if c == NONE else t(f"support.split_{c}"))
with middle:
    period = url_widget(st.segmented_control, t("support.period_label"), list(support.PERIODS), key="support_period",
                        default=view.PERIOD, required=True, format_func=lambda p: t(f"support.period_{p}"))
with right:
    splits = view.splits(tickets)
    split = url_widget(st.segmented_control, t("support.split_label"), splits, key="support_split",
                       default=splits[0], required=True, format_func=lambda c: t(f"support.split_{c}"))
with st.expander(t("support.sla_heading")):
    st.caption(t("support.sla_intro") if "priority" in groups else t("support.sla_none"))
    targets = view.sla_targets(tickets)
try:
    result = shared(support.analyse_support)(tickets, as_of(), sla_hours=targets, period=period or view.PERIOD,
                                             volume_by=split or "priority")
except CSLensError as exc:
    show_error(exc)
    st.stop()

median, low, high = result.median_hours()
columns = st.columns(4)
columns[0].metric(t("support.metric_tickets"), fmt.number(result.tickets), border=True)
columns[1].metric(t("support.metric_open"), fmt.number(result.open), border=True)
if result.answer is not None:
    a = result.answer
    columns[2].metric(t("support.metric_answer"), fmt.pct(a.share), border=True,
                      help=t("support.answer_help", low=a.ci_low, high=a.ci_high, n=a.n))
columns[3].metric(t("support.metric_median"), t("support.not_reached") if median == float("inf")
                  else t("support.hours_value", hours=median), border=True,
                  help=t("support.median_help", low=low, high=high))
reply = support.reply_hours(result)
if reply is not None:
    st.caption(t("support.first_reply", median=reply[0], p90=reply[1]))
show_findings(support.findings(result))

lang = current_lang()
volume = result.volume
show_shared_chart(volume_bars, volume, labels.support_volume_labels(lang),
                  {c: view.group_name(c) for c in volume.columns}, key="support_volume",
                  title=t("support.volume_heading"))
if result.per_customer is not None:
    st.caption(t("support.per_customer", **result.per_customer))

km = result.by_group.get(group, result.resolution)
names = {g: t("support.group_with_n", name=view.group_name(g), n=fmt.number(n)) for g, n in km.summary["n"].items()}
show_shared_chart(solved_curves, km, labels.support_solve_labels(lang), names,
                  targets=targets if group == "priority" else None, key="support_solved",
                  title=t("support.solve_heading"))
st.caption(t("support.solve_caption"))
if group in result.logrank:
    st.caption(t("support.logrank", p=result.logrank[group].p))
st.subheader(t("support.within_heading"))
within = view.within_table(result, group)
st.dataframe(within, width="stretch")
view.show_sla(result)

st.subheader(t("support.csat_heading"))
if result.csat is None:
    st.caption(t("support.csat_none"))
else:
    c = result.csat
    st.metric(t("support.csat_heading"), fmt.pct(c.share), border=True,
              help=t("support.csat_help", low=c.ci_low, high=c.ci_high, n=c.n))

view.show_churn(tickets)
view.downloads(result, within)
