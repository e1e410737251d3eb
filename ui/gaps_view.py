"""Widgets of the expectation vs satisfaction page: tables, captions and the segment / churn sections.

No decisions here: which sentence to say comes from :mod:`cs_models.gaps` findings.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from cs_models import gaps
from cs_models.charts.gaps import churn_curves, segment_dots
from cs_models.charts.labels import gaps_labels
from cs_models.errors import CSLensError
from cs_models.findings import Finding
from ui import format as fmt
from ui.caching import shared
from ui.components import download_table, error_message, md_escape, show_findings, show_shared_chart
from ui.i18n import current_lang, t
from ui.state import as_of, current_datasets
from ui.url_state import url_widget

NONE = "__none__"
#: The page's starting settings, shared with :mod:`ui.prefetch`.
LAYOUT, SCALE, ZERO_METHOD = "auto", "auto", "wilcox"
DOWNLOAD_COLUMNS = (
    "n", "mean_expectation", "mean_satisfaction", "mean_gap", "ci_low", "ci_high", "t_p", "t_p_holm",
    "wilcoxon_p", "wilcoxon_p_holm", "n_zero", "cohen_dz", "rank_biserial", "delighted_share", "met_share",
    "disappointed_share", "verdict",
)
#: The page's two tables of items (one would be wider than the page): means and tests, then shares and effects.
DISPLAY_PARTS = (
    ("n", "mean_expectation", "mean_satisfaction", "mean_gap", "ci", "verdict", "t_p_holm", "wilcoxon_p_holm"),
    ("delighted_share", "met_share", "disappointed_share", "cohen_dz", "rank_biserial", "n_zero"),
)


def signed(value: float) -> str:
    """``+0.39`` / ``−0.49`` with a typographic minus; a dash when missing."""
    return fmt.signed(value).replace("-", "−")


def number(value: float) -> str:
    """``0.39`` / ``−0.49`` with a typographic minus."""
    return fmt.number(value, 2).replace("-", "−")


def chart_labels() -> dict[str, str]:
    """Translated labels of every gaps chart."""
    return gaps_labels(current_lang())


def show_of(found: Sequence[Finding], *codes: str) -> None:
    """The findings whose code (without the section) is one of ``codes``."""
    show_findings([f for f in found if f.code.partition(".")[2] in codes])


def show_answers(answers: gaps.GapAnswers) -> None:
    """What was detected, and the answers set aside because they are not on the scale."""
    scale_name = t(f"gaps.scale_{answers.scale.replace('-', '_')}")
    st.caption(t("gaps.detected", items=len(answers.items), respondents=fmt.number(
        answers.answers["respondent_id"].nunique()), scale=scale_name,
        layout=md_escape(t(f"gaps.layout_{answers.layout.layout}"))))
    if not len(answers.invalid):
        return
    first = answers.invalid.iloc[0]
    st.warning(t("gaps.invalid_warning", n=fmt.number(len(answers.invalid)), scale=scale_name,
                 row=int(first["row"]), column=md_escape(first["column"]), value=md_escape(first["value"])),
               icon=":material/warning:")
    with st.expander(t("gaps.invalid_heading")):
        invalid = answers.invalid.rename(columns={c: t(f"gaps.invalid_{c}") for c in ("row", "column", "value")})
        st.dataframe(invalid, hide_index=True, width="stretch")
        download_table(invalid, "gaps_invalid_answers")


def show_notes(analysis: gaps.GapAnalysis) -> None:
    """Items without a clear gap, and items with too few or identical answers."""
    unclear = [str(i) for i in analysis.items.index[analysis.items["verdict"] == "no_clear_gap"]]
    if unclear and len(unclear) < len(analysis.items):
        st.caption(t("gaps.reading_no_clear", items=md_escape(t("gaps.list_separator").join(unclear))))
    for note in analysis.notes:
        code, _, item = note.partition(":")
        key = {"gaps_small_n": "gaps.note_small_n", "gaps_no_variation": "gaps.note_no_variation"}[code]
        st.caption(t(key, item=md_escape(item), n=int(analysis.items.loc[item, "n"])))


def items_table(analysis: gaps.GapAnalysis, *, display: bool) -> pd.DataFrame:
    """The per-item table, formatted for reading (``display``) or raw for download, translated headers."""
    frame = analysis.items
    if display:
        out = pd.DataFrame(index=frame.index)
        for column in ("n", "n_zero"):
            out[column] = frame[column].map(fmt.number)
        for column in ("mean_expectation", "mean_satisfaction"):
            out[column] = frame[column].map(number)
        for column in ("mean_gap", "cohen_dz", "rank_biserial"):
            out[column] = frame[column].map(signed)
        out["ci"] = [fmt.interval(lo, hi, signed) for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)]
        for column in ("t_p_holm", "wilcoxon_p_holm"):
            out[column] = frame[column].map(fmt.p_value)
        for column in ("delighted_share", "met_share", "disappointed_share"):
            out[column] = frame[column].map(lambda v: fmt.pct(v, 0))
        columns = [c for part in DISPLAY_PARTS for c in part]
        out["verdict"] = frame["verdict"]
    else:
        out, columns = frame[list(DOWNLOAD_COLUMNS)].copy(), list(DOWNLOAD_COLUMNS)
    out["verdict"] = out["verdict"].map(lambda v: t(f"gaps.verdict_{v}"))
    out = out[columns].rename(columns={c: t(f"gaps.col_{c}") for c in columns})
    out.index.name = t("gaps.col_item")
    return out


def show_items(analysis: gaps.GapAnalysis) -> None:
    """The per-item tables as the page shows them (:data:`DISPLAY_PARTS`), then the raw download."""
    table = items_table(analysis, display=True)
    for part in DISPLAY_PARTS:
        st.dataframe(table[[t(f"gaps.col_{c}") for c in part]], width="stretch")
    download_table(items_table(analysis, display=False), "gaps_items")


def show_segments(frame: pd.DataFrame, layout: str, scale: str, analysis: gaps.GapAnalysis,
                  segments: tuple[str, ...], labels: dict[str, str]) -> None:
    """Mean gap per item by the chosen segment column, with the Kruskal–Wallis finding."""
    st.subheader(t("gaps.segments_heading"))
    segment = url_widget(
        st.selectbox, t("gaps.segment_label"), [NONE, *segments], key="gaps_segment", default=segments[0],
        format_func=lambda code: t("gaps.segment_none") if code == NONE else code,
    )
    if segment == NONE:
        return
    result, found = shared(gaps.segments_of_table)(frame, segment, layout=layout, scale=scale)
    if "gaps_segment_one_group" in result.notes:
        st.info(t("gaps.note_segment_one_group", segment=md_escape(segment)))
        return
    table = result.table
    show_shared_chart(segment_dots, result, labels, [str(i) for i in analysis.items.sort_values("mean_gap").index],
                      key="gaps_segments", title=t("gaps.segments_heading"))
    shown = table.pivot(index="item", columns="segment_value", values="mean_gap").map(
        lambda v: "" if pd.isna(v) else signed(v))
    shown = shown + table.pivot(index="item", columns="segment_value", values="n").map(lambda n: f" ({int(n)})")
    shown = shown.loc[[i for i in result.tests.index if i in shown.index]]
    shown[t("gaps.col_kruskal_p_holm")] = result.tests["kruskal_p_holm"].map(fmt.p_value)
    shown.index.name, shown.columns.name = t("gaps.col_item"), None
    st.dataframe(shown, width="stretch")
    st.caption(t("gaps.segments_caption"))
    for note in result.notes:
        st.caption(t("gaps.note_segment_small", value=md_escape(note.partition(":")[2])))
    headers = ("item", "segment_value", "n", "mean_gap", "ci_low", "ci_high", "disappointed_share")
    download_table(table.rename(columns={c: t(f"gaps.col_{c}") for c in headers}), "gaps_segments")
    show_findings(found)


def show_churn(frame: pd.DataFrame, answers: gaps.GapAnswers, layout: str, scale: str,
               labels: dict[str, str]) -> None:
    """Churn of customers below expectation against the rest, and the hazard ratio per point of gap."""
    st.subheader(t("gaps.churn_heading"))
    customers = current_datasets().customers
    if customers is None:
        st.info(t("gaps.churn_no_customers"))
        return
    if answers.answers["customer_id"].isna().all():
        st.info(t("gaps.churn_no_ids"))
        return
    try:
        churn, found = shared(gaps.churn_of_table)(frame, customers, as_of=as_of(), layout=layout, scale=scale)
    except CSLensError as exc:  # too few matches, no churn yet …: an explanation, not a failure
        st.info(error_message(exc), icon=":material/info:")
        return
    summary, columns = churn.km.summary, st.columns(3)
    if pd.notna(churn.hazard_ratio):
        columns[0].metric(t("gaps.metric_hr"), fmt.number(churn.hazard_ratio, 2), border=True,
                          help=t("gaps.metric_hr_help", low=fmt.number(churn.hr_lower, 2),
                                 high=fmt.number(churn.hr_upper, 2)))
    for column, group in zip(columns[1:], (gaps.NEGATIVE_GAP, gaps.NON_NEGATIVE_GAP), strict=True):
        if group in summary.index:
            days = summary.loc[group, "median_days"]
            value = t("gaps.months", value=float(fmt.months(days))) if pd.notna(days) else t("gaps.not_reached")
            column.metric(t(f"gaps.metric_median_{group}"), value, border=True, help=t(f"gaps.group_{group}"))
    show_shared_chart(churn_curves, churn, labels, key="gaps_churn", title=t("gaps.churn_heading"))
    st.caption(t("gaps.matched", matched=fmt.number(churn.matched), respondents=fmt.number(churn.respondents)))
    show_findings(found)
    for note in churn.notes:
        if note.startswith("gaps_churn_cox:"):
            st.caption(t("gaps.note_churn_cox", code=md_escape(note.partition(":")[2])))
    st.caption(t("gaps.churn_caption", date=as_of().isoformat()))
