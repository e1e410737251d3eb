"""Expectation vs satisfaction: where customers are delighted or disappointed, and whether it drives churn."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from cs_models import gaps
from cs_models.charts.gaps import (
    churn_curves,
    dumbbell,
    gap_bars,
    importance_performance_map,
    segment_dots,
    share_bars,
)
from cs_models.errors import CSLensError
from cs_models.survival import DAYS_PER_MONTH
from ui.caching import cache_data
from ui.components import (
    download_table,
    error_message,
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

NONE = "__none__"
#: Readings name at most this many delighting and disappointing items each.
MAX_READINGS = 3
#: Shares close to these fractions are put in words ("about half").
SHARE_WORDS = ((0.25, "quarter"), (1 / 3, "third"), (0.5, "half"), (2 / 3, "two_thirds"), (0.75, "three_quarters"))
SHARE_TOLERANCE = 0.03
CHART_KEYS = (
    "score_title", "expectation", "satisfaction_above", "satisfaction_below", "hover_dumbbell", "gap_title",
    "verdict_delights", "verdict_disappoints", "verdict_no_clear_gap", "hover_gap", "share_title",
    "delighted", "met", "disappointed", "hover_share", "performance_title", "importance_title",
    "quadrant_concentrate_here", "quadrant_keep_up", "quadrant_low_priority", "quadrant_possible_overkill",
    "hover_ipa", "hover_segment", "months_title", "survival_title", "group_negative_gap",
    "group_non_negative_gap", "hover_km",
)


# --------------------------------------------------------------------------- model calls
@cache_data(show_spinner=False, max_entries=16)
def _analysis(
    frame: pd.DataFrame, layout: str, scale: str, zero_method: str
) -> tuple[gaps.GapAnswers, gaps.GapAnalysis, gaps.ImportancePerformance]:
    answers = gaps.read_gaps(frame, layout=layout, scale=scale)
    return answers, gaps.analyse_gaps(answers, zero_method=zero_method), gaps.importance_performance(answers)


@cache_data(show_spinner=False, max_entries=16)
def _segments(frame: pd.DataFrame, layout: str, scale: str, segment: str) -> gaps.SegmentComparison:
    return gaps.compare_segments(gaps.read_gaps(frame, layout=layout, scale=scale), segment)


@cache_data(show_spinner=False, max_entries=16)
def _churn(
    frame: pd.DataFrame, customers: pd.DataFrame, layout: str, scale: str, as_of_date: object
) -> gaps.GapChurn:
    return gaps.gap_churn(gaps.read_gaps(frame, layout=layout, scale=scale), customers, as_of=as_of_date)


# --------------------------------------------------------------------------- formatting
def signed(value: float) -> str:
    """``+0.39`` / ``−0.49`` with a typographic minus."""
    return f"{value:+.2f}".replace("-", "−")


def number(value: float) -> str:
    """``0.39`` / ``−0.49`` with a typographic minus."""
    return f"{value:.2f}".replace("-", "−")


def pvalue(value: float) -> str:
    if not math.isfinite(value):
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def share_text(share: float) -> str:
    """A share in words when it is close to a simple fraction ("about half"), else a percentage."""
    for fraction, word in SHARE_WORDS:
        if abs(share - fraction) <= SHARE_TOLERANCE:
            return t(f"gaps.share_{word}")
    return t("gaps.share_pct", pct=f"{share * 100:.0f}%")


def months_text(days: float) -> str:
    if not math.isfinite(days):
        return t("gaps.not_reached")
    return t("gaps.months", value=days / DAYS_PER_MONTH)


def listing(names: list[str]) -> str:
    """Names joined the way the language lists things ("A, B" / "A、B")."""
    return t("gaps.list_separator").join(names)


def chart_labels() -> dict[str, str]:
    return {key: t(f"gaps.{key}") for key in CHART_KEYS}


# --------------------------------------------------------------------------- readings
def explain_items(analysis: gaps.GapAnalysis) -> None:
    """One reading per clearly disappointing / delighting item (largest first) and one for the rest."""
    table = analysis.items
    disappointing = table[table["verdict"] == "disappoints"].sort_values("mean_gap")
    delighting = table[table["verdict"] == "delights"].sort_values("mean_gap", ascending=False)
    for verdict, part, share_column in (
        ("disappoints", disappointing, "disappointed_share"),
        ("delights", delighting, "delighted_share"),
    ):
        for item, row in part.head(MAX_READINGS).iterrows():
            reading(
                f"gaps.reading_{verdict}",
                item=item,
                gap=f"{abs(row['mean_gap']):.2f}",
                low=number(row["ci_low"]),
                high=number(row["ci_high"]),
                share=share_text(row[share_column]),
            )
    unclear = [str(i) for i in table.index[table["verdict"] == "no_clear_gap"]]
    if len(unclear) == len(table):
        reading("gaps.reading_none")
    elif unclear:
        st.caption(t("gaps.reading_no_clear", items=md_escape(listing(unclear))))


def explain_notes(analysis: gaps.GapAnalysis) -> None:
    for note in analysis.notes:
        code, _, item = note.partition(":")
        key = {"gaps_small_n": "gaps.note_small_n", "gaps_no_variation": "gaps.note_no_variation"}[code]
        n = int(analysis.items.loc[item, "n"])
        st.caption(t(key, item=md_escape(item), n=n))


def items_download(analysis: gaps.GapAnalysis) -> pd.DataFrame:
    """The per-item table with translated headers and verdicts."""
    columns = [
        "n", "mean_expectation", "mean_satisfaction", "mean_gap", "ci_low", "ci_high", "t_p", "t_p_holm",
        "wilcoxon_p", "wilcoxon_p_holm", "n_zero", "cohen_dz", "rank_biserial", "delighted_share", "met_share",
        "disappointed_share", "verdict",
    ]
    frame = analysis.items[columns].copy()
    frame["verdict"] = frame["verdict"].map(lambda v: t(f"gaps.verdict_{v}"))
    frame = frame.rename(columns={c: t(f"gaps.col_{c}") for c in columns})
    frame.index.name = t("gaps.col_item")
    return frame


def items_display(analysis: gaps.GapAnalysis) -> pd.DataFrame:
    """The per-item table as people read it: 2 decimals, p-values, percentages."""
    frame = analysis.items
    out = pd.DataFrame(index=frame.index)
    out["n"] = frame["n"].map(lambda v: f"{int(v):,}")
    for column in ("mean_expectation", "mean_satisfaction"):
        out[column] = frame[column].map(number)
    for column in ("mean_gap", "ci_low", "ci_high", "cohen_dz", "rank_biserial"):
        out[column] = frame[column].map(lambda v: "—" if pd.isna(v) else signed(v))
    for column in ("t_p_holm", "wilcoxon_p_holm"):
        out[column] = frame[column].map(pvalue)
    out["n_zero"] = frame["n_zero"].map(lambda v: f"{int(v):,}")
    for column in ("delighted_share", "met_share", "disappointed_share"):
        out[column] = frame[column].map(lambda v: f"{v * 100:.0f}%")
    out["verdict"] = frame["verdict"].map(lambda v: t(f"gaps.verdict_{v}"))
    order = [
        "n", "mean_expectation", "mean_satisfaction", "mean_gap", "ci_low", "ci_high", "verdict", "t_p_holm",
        "wilcoxon_p_holm", "delighted_share", "met_share", "disappointed_share", "cohen_dz", "rank_biserial",
        "n_zero",
    ]
    out = out[order].rename(columns={c: t(f"gaps.col_{c}") for c in order})
    out.index.name = t("gaps.col_item")
    return out


def show_segments(
    frame: pd.DataFrame, layout: str, scale: str, analysis: gaps.GapAnalysis, segments: tuple[str, ...],
    labels: dict[str, str],
) -> None:
    st.subheader(t("gaps.segments_heading"))
    options = [NONE, *segments]
    segment = url_widget(
        st.selectbox, t("gaps.segment_label"), options, key="gaps_segment", default=segments[0],
        format_func=lambda code: t("gaps.segment_none") if code == NONE else code,
    )
    if segment == NONE:
        return
    result = _segments(frame, layout, scale, segment)
    if "gaps_segment_one_group" in result.notes:
        st.info(t("gaps.note_segment_one_group", segment=md_escape(segment)))
        return
    table = result.table
    order = [str(i) for i in analysis.items.sort_values("mean_gap").index]
    show_chart(segment_dots(result, labels, order), key="gaps_segments")
    pivot = table.pivot(index="item", columns="segment_value", values="mean_gap")
    counts = table.pivot(index="item", columns="segment_value", values="n")
    shown = pivot.map(lambda v: "" if pd.isna(v) else signed(v))
    shown = shown + counts.map(lambda n: f" ({int(n)})")
    shown = shown.loc[[i for i in result.tests.index if i in shown.index]]
    shown[t("gaps.col_kruskal_p_holm")] = result.tests["kruskal_p_holm"].map(pvalue)
    shown.index.name = t("gaps.col_item")
    shown.columns.name = None
    st.dataframe(shown, width="stretch")
    st.caption(t("gaps.segments_caption"))
    for note in result.notes:
        st.caption(t("gaps.note_segment_small", value=md_escape(note.partition(":")[2])))
    headers = ("item", "segment_value", "n", "mean_gap", "ci_low", "ci_high", "disappointed_share")
    download_table(table.rename(columns={c: t(f"gaps.col_{c}") for c in headers}), "gaps_segments", index=False)
    tests = result.tests.dropna(subset=["kruskal_p_holm"])
    clear = tests[tests["kruskal_p_holm"] < 0.05]
    if clear.empty:
        reading("gaps.reading_segments_none", segment=segment)
        return
    item = clear["kruskal_p_holm"].idxmin()
    of_item = table[(table["item"] == item) & (table["n"] >= gaps.MIN_PAIRS)].set_index("segment_value")
    best, worst = of_item["mean_gap"].idxmax(), of_item["mean_gap"].idxmin()
    reading(
        "gaps.reading_segments", item=item, segment=segment, best=best, worst=worst,
        best_value=signed(of_item.loc[best, "mean_gap"]), worst_value=signed(of_item.loc[worst, "mean_gap"]),
        p=pvalue(clear.loc[item, "kruskal_p_holm"]),
    )


def show_churn(frame: pd.DataFrame, answers: gaps.GapAnswers, layout: str, scale: str, labels: dict) -> None:
    st.subheader(t("gaps.churn_heading"))
    customers = current_datasets().customers
    if customers is None:
        st.info(t("gaps.churn_no_customers"))
        return
    if answers.answers["customer_id"].isna().all():
        st.info(t("gaps.churn_no_ids"))
        return
    try:
        churn = _churn(frame, customers, layout, scale, as_of())
    except CSLensError as exc:  # too few matches, no churn yet …: an explanation, not a failure
        st.info(error_message(exc), icon=":material/info:")
        return
    summary = churn.km.summary
    columns = st.columns(3)
    if math.isfinite(churn.hazard_ratio):
        columns[0].metric(t("gaps.metric_hr"), f"{churn.hazard_ratio:.2f}", border=True,
                          help=t("gaps.metric_hr_help", low=f"{churn.hr_lower:.2f}", high=f"{churn.hr_upper:.2f}"))
    for column, group in zip(columns[1:], (gaps.NEGATIVE_GAP, gaps.NON_NEGATIVE_GAP), strict=True):
        if group in summary.index:
            column.metric(t(f"gaps.metric_median_{group}"), months_text(summary.loc[group, "median_days"]),
                          border=True, help=t(f"gaps.group_{group}"))
    show_chart(churn_curves(churn, labels), key="gaps_churn")
    st.caption(t("gaps.matched", matched=f"{churn.matched:,}", respondents=f"{churn.respondents:,}"))
    params = {
        "hr": f"{churn.hazard_ratio:.2f}", "low": f"{churn.hr_lower:.2f}", "high": f"{churn.hr_upper:.2f}",
        "p": pvalue(churn.logrank.p),
    }
    if not math.isfinite(churn.hazard_ratio):
        pass
    elif churn.hr_upper < 1:
        n, events = summary["n"], churn.logrank.table
        # the two-group sentence only when the log-rank test agrees: clear, and the negative group churned sooner
        sooner = (gaps.NEGATIVE_GAP in events.index
                  and events.loc[gaps.NEGATIVE_GAP, "observed"] > events.loc[gaps.NEGATIVE_GAP, "expected"])
        reading(
            "gaps.reading_churn_link" if churn.logrank.p < 0.05 and sooner else "gaps.reading_churn_link_cox",
            **params, change=f"{(1 - churn.hazard_ratio) * 100:.0f}%",
            n_neg=f"{int(n.get(gaps.NEGATIVE_GAP, 0)):,}", n_rest=f"{int(n.get(gaps.NON_NEGATIVE_GAP, 0)):,}",
        )
    elif churn.hr_lower > 1:
        reading("gaps.reading_churn_reverse", **params)
    else:
        reading("gaps.reading_churn_none", **params)
    for note in churn.notes:
        if note.startswith("gaps_churn_cox:"):
            st.caption(t("gaps.note_churn_cox", code=md_escape(note.partition(":")[2])))
    st.caption(t("gaps.churn_caption", date=as_of().isoformat()))


# --------------------------------------------------------------------------- page
page_header("gaps")
frame = require_dataset("gaps")

settings = st.expander(t("gaps.settings"), icon=":material/tune:")
left, middle, right = settings.columns(3)
with left:
    layout = url_widget(
        st.selectbox, t("gaps.layout_label"), gaps.LAYOUTS, key="gaps_layout", default="auto",
        format_func=lambda code: t(f"gaps.layout_{code}"), help=t("gaps.layout_help"),
    )
with middle:
    scale = url_widget(
        st.selectbox, t("gaps.scale_label"), ("auto", *gaps.SCALES), key="gaps_scale", default="auto",
        format_func=lambda code: t(f"gaps.scale_{code.replace('-', '_')}"), help=t("gaps.scale_help"),
    )
with right:
    zero_method = url_widget(
        st.selectbox, t("gaps.zero_label"), gaps.ZERO_METHODS, key="gaps_zero", default="wilcox",
        format_func=lambda code: t(f"gaps.zero_{code}"), help=t("gaps.zero_help"),
    )

try:
    answers, analysis, ipa = _analysis(frame, layout, scale, zero_method)
except CSLensError as exc:
    show_error(exc)
    st.stop()

scale_name = t(f"gaps.scale_{answers.scale.replace('-', '_')}")
st.caption(
    t(
        "gaps.detected", items=len(answers.items), respondents=f"{answers.answers['respondent_id'].nunique():,}",
        scale=scale_name, layout=md_escape(t(f"gaps.layout_{answers.layout.layout}")),
    )
)
if len(answers.invalid):
    first = answers.invalid.iloc[0]
    st.warning(
        t(
            "gaps.invalid_warning", n=f"{len(answers.invalid):,}", scale=scale_name, row=int(first["row"]),
            column=md_escape(first["column"]), value=md_escape(first["value"]),
        ),
        icon=":material/warning:",
    )
    with st.expander(t("gaps.invalid_heading")):
        invalid = answers.invalid.rename(
            columns={c: t(f"gaps.invalid_{c}") for c in ("row", "column", "value")}
        )
        st.dataframe(invalid, hide_index=True, width="stretch")
        download_table(invalid, "gaps_invalid_answers", index=False)

labels = chart_labels()
st.subheader(t("gaps.overview_heading"))
show_chart(dumbbell(analysis, labels, scale=answers.scale), key="gaps_dumbbell")
explain_items(analysis)
explain_notes(analysis)

st.subheader(t("gaps.gaps_heading"))
show_chart(gap_bars(analysis, labels), key="gaps_bars")
st.caption(t("gaps.gaps_caption", items=len(answers.items)))

st.subheader(t("gaps.shares_heading"))
show_chart(share_bars(analysis, labels), key="gaps_shares")
st.caption(t("gaps.shares_caption"))

st.subheader(t("gaps.ipa_heading"))
show_chart(importance_performance_map(ipa, labels), key="gaps_ipa")
st.caption(t(f"gaps.ipa_caption_{ipa.importance_source}"))
focus = [str(i) for i in ipa.items.index[ipa.items["quadrant"] == "concentrate_here"]]
if focus:
    reading("gaps.reading_ipa", items=listing(focus))
else:
    reading("gaps.reading_ipa_none")
ipa_table = ipa.items.assign(quadrant=ipa.items["quadrant"].map(lambda q: t(f"gaps.quadrant_{q}")))
ipa_table = ipa_table.rename(columns={c: t(f"gaps.col_{c}") for c in ipa_table.columns})
ipa_table.index.name = t("gaps.col_item")
download_table(ipa_table, "gaps_importance_performance")

if answers.segments:
    show_segments(frame, layout, scale, analysis, answers.segments, labels)

show_churn(frame, answers, layout, scale, labels)

st.subheader(t("gaps.table_heading"))
table = items_download(analysis)
st.dataframe(items_display(analysis), width="stretch")
download_table(table, "gaps_items")
with st.expander(t("gaps.method_heading")):
    st.markdown(t("gaps.method", zero=t(f"gaps.zero_{zero_method}")))
