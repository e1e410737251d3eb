"""Cohorts: logo and revenue retention by the period customers joined in."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import cohorts
from cs_models.charts.cohorts import MAX_COLUMNS, MAX_ROWS, average_curve, heatmap_view, retention_heatmap
from cs_models.charts.cohorts import segment_curves as segment_figure
from cs_models.errors import CSLensError
from ui.caching import cache_data
from ui.components import (
    download_table,
    md_escape,
    page_header,
    reading,
    require_dataset,
    show_chart,
    show_error,
)
from ui.i18n import t
from ui.state import as_of, current_datasets
from ui.url_state import url_widget

#: The period ``k`` the readings talk about, by period length (shorter when not reached yet).
READING_HORIZON = {"day": 7, "week": 4, "month": 6, "quarter": 2}
#: How many periods after joining the page shows (daily and weekly tables would be huge otherwise).
MAX_K = {"day": 90, "week": 104, "month": None, "quarter": None}
ALL = "__all__"
NONE = "__none__"


@cache_data(show_spinner=False, max_entries=32)
def _table(
    events: pd.DataFrame | None,
    customers: pd.DataFrame | None,
    as_of_date: object,
    source: str,
    period: str,
    mode: str,
    metric: str,
    segment: str | None,
    segment_value: str | None,
) -> cohorts.CohortTable:
    return cohorts.cohort_table(
        events if source == "events" else None,
        customers=customers,
        as_of=as_of_date,
        source=source,
        period=period,
        mode=mode,
        metric=metric,
        segment=segment,
        segment_value=segment_value,
        max_k=MAX_K[period],
    )


def span(period: str, k: int) -> str:
    """"6 months" / "6か月" for period ``k``."""
    return t(f"cohorts.span_{period}_{'one' if k == 1 else 'other'}", k=k)


def pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def reading_k(table: cohorts.CohortTable) -> int:
    """The period the readings describe: the usual horizon, or the furthest one reached."""
    return min(READING_HORIZON[table.period], table.mature_horizon())


def chart_labels(table: cohorts.CohortTable) -> dict[str, str]:
    keys = ("y_title", "hover_cell", "hover_low_base", "hover_revenue", "hover_immature", "hover_partial",
            "hover_undefined", "hover_average", "hover_segment")
    labels = {key: t(f"cohorts.{key}") for key in keys}
    labels["x_title"] = t(f"cohorts.x_title_{table.period}")
    labels["span_one"] = t(f"cohorts.span_{table.period}_one")
    labels["span_other"] = t(f"cohorts.span_{table.period}_other")
    labels["value_title"] = t(f"cohorts.value_{table.metric}")
    labels["average"] = t("cohorts.average_label")
    labels["simple"] = t("cohorts.simple_label")
    return labels


def explain_heatmap(table: cohorts.CohortTable) -> None:
    k = reading_k(table)
    if k < 1:
        reading("cohorts.reading_not_mature")
        return
    reached = table.rates[k].dropna()
    # the latest cohort with a base large enough to be more than an anecdote (else simply the latest)
    solid = reached[table.sizes.loc[reached.index] >= cohorts.MIN_BASE]
    example = solid if len(solid) else reached
    kind = "logo" if table.metric == "logo" else "revenue"
    reading(
        f"cohorts.reading_cohort_{kind}",
        cohort=example.index[-1],
        value=pct(example.iloc[-1]),
        span=span(table.period, k),
        average=pct(table.average.loc[k, "weighted"]),
    )


def explain_average(table: cohorts.CohortTable) -> None:
    k = reading_k(table)
    if k < 1:
        reading("cohorts.reading_not_mature")
        return
    row = table.average.loc[k]
    kind = "logo" if table.metric == "logo" else "revenue"
    reading(
        f"cohorts.reading_average_{kind}",
        value=pct(row["weighted"]),
        span=span(table.period, k),
        cohorts=int(row["cohorts"]),
        customers=f"{int(row['customers']):,}",
    )


def explain_segments(table: cohorts.CohortTable, names: dict[object, str]) -> None:
    k = reading_k(table)
    curves = table.segment_average
    at_k = curves.loc[k].dropna() if curves is not None and k >= 1 else pd.Series(dtype=float)
    if len(at_k) < 2:
        reading("cohorts.reading_one_segment", span=span(table.period, max(k, 1)))
        return
    best, worst = at_k.idxmax(), at_k.idxmin()
    reading(
        "cohorts.reading_segments",
        span=span(table.period, k),
        best=names[best],
        best_value=pct(at_k[best]),
        worst=names[worst],
        worst_value=pct(at_k[worst]),
    )


def download_frame(table: cohorts.CohortTable) -> pd.DataFrame:
    """The table as a spreadsheet: cohort size then the metric in % per period (blank = immature)."""
    frame = (table.rates * 100).round(1)
    frame.columns = [f"{t(f'cohorts.x_title_{table.period}')} {k}" for k in frame.columns]
    frame.insert(0, t("common.n_label"), table.sizes)
    frame.index.name = t("cohorts.y_title")
    return frame


# ------------------------------------------------------------------------------ page
page_header("cohorts")
datasets = current_datasets()
if cohorts.default_source(datasets) is None:
    require_dataset("events")

sources = [s for s in cohorts.SOURCES if datasets.get(s) is not None]
left, middle, right = st.columns(3)
with left:
    source = url_widget(
        st.selectbox, t("cohorts.source_label"), sources, key="cohorts_source", default=sources[0],
        format_func=lambda code: t(f"cohorts.source_{code}"), help=t("cohorts.source_help"),
    )
with middle:
    period = url_widget(
        st.selectbox, t("cohorts.period_label"), cohorts.PERIODS, key="cohorts_period", default="month",
        format_func=lambda code: t(f"cohorts.period_{code}"),
    )
with right:
    metrics = cohorts.available_metrics(datasets, source)
    metric = url_widget(
        st.selectbox, t("cohorts.metric_label"), metrics, key="cohorts_metric", default="logo",
        format_func=lambda code: t(f"cohorts.metric_{code}"), help=t("cohorts.metric_help"),
    )

slots = iter(st.columns(3))  # the second row: only the controls that apply, left to right
mode = "classic"
if source == "events" and metric == "logo":
    with next(slots):
        mode = url_widget(
            st.selectbox, t("cohorts.mode_label"), cohorts.MODES, key="cohorts_mode", default="classic",
            format_func=lambda code: t(f"cohorts.mode_{code}"), help=t("cohorts.mode_help"),
        )
segment = None
segment_options = [NONE, *cohorts.segment_columns(datasets.customers)]
if len(segment_options) > 1:
    with next(slots):
        segment_choice = url_widget(
            st.selectbox, t("cohorts.segment_label"), segment_options, key="cohorts_segment", default=NONE,
            format_func=lambda code: t("cohorts.segment_none") if code == NONE else code,
        )
    segment = None if segment_choice == NONE else segment_choice
segment_value = None
if segment is not None:
    values = datasets.customers[segment]
    value_options = [ALL, *sorted(str(v) for v in values.dropna().unique())]
    with next(slots):
        chosen = url_widget(
            st.selectbox, t("cohorts.segment_value_label"), value_options, key="cohorts_segment_value",
            default=ALL, format_func=lambda code: t("cohorts.segment_value_all") if code == ALL else code,
        )
    segment_value = None if chosen == ALL else chosen

try:
    table = _table(
        datasets.events, datasets.customers, as_of(), source, period, mode, metric, segment, segment_value
    )
except CSLensError as exc:
    show_error(exc)
    st.stop()

labels = chart_labels(table)
st.subheader(t("cohorts.heatmap_heading"))
show_chart(retention_heatmap(table, labels), key="cohorts_heatmap")
st.caption(t("cohorts.blank_caption", date=as_of().isoformat()))
if heatmap_view(table)[1]:
    st.caption(t("cohorts.cut_caption", rows=MAX_ROWS, columns=MAX_COLUMNS))
explain_heatmap(table)
for note in table.notes:
    n = table.unmatched_events if note == "unmatched_events" else table.events_before_start
    st.caption(t(f"cohorts.note_{note}", n=f"{n:,}"))

st.subheader(t("cohorts.average_heading"))
show_simple = url_widget(st.toggle, t("cohorts.show_simple"), key="cohorts_simple", default=False)
show_chart(average_curve(table, labels, show_simple=show_simple), key="cohorts_average")
explain_average(table)

if segment is not None and table.segment_average is not None:
    st.subheader(t("cohorts.segments_heading", segment=md_escape(segment)))
    names = {
        value: t("cohorts.segment_blank") if pd.isna(value) else str(value)
        for value in table.segment_average.columns
    }
    show_chart(segment_figure(table, labels, names), key="cohorts_segments")
    explain_segments(table, names)

st.subheader(t("cohorts.table_heading"))
download_table(download_frame(table), f"cohorts_{table.metric}_{table.period}")
