"""Rendering blocks of the survey page: one question, the funnel and the crosstab.

Every number comes from :mod:`cs_models.survey`; every decision (which differences count,
which segment to start with) from :mod:`cs_models.survey.interpret`. Text goes through
:mod:`ui.format` and the catalogue.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import survey as sv
from cs_models.charts import labels as chart_labels
from cs_models.charts import survey as charts
from cs_models.errors import CSLensError
from ui import format as fmt
from ui.caching import cached, shared
from ui.components import download_table, error_message, reading, show_error, show_shared_chart
from ui.i18n import current_lang, t
from ui.url_state import url_widget

MAX_STEPS = 5
CHOICE_KINDS = ("single", "multi", "likert", "nps")
FUNNEL_PCT = (
    "share",
    "ci_low",
    "ci_high",
    "conditional",
    "cond_low",
    "cond_high",
    "overall",
    "overall_low",
    "overall_high",
)


def ci_text(low: float, high: float) -> str:
    """An interval as ``24.3–33.4%`` (the page's compact form)."""
    return "–" if pd.isna(low) or pd.isna(high) else f"{100 * low:.1f}–{100 * high:.1f}%"


def answers_text(answers: tuple[str, ...] | list[str]) -> str:
    """Answers joined for a sentence."""
    return chart_labels.answers_text(current_lang(), answers)


def base_warning(n: int) -> None:
    """Flag a small base."""
    if sv.small_base(n):
        st.warning(t("survey.small_base", n=n, limit=sv.SMALL_BASE), icon=":material/warning:")


def reset_if_stale(key: str, options: list[str], default: list[str]) -> None:
    """Drop remembered answers that these data do not have; fall back to ``default`` when none is left."""
    value = st.session_state.get(key)
    if isinstance(value, list) and value and not all(v in options for v in value):
        st.session_state[key] = [v for v in value if v in options] or list(default)


def translated(frame: pd.DataFrame, percent: tuple[str, ...] = ()) -> pd.DataFrame:
    """A table for download: ``percent`` columns ×100 and translated headers."""
    return frame.assign(**{c: (100 * frame[c]).round(1) for c in percent if c in frame}).rename(
        columns=lambda c: t(f"survey.col_{c}")
    )


def options_panel() -> tuple[str, float]:
    """The statistics controls (interval method, reference rate) in an expander."""
    with st.expander(t("survey.options")):
        method = url_widget(
            st.segmented_control,
            t("survey.method"),
            sv.CI_METHODS,
            key="survey_ci",
            default="wilson",
            format_func=lambda m: t(f"survey.method_{m}"),
            help=t("survey.method_help"),
        )
        reference = url_widget(
            st.number_input,
            t("survey.reference"),
            key="survey_ref",
            default=0.0,
            min_value=0.0,
            max_value=99.9,
            step=0.1,
            format="%.1f",
            help=t("survey.reference_help"),
        )
    return method or "wilson", float(reference or 0.0)


def question_overview(frame: pd.DataFrame, inferred: tuple[sv.Question, ...]) -> None:
    """Every question with its type and base, in an expander."""
    with st.expander(t("survey.all_questions", n=len(inferred))):
        overview = sv.question_summary(frame, inferred)
        overview = translated(overview.assign(kind=overview["kind"].map(lambda k: t(f"survey.kind_{k}"))))
        st.dataframe(overview, hide_index=True, width="stretch")
        download_table(overview, "survey_questions")


def likert_block(frame: pd.DataFrame, question: sv.Question, method: str) -> sv.Likert:
    """Top-2 / bottom-2 boxes and mean score as metrics, and the diverging bar."""
    summary = shared(sv.likert)(frame, question, method=method)
    c1, c2, c3 = st.columns(3)
    for col, key, box in ((c1, "survey.top2", summary.top2), (c2, "survey.bottom2", summary.bottom2)):
        col.metric(
            t(key),
            fmt.pct(box.share),
            border=True,
            help=t("survey.ci_help", ci=ci_text(box.ci_low, box.ci_high), n=summary.n),
        )
    c3.metric(
        t("survey.mean_score", low=f"{question.points[-1]:g}", high=f"{question.points[0]:g}"),
        fmt.number(summary.mean, 2),
        border=True,
        help=t(
            "survey.mean_help", low=fmt.number(summary.mean_low, 2), high=fmt.number(summary.mean_high, 2), n=summary.n
        ),
    )
    labels = {
        "x_title": t("survey.axis_share_diverging"),
        "y_label": f"n={summary.n:,}",
        "hover": t("survey.hover_count"),
    }
    show_shared_chart(charts.likert_bar, summary, labels, key="survey_likert_chart", title=question.name)
    return summary


def reference_reading(cmp: sv.ReferenceComparison) -> None:
    """The share against the typed reference rate; the verdict comes from :func:`sv.reference_differs`."""
    verdict = "survey.reading_ref_differs" if sv.reference_differs(cmp) else "survey.reading_ref_same"
    extra = {}
    if cmp.test == "score":  # weighted share: score test on the effective base, said so
        verdict += "_weighted"
        extra["n_eff"] = fmt.number(cmp.rate.n_effective, 1)
    reading(
        verdict,
        **extra,
        share=fmt.pct(cmp.rate.share),
        reference=fmt.pct(cmp.reference),
        diff=f"{100 * cmp.difference:+.1f}",
        low=f"{100 * cmp.diff_low:+.1f}",
        high=f"{100 * cmp.diff_high:+.1f}",
        p=fmt.p_value(cmp.p_value),
    )


def focus_block(frame, question, q_index, result, default_answers, method, reference) -> None:
    """The share giving the chosen answers, and its comparison with the reference rate."""
    key = f"survey_ans_{q_index}_{question.kind}"
    reset_if_stale(key, list(question.options), default_answers)
    accepted = url_widget(
        st.multiselect,
        t("survey.answers"),
        list(question.options),
        key=key,
        default=default_answers,
        help=t("survey.answers_help"),
    )
    if not accepted:
        st.caption(t("survey.choose_answers"))
        return
    focus = cached(sv.answer_rate)(frame, question, tuple(accepted), method=method)
    reading(
        "survey.reading_share",
        share=fmt.pct(focus.share),
        ci=ci_text(focus.ci_low, focus.ci_high),
        n=f"{focus.n:,}",
        answers=answers_text(accepted),
        question=question.name,
    )
    if 0 < reference < 100:
        reference_reading(
            cached(sv.compare_to_reference)(frame, question, tuple(accepted), reference / 100, method=method)
        )


def choice_block(frame, question, q_index, funnel_default, method, reference) -> None:
    """A single, multi-select or Likert question: shares chart, focus share, download."""
    result = shared(sv.shares)(frame, question, method=method)
    base_warning(result.n)
    if result.n == 0:
        st.info(t("survey.no_answers"))
        return
    summary = likert_block(frame, question, method) if question.kind == "likert" else None
    labels = {
        "x_title": t("survey.axis_share_multi" if question.kind == "multi" else "survey.axis_share"),
        "hover": t("survey.hover_share"),
        "title": t("survey.chart_title", n=f"{result.n:,}"),
    }
    show_shared_chart(charts.shares_bar, result, labels, key="survey_shares_chart")
    if question.kind == "multi":
        st.caption(t("survey.multi_note"))
    default = list(next((s.accepted for s in funnel_default if s.question == question.name), ()))
    if not default:
        default = list(summary.top2_options) if summary else [str(result.table["option"].iloc[0])]
    focus_block(frame, question, q_index, result, default, method, reference)
    table = result.table.copy()
    table.insert(1, "n", result.n)
    download_table(translated(table, ("share", "ci_low", "ci_high")), "survey_shares")


def nps_block(frame: pd.DataFrame, question: sv.Question) -> None:
    """NPS metric with its interval, its finding, the chart and the table."""
    result = shared(sv.nps)(frame, question)
    base_warning(result.n)
    if result.n == 0:
        st.info(t("survey.no_answers"))
        return
    c1, c2 = st.columns([2, 3])
    bounds = {"low": f"{result.ci_low:+.0f}", "high": f"{result.ci_high:+.0f}"}
    c1.metric(t("survey.nps"), f"{result.nps:+.0f}", border=True, help=t("survey.nps_help", **bounds, n=result.n))
    with c2:
        reading(
            "survey.reading_nps",
            nps=f"{result.nps:+.0f}",
            **bounds,
            n=f"{result.n:,}",
            promoters=fmt.pct(result.promoter_share),
            detractors=fmt.pct(result.detractor_share),
        )
    labels = {g: t(f"survey.{g}") for g in ("promoter", "passive", "detractor")}
    labels |= {"title": t("survey.nps_gauge", n=f"{result.n:,}"), "x_title": t("survey.axis_share")}
    show_shared_chart(charts.nps_figure, result, labels | {"hover": t("survey.hover_count")}, key="survey_nps_chart")
    table = result.table.assign(group=result.table["group"].map(lambda g: t(f"survey.{g}")))
    download_table(translated(table, ("share",)), "survey_nps")


def numeric_block(frame: pd.DataFrame, question: sv.Question) -> None:
    """Mean with its interval, median and base."""
    s = cached(sv.numeric_summary)(frame, question)
    base_warning(s.n)
    bounds = {"low": fmt.number(s.ci_low, 2), "high": fmt.number(s.ci_high, 2)}
    single = "no_interval" in s.notes
    c1, c2, c3 = st.columns(3)
    c1.metric(t("survey.mean"), fmt.number(s.mean, 2), border=True,
              help=t("survey.mean_help_single") if single else t("survey.mean_help", **bounds, n=s.n))
    c2.metric(t("survey.median"), fmt.number(s.median, 2), border=True)
    c3.metric(t("survey.answered"), fmt.number(s.n), border=True)
    if single:
        reading("survey.reading_mean_single", mean=fmt.number(s.mean, 2))
    else:
        reading("survey.reading_mean", mean=fmt.number(s.mean, 2), **bounds, n=fmt.number(s.n))
    row = {"n": s.n, "mean": s.mean, "mean_low": s.ci_low, "mean_high": s.ci_high, "median": s.median, "std": s.std}
    download_table(translated(pd.DataFrame([row])), "survey_numeric")


def text_block(frame: pd.DataFrame, question: sv.Question) -> None:
    """Free text: counted, not charted."""
    counts = sv.text_answers(frame, question)
    st.metric(t("survey.answered"), fmt.number(counts["count"].sum()), border=True)
    st.caption(t("survey.text_note"))
    counts = translated(counts)
    st.dataframe(counts, hide_index=True, width="stretch")
    download_table(counts, "survey_text")


def question_block(frame, question, q_index, funnel_default, method, reference) -> None:
    """The block for the question's type; data errors are explained, not raised."""
    try:
        if question.kind in ("single", "multi", "likert"):
            choice_block(frame, question, q_index, funnel_default, method, reference)
        elif question.kind == "nps":
            nps_block(frame, question)
        elif question.kind == "numeric":
            numeric_block(frame, question)
        else:
            text_block(frame, question)
    except CSLensError as exc:
        show_error(exc)


def funnel_steps(questions, names, choosable, default_steps) -> tuple[int, list[sv.FunnelStep]]:
    """The step pickers (question + answers per step); returns the number asked for and the complete steps."""
    n_steps = url_widget(
        st.selectbox,
        t("survey.funnel_steps"),
        list(range(1, MAX_STEPS + 1)),
        key="survey_fn",
        default=max(len(default_steps), 2),
    )
    steps: list[sv.FunnelStep] = []
    for i in range(n_steps):
        preset = default_steps[i] if i < len(default_steps) else None
        default_q = names.index(preset.question) if preset else choosable[min(i, len(choosable) - 1)]
        c1, c2 = st.columns([2, 3])
        with c1:
            step_q = url_widget(
                st.selectbox,
                t("survey.funnel_step", i=i + 1),
                choosable,
                key=f"survey_fq{i + 1}",
                default=default_q if default_q in choosable else choosable[0],
                format_func=lambda j: names[j],
            )
        q = questions[step_q]
        preset_answers = list(preset.accepted) if preset and preset.question == q.name else []
        preset_answers = [a for a in preset_answers if a in q.options] or list(q.options[:1])
        key = f"survey_fa{i + 1}_{step_q}"
        reset_if_stale(key, list(q.options), preset_answers)
        with c2:
            answers = url_widget(
                st.multiselect, t("survey.funnel_answers", i=i + 1), list(q.options), key=key, default=preset_answers
            )
        if answers:
            steps.append(sv.FunnelStep(q.name, tuple(answers)))
    return n_steps, steps


def funnel_readings(table: pd.DataFrame) -> None:
    """One sentence per step, each with its base."""
    for r in table.itertuples():
        common = {"answers": answers_text(r.accepted), "question": r.question}
        if r.step == 1:
            ci = ci_text(r.ci_low, r.ci_high)
            reading("survey.reading_funnel_first", share=fmt.pct(r.share), ci=ci, n=f"{int(r.answered):,}", **common)
            continue
        reading(
            "survey.reading_funnel_step",
            i=r.step,
            prev=r.step - 1,
            share=fmt.pct(r.conditional),
            ci=ci_text(r.cond_low, r.cond_high),
            n=f"{int(r.eligible):,}",
            overall=fmt.pct(r.overall),
            all_share=fmt.pct(r.share),
            all_n=f"{int(r.answered):,}",
            **common,
        )


def funnel_section(frame, questions, names, funnel_default, method) -> None:
    """The funnel across questions: pickers, chart, readings, notes, download."""
    st.header(t("survey.funnel_heading"))
    st.caption(t("survey.funnel_intro"))
    choosable = [i for i, q in enumerate(questions) if q.kind in ("single", "likert", "multi")]
    if not choosable:
        st.info(t("survey.funnel_no_questions"))
        return
    n_steps, steps = funnel_steps(questions, names, choosable, [s for s in funnel_default if s.question in names])
    if len(steps) < n_steps:
        st.info(t("survey.funnel_choose"))
        return
    try:
        result = shared(sv.funnel)(frame, tuple(steps), method=method, questions=questions)
    except CSLensError as exc:
        show_error(exc)
        return
    table = result.table
    show_shared_chart(charts.funnel_chart, result, *chart_labels.funnel_labels(current_lang(), table),
                      key="survey_funnel_chart", title=t("survey.funnel_heading"))
    funnel_readings(table)
    if "funnel_unanswered" in result.notes:
        st.caption(t("survey.funnel_unanswered"))
    if result.weighted:
        st.caption(t("survey.funnel_weighted"))
    base_warning(int(table["answered"].iloc[0]))
    download = translated(
        table.assign(accepted=table["accepted"].map(" | ".join)).drop(columns="within_first"), FUNNEL_PCT
    )
    download_table(download, "survey_funnel")


def crosstab_reading(ct: sv.Crosstab, segment: str) -> None:
    """The chi-square verdict (decided by :func:`sv.crosstab_differs`) and the notes."""
    marked = int((ct.marks != "").to_numpy().sum())
    if ct.p_value is not None:
        key = "survey.reading_chi2_differs" if sv.crosstab_differs(ct) else "survey.reading_chi2_same"
        reading(key, segment=segment, chi2=fmt.number(ct.chi2, 1), dof=ct.dof, p=fmt.p_value(ct.p_value), marked=marked)
    else:
        reading("survey.reading_multi_cells", segment=segment, marked=marked)
    st.caption(t("survey.marks_note"))
    if "low_expected" in ct.notes:
        st.caption(t("survey.low_expected"))
    if "small_base" in ct.notes:
        st.warning(t("survey.crosstab_small", limit=sv.SMALL_BASE), icon=":material/warning:")


def crosstab_table(ct: sv.Crosstab) -> pd.DataFrame:
    """The crosstab in long form for download."""
    rows = [
        {
            "option": o,
            "segment": g,
            "count": int(ct.counts.loc[o, g]),
            "n": int(ct.bases[g]),
            "share": ct.column_share.loc[o, g],
            "residual": ct.residuals.loc[o, g],
            "p_holm": ct.p_adjusted.loc[o, g],
            "mark": ct.marks.loc[o, g],
        }
        for o in ct.counts.index
        for g in ct.counts.columns
    ]
    return translated(pd.DataFrame(rows), ("share",))


def crosstab_section(frame, questions, names, question, q_index) -> None:
    """Question × segment: heatmap, verdict, notes, download."""
    st.header(t("survey.crosstab_heading"))
    candidates = sv.segment_candidates(frame, questions)
    segments = [i for i, q in enumerate(questions) if q.name in candidates and i != q_index]
    if question.kind not in CHOICE_KINDS:
        st.info(t("survey.crosstab_kind"))
        return
    if not segments:
        st.info(t("survey.crosstab_no_segments"))
        return
    guess = names.index(sv.default_segment([names[i] for i in segments]))
    seg = url_widget(
        st.selectbox, t("survey.segment"), segments, key="survey_seg", default=guess, format_func=lambda j: names[j]
    )
    try:
        ct = shared(sv.crosstab)(frame, question, names[seg], questions=questions)
    except CSLensError as exc:
        st.info(error_message(exc), icon=":material/info:")  # degenerate data: explain
        return
    labels = {"x_title": names[seg], "colour_title": t("survey.col_share"), "hover": t("survey.crosstab_hover")}
    labels["row_names"] = {g: t(f"survey.{g}") for g in ("promoter", "passive", "detractor")}
    show_shared_chart(charts.crosstab_heatmap, ct, labels, key="survey_crosstab_chart",
                      title=t("survey.crosstab_heading"))
    crosstab_reading(ct, names[seg])
    if "weight" in frame:
        st.caption(t("survey.crosstab_unweighted"))
    download_table(crosstab_table(ct), "survey_crosstab")
