"""Customer journey: moves between plan stages, time in each, churn by stage, whether upgrading keeps
customers (time-varying Cox next to the naive comparison) and the LTV by entry stage (Markov chain)."""

from __future__ import annotations

import streamlit as st

from cs_models import journey
from cs_models.charts import labels
from cs_models.charts.journey import ltv_bars, paths_sankey, transition_heatmap, upgrade_comparison
from cs_models.charts.survival import km_figure
from cs_models.errors import CSLensError
from ui import format as fmt
from ui import journey_view as view
from ui.caching import cached, shared
from ui.components import md_escape, page_header, require_dataset, show_error, show_findings, show_shared_chart
from ui.i18n import current_lang, t
from ui.state import as_of, current_datasets
from ui.url_state import url_widget

RATES = (0.0, 0.05, 0.10, 0.15)

page_header("journey")
datasets = current_datasets()
history, stages_from = cached(journey.journey_history)(datasets)
if history is None:
    require_dataset("plan_history")  # explains what to load and stops
customers = require_dataset("customers")
try:
    default = cached(journey.default_order)(history, customers)
except CSLensError as exc:
    show_error(exc)
    st.stop()
left, right = st.columns([3, 1])
with left:
    chosen = url_widget(st.multiselect, t("journey.order_label"), default, key="journey_order", default=default,
                        help=t("journey.order_help"))
with right:
    rate = url_widget(st.segmented_control, t("journey.discount_label"), list(RATES), key="journey_discount",
                      default=journey.DISCOUNT_RATE, required=True,
                      format_func=lambda r: t("journey.discount_value", rate=f"{r * 100:g}"))
st.caption(t(f"journey.stages_from_{stages_from}", file=md_escape(datasets.origins.get(stages_from or "", ""))))
order = journey.complete_order(chosen or [], default)
try:
    result = shared(journey.analyse_journey)(history, customers, as_of(), order=order,  # one object: charts made once
                                             discount_rate=journey.DISCOUNT_RATE if rate is None else rate)
except CSLensError as exc:
    show_error(exc)
    st.stop()

lang = current_lang()
chart_labels = labels.journey_labels(lang)
names = {s: s for s in result.order}
value = view.value_format(result)
first = result.ltv.iloc[0]
effect = result.upgrade
columns = st.columns(4)
columns[0].metric(t("journey.metric_customers"), fmt.number(result.customers), border=True)
if effect is not None:
    columns[1].metric(t("journey.metric_upgraders"), fmt.number(effect.upgraders), border=True,
                      help=t("journey.metric_upgraders_help", n=fmt.number(effect.upgraders),
                             of=fmt.number(effect.customers)))
    columns[2].metric(t("journey.metric_hr"), fmt.number(effect.hr, 2), border=True,
                      help=t("journey.metric_hr_help", low=effect.hr_low, high=effect.hr_high))
ltv_key = "journey.metric_ltv_months" if result.mrr_source == "months" else "journey.metric_ltv"
columns[3].metric(t(ltv_key, stage=result.order[0]), value(first["ltv"]), border=True,
                  help=t("journey.metric_ltv_help", low=value(first["low"]), high=value(first["high"]),
                         rate=f"{result.discount_rate * 100:g}"))
for note in result.notes:
    st.caption(t(f"journey.note_{note}"))
show_findings(journey.findings(result))

if effect is None:
    st.subheader(t("journey.upgrade_heading"))
    st.info(t("journey.upgrade_none"))
else:
    show_shared_chart(upgrade_comparison, effect, chart_labels, key="journey_upgrade",
                      title=t("journey.upgrade_heading"))
    st.caption(t("journey.upgrade_caption"))

show_shared_chart(transition_heatmap, result, chart_labels, names, key="journey_matrix",
                  title=t("journey.matrix_heading"))
st.caption(t("journey.matrix_caption", n=fmt.number(result.counts.to_numpy().sum())))
show_shared_chart(paths_sankey, result, chart_labels, names, key="journey_paths", title=t("journey.sankey_heading"))
st.caption(t("journey.sankey_caption"))

km = result.time_in_stage
km_names = {g: t("churn.group_with_n", name=g, n=fmt.number(n)) for g, n in km.summary["n"].items()}
show_shared_chart(km_figure, km, labels.journey_km_labels(lang), km_names, key="journey_time_in_stage",
                  title=t("journey.km_heading"))
st.caption(t("journey.km_caption"))
st.subheader(t("journey.hazard_heading"))
st.dataframe(view.hazard_table(result), width="stretch")
st.caption(t("journey.hazard_caption"))

show_shared_chart(ltv_bars, result, chart_labels, names, lang, key="journey_ltv", title=t("journey.ltv_heading"))
st.caption(t("journey.ltv_caption", source=t(view.source_key(result, stages_from))))
view.show_tables(result)
