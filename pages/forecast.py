"""Lifetime value forecast: sBG retention projected beyond the data, DERL and LTV, beside Kaplan–Meier."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from cs_models import forecast as fc
from cs_models import survival as sv
from cs_models.charts import labels
from cs_models.charts.forecast import retention_figure
from cs_models.errors import CSLensError
from ui import forecast_view as view
from ui.caching import shared
from ui.components import (
    download_table,
    error_message,
    page_header,
    require_dataset,
    show_findings,
    show_shared_chart,
)
from ui.filters import segment_choices
from ui.i18n import current_lang, t
from ui.state import as_of
from ui.url_state import url_widget

NONE = "__none__"

page_header("forecast")
customers = require_dataset("customers")
segments = list(segment_choices(customers))  # found once per frame, not on every rerun
left, middle = st.columns([2, 1])
with left:
    segment_choice = url_widget(st.selectbox, t("forecast.segment_label"), [NONE, *segments], key="forecast_segment",
                                default=segments[0] if segments else NONE,
                                format_func=lambda code: t("forecast.segment_none") if code == NONE else code)
with middle:
    period = url_widget(st.segmented_control, t("forecast.period_label"), list(fc.PERIOD_MONTHS),
                        key="forecast_period", default=view.PERIOD, required=True,
                        format_func=lambda p: t(f"forecast.period_{p}"))
left, right = st.columns(2)
with left:
    margin = url_widget(st.slider, t("forecast.margin_label"), key="forecast_margin", default=view.MARGIN_PERCENT,
                        min_value=5, max_value=100, step=5, help=t("forecast.margin_help"))
with right:
    rate = url_widget(st.slider, t("forecast.discount_label"), key="forecast_discount",
                      default=view.DISCOUNT_PERCENT, min_value=1, max_value=30, step=1,
                      help=t("forecast.discount_help"))
segment = None if segment_choice == NONE else segment_choice
try:
    result = shared(fc.forecast)(customers, as_of(), segment, period=period or view.PERIOD, margin=margin / 100,
                                 annual_discount=rate / 100)
except CSLensError as exc:
    st.info(error_message(exc), icon=":material/info:")
    st.stop()

view.show_metrics(result)
show_findings(fc.findings(result))

lang = current_lang()
drawn = [g for g in result.fits if segment is None or g != sv.ALL]
names = {g: view.group_name(g) for g in result.table.index}
# the figure of a shared result is made once (its key: the result, the labels, names and groups drawn)
show_shared_chart(retention_figure, result, labels.forecast_labels(lang, result.period), names, drawn,
                  key="forecast_retention", title=t("forecast.chart_heading"))
st.caption(t("forecast.chart_caption"))
for note in result.notes:
    st.caption(t(f"forecast.note_{note}"))

window = result.observed_periods * result.period_months
tables = view.tables(result)
formats = view.column_formats()
st.subheader(t("forecast.compare_heading"))
st.caption(t("forecast.compare_intro", months=window, rate=rate))
st.dataframe(tables["lifetimes"], width="stretch", column_config=formats)
st.dataframe(tables["values"], width="stretch", column_config=formats)

st.subheader(t("forecast.params_heading"))
st.caption(t("forecast.params_intro"))
st.dataframe(tables["base"], width="stretch", column_config=formats)
st.dataframe(tables["model"], width="stretch", column_config=formats)
st.caption(t("forecast.assumptions", margin=margin, rate=rate))

st.subheader(t("forecast.downloads_heading"))
st.caption(t("forecast.download_summary"))
download_table(functools.partial(pd.concat, list(tables.values()), axis=1), "forecast_by_group")
st.caption(t("forecast.download_customers"))
download_table(functools.partial(view.customers_table, result, lang), "forecast_active_customers")
