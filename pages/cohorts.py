"""Cohorts: logo and revenue retention by the period customers joined in."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import cohorts
from cs_models.charts.cohorts import average_curve, heatmap_view, retention_heatmap
from cs_models.charts.cohorts import segment_curves as segment_figure
from cs_models.charts.labels import cohort_labels
from cs_models.errors import CSLensError
from cs_models.warehouse.spill import cohort_table_for
from ui import components as ui
from ui import format as fmt
from ui.caching import shared
from ui.i18n import current_lang, t
from ui.memo import derived
from ui.state import as_of, current_datasets, events_engine, presentation
from ui.url_state import url_widget

#: How many periods after joining the page shows (daily and weekly tables would be huge otherwise).
MAX_K = {"day": 90, "week": 104, "month": None, "quarter": None}
ALL, NONE = "__all__", "__none__"


def span(period: str, k: int) -> str:
    """"6 months" / "6か月" for period ``k``."""
    return t(f"cohorts.span_{period}_{'one' if k == 1 else 'other'}", k=k)


def explain(table: cohorts.CohortTable, part: str) -> None:
    """The reading under the heatmap (``part="cohort"``) or the average curve (``"average"``)."""
    k = cohorts.reading_period(table)
    example = cohorts.example_cohort(table, k)
    if example is None:
        return ui.reading("cohorts.reading_not_mature")
    kind, row = "logo" if table.metric == "logo" else "revenue", table.average.loc[k]
    value, when = fmt.pct(row["weighted"], 0), span(table.period, k)
    if part == "cohort":
        ui.reading(f"cohorts.reading_cohort_{kind}", cohort=example[0], value=fmt.pct(example[1], 0), span=when,
                average=value)
    else:
        ui.reading(f"cohorts.reading_average_{kind}", value=value, span=when, cohorts=int(row["cohorts"]),
                customers=fmt.number(row["customers"]))


def explain_segments(table: cohorts.CohortTable, names: dict[object, str]) -> None:
    k = cohorts.reading_period(table)
    extremes = cohorts.segment_extremes(table, k)
    if extremes is None:
        return ui.reading("cohorts.reading_one_segment", span=span(table.period, max(k, 1)))
    best, high, worst, low = extremes
    ui.reading("cohorts.reading_segments", span=span(table.period, k), best=names[best], best_value=fmt.pct(high, 0),
            worst=names[worst], worst_value=fmt.pct(low, 0))


def download_frame(table: cohorts.CohortTable) -> pd.DataFrame:
    """The table as a spreadsheet: cohort size then the metric in % per period (blank = immature)."""
    frame = (table.rates * 100).round(1)
    frame.columns = [f"{t(f'cohorts.x_title_{table.period}')} {k}" for k in frame.columns]
    frame.insert(0, t("common.n_label"), table.sizes)
    frame.index.name = t("cohorts.y_title")
    return frame


def choose(label: str, options, key: str, default: str, names, help_key: str | None = None) -> str:
    return url_widget(st.selectbox, t(label), options, key=key, default=default, format_func=names,
                      help=t(help_key) if help_key else None)


ui.page_header("cohorts")
datasets = current_datasets()
if cohorts.default_source(datasets) is None:
    ui.require_dataset("events")

sources = [s for s in cohorts.SOURCES if datasets.get(s) is not None]
left, middle, right = st.columns(3)
with left:
    source = choose("cohorts.source_label", sources, "cohorts_source", sources[0],
                    lambda c: t(f"cohorts.source_{c}"), "cohorts.source_help")
with middle:
    period = choose("cohorts.period_label", cohorts.PERIODS, "cohorts_period", "month",
                    lambda c: t(f"cohorts.period_{c}"))
with right:
    metric = choose("cohorts.metric_label", cohorts.available_metrics(datasets, source), "cohorts_metric", "logo",
                    lambda c: t(f"cohorts.metric_{c}"), "cohorts.metric_help")

slots = iter(st.columns(3))  # the second row: only the controls that apply, left to right
mode, segment, segment_value = "classic", None, None
if source == "events" and metric == "logo":
    with next(slots):
        mode = choose("cohorts.mode_label", cohorts.MODES, "cohorts_mode", "classic",
                      lambda c: t(f"cohorts.mode_{c}"), "cohorts.mode_help")
customers = datasets.customers  # its segments are found once per frame (a scan of every customer)
segment_options = [NONE, *(derived(cohorts.segments, customers) if customers is not None else [])]
if len(segment_options) > 1:
    with next(slots):
        choice = choose("cohorts.segment_label", segment_options, "cohorts_segment", NONE,
                        lambda c: t("cohorts.segment_none") if c == NONE else c)
    segment = None if choice == NONE else choice
if segment is not None:
    value_options = [ALL, *sorted(str(v) for v in datasets.customers[segment].dropna().unique())]
    with next(slots):
        chosen = choose("cohorts.segment_value_label", value_options, "cohorts_segment_value", ALL,
                        lambda c: t("cohorts.segment_value_all") if c == ALL else c)
    segment_value = None if chosen == ALL else chosen

try:
    table = shared(cohort_table_for)(  # one result object: its charts are made once (show_shared_chart)
        datasets.events if source == "events" else None, events_engine()[0], customers=datasets.customers,
        as_of=as_of(),
        source=source, period=period, mode=mode, metric=metric, segment=segment, segment_value=segment_value,
        max_k=MAX_K[period],
    )
except CSLensError as exc:
    ui.show_error(exc)
    st.stop()

labels = cohort_labels(current_lang(), table.period, table.metric)
ui.show_shared_chart(retention_heatmap, table, labels, compact=presentation(), key="cohorts_heatmap",
                     title=t("cohorts.heatmap_heading"))
st.caption(t("cohorts.blank_caption", date=as_of().isoformat()))
shown, cut = heatmap_view(table, compact=presentation())
if cut:
    st.caption(t("cohorts.cut_caption_compact" if presentation() else "cohorts.cut_caption", rows=len(shown),
                 columns=shown.shape[1], periods=", ".join(map(str, shown.columns))))
explain(table, "cohort")
for note in table.notes:
    n = table.unmatched_events if note == "unmatched_events" else table.events_before_start
    st.caption(t(f"cohorts.note_{note}", n=fmt.number(n)))

average_slot = st.container()  # the toggle sits under the chart it changes
show_simple = url_widget(st.toggle, t("cohorts.show_simple"), key="cohorts_simple", default=False)
with average_slot:
    ui.show_shared_chart(average_curve, table, labels, show_simple=show_simple, key="cohorts_average",
                         title=t("cohorts.average_heading"))
explain(table, "average")
ui.show_findings(cohorts.findings(table))

if segment is not None and table.segment_average is not None:
    names = {v: t("cohorts.segment_blank") if pd.isna(v) else str(v) for v in table.segment_average.columns}
    ui.show_shared_chart(segment_figure, table, labels, names, key="cohorts_segments",
                         title=t("cohorts.segments_heading", segment=segment))
    explain_segments(table, names)

st.subheader(t("cohorts.table_heading"))
ui.download_table(download_frame(table), f"cohorts_{table.metric}_{table.period}")
