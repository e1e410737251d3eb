"""Word of mouth: the Bass diffusion model on the monthly first uses of a tool (innovation, imitation, market size)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import adoption
from cs_models.charts import labels
from cs_models.charts.adoption import cumulative_figure, monthly_figure
from cs_models.errors import CSLensError
from ui import format as fmt
from ui.caching import cached, shared
from ui.components import download_table, page_header, require_dataset, show_error, show_findings, show_shared_chart
from ui.i18n import current_lang, t
from ui.state import as_of
from ui.url_state import url_widget

page_header("adoption")
frame = require_dataset("adoption")
left, right = st.columns(2)
with left:
    population = url_widget(st.number_input, t("adoption.population_label"), key="adoption_population", default=0,
                            min_value=0, step=10, help=t("adoption.population_help"))
with right:
    method = url_widget(st.segmented_control, t("adoption.method_label"), list(adoption.METHODS),
                        key="adoption_method", default=adoption.METHODS[0], required=True,
                        help=t("adoption.method_help"), format_func=lambda m: t(f"adoption.method_{m}"))
try:
    result = shared(adoption.fit_adoption)(frame, as_of(), population=float(population) if population else None,
                                           method=method or adoption.METHODS[0])
except CSLensError as exc:
    show_error(exc)
    st.stop()

columns = st.columns(4)
columns[0].metric(t("adoption.metric_users"), fmt.number(result.users), border=True,
                  help=t("adoption.users_help", months=result.months, launch=result.launch.strftime("%Y-%m")))
columns[1].metric(t("adoption.metric_market"), fmt.number(result.m), border=True,
                  help=t("adoption.market_fixed") if result.population is not None
                  else t("adoption.market_help", low=result.m_ci[0], high=result.m_ci[1]))
columns[2].metric(t("adoption.metric_imitation"), fmt.pct(result.imitation_share, 0), border=True,
                  help=t("adoption.imitation_help", low=result.imitation_ci[0], high=result.imitation_ci[1]))
columns[3].metric(t("adoption.metric_peak"), result.peak_month, border=True,
                  help=t("adoption.peak_help", t=result.peak_t, n=result.peak_adoptions))
show_findings(adoption.findings(result))
for note in result.notes:
    st.caption(t(f"adoption.note_{note}"))

lang = current_lang()
show_shared_chart(monthly_figure, result, labels.adoption_labels(lang), key="adoption_monthly",
                  title=t("adoption.monthly_heading"))
st.caption(t("adoption.monthly_caption"))
show_shared_chart(cumulative_figure, result, labels.adoption_labels(lang, cumulative=True), key="adoption_cumulative",
                  title=t("adoption.cumulative_heading"))
st.caption(t("adoption.cumulative_caption"))

st.subheader(t("adoption.coefficients_heading"))
rows = [("p", result.p, result.p_ci, 3), ("q", result.q, result.q_ci, 2), ("m", result.m, result.m_ci, 0)]
st.dataframe(pd.DataFrame({
    t("adoption.col_parameter"): [t(f"adoption.param_{name}") for name, *_ in rows],
    t("adoption.col_estimate"): [fmt.number(value, digits) for _, value, _, digits in rows],
    t("adoption.col_ci"): [fmt.interval(*ci, fmt=lambda v, d=digits: fmt.number(v, d)) for _, _, ci, digits in rows],
    t("adoption.col_meaning"): [t(f"adoption.meaning_{name}") for name, *_ in rows],
}), hide_index=True, width="stretch")
st.caption(t("adoption.rule", ratio=adoption.WORD_OF_MOUTH_RATIO))
st.caption(t(f"adoption.method_caption_{result.method}", draws=result.draws, launch=result.launch.strftime("%Y-%m")))

segments = adoption.adoption_segments(frame)
if segments:
    st.subheader(t("adoption.segments_heading"))
    column = url_widget(st.selectbox, t("adoption.segment_label"), segments, key="adoption_segment",
                        default=segments[0])
    table = cached(adoption.fit_by_segment)(frame, as_of(), column or segments[0])
    st.dataframe(pd.DataFrame({
        t("adoption.col_segment"): table["segment"], t("adoption.col_users"): table["users"],
        t("adoption.col_p"): [fmt.interval(lo, hi, fmt=lambda v: fmt.number(v, 3)) if s == "fitted" else ""
                              for lo, hi, s in zip(table["p_low"], table["p_high"], table["status"], strict=True)],
        t("adoption.col_q"): [fmt.interval(lo, hi, fmt=lambda v: fmt.number(v, 2)) if s == "fitted" else ""
                              for lo, hi, s in zip(table["q_low"], table["q_high"], table["status"], strict=True)],
        t("adoption.col_m"): [fmt.number(m) if s == "fitted" else "" for m, s in zip(table["m"], table["status"],
                                                                                     strict=True)],
        t("adoption.metric_peak"): table["peak_month"].fillna(""),
        t("adoption.col_reading"): [t(f"adoption.reading_{r}") if s == "fitted" else t(f"adoption.status_{s}")
                                    for r, s in zip(table["reading"], table["status"], strict=True)],
    }), hide_index=True, width="stretch")
    st.caption(t("adoption.segments_caption", n=adoption.MIN_SEGMENT_USERS))

st.subheader(t("adoption.downloads_heading"))
curve = result.curve.drop(columns=["t", "cumulative_low", "cumulative_high"])
curve = curve.assign(month=curve["month"].dt.strftime("%Y-%m"))
st.caption(t("adoption.download_curve"))
download_table(curve.rename(columns=lambda c: t(f"adoption.col_{c}")), "adoption_curve")
