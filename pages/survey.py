"""Survey results: one question at a time, a funnel across questions, and a crosstab by segment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import survey as sv
from cs_models.charts import survey as charts
from cs_models.errors import CSLensError
from ui.caching import cache_data
from ui.components import (
    download_table,
    error_message,
    page_header,
    reading,
    require_dataset,
    show_chart,
    show_error,
)
from ui.i18n import t
from ui.url_state import url_widget

MAX_STEPS = 5
CHOICE_KINDS = ("single", "multi", "likert", "nps")


# ------------------------------------------------------------------ cached model calls
@cache_data(show_spinner=False, max_entries=32)
def questions_of(frame: pd.DataFrame, overrides: tuple[tuple[str, str], ...]) -> tuple[sv.Question, ...]:
    """Typed questions of the survey (with the user's type overrides)."""
    return sv.infer_questions(frame, dict(overrides))


@cache_data(show_spinner=False, max_entries=64)
def shares_of(frame: pd.DataFrame, question: sv.Question, method: str) -> sv.Shares:
    """Option shares of one question."""
    return sv.shares(frame, question, method=method)


@cache_data(show_spinner=False, max_entries=64)
def likert_of(frame: pd.DataFrame, question: sv.Question, method: str) -> sv.Likert:
    """Likert summary of one question."""
    return sv.likert(frame, question, method=method)


@cache_data(show_spinner=False, max_entries=64)
def nps_of(frame: pd.DataFrame, question: sv.Question) -> sv.NPS:
    """NPS of one 0–10 question."""
    return sv.nps(frame, question)


@cache_data(show_spinner=False, max_entries=64)
def numeric_of(frame: pd.DataFrame, question: sv.Question) -> sv.NumericSummary:
    """Mean and spread of one numeric question."""
    return sv.numeric_summary(frame, question)


@cache_data(show_spinner=False, max_entries=64)
def rate_of(frame: pd.DataFrame, question: sv.Question, accepted: tuple[str, ...], method: str) -> sv.Rate:
    """Share giving any of ``accepted``."""
    return sv.answer_rate(frame, question, accepted, method=method)


@cache_data(show_spinner=False, max_entries=64)
def comparison_of(
    frame: pd.DataFrame, question: sv.Question, accepted: tuple[str, ...], reference: float, method: str
) -> sv.ReferenceComparison:
    """The share compared with a reference rate."""
    return sv.compare_to_reference(frame, question, accepted, reference, method=method)


@cache_data(show_spinner=False, max_entries=32)
def default_funnel_of(frame: pd.DataFrame, questions: tuple[sv.Question, ...]) -> tuple[sv.FunnelStep, ...]:
    """The skip-logic funnel of the survey."""
    return sv.default_funnel(frame, questions)


@cache_data(show_spinner=False, max_entries=32)
def funnel_of(
    frame: pd.DataFrame, steps: tuple[sv.FunnelStep, ...], questions: tuple[sv.Question, ...], method: str
) -> sv.Funnel:
    """A funnel over the chosen steps."""
    return sv.funnel(frame, steps, method=method, questions=questions)


@cache_data(show_spinner=False, max_entries=32)
def crosstab_of(
    frame: pd.DataFrame, question: sv.Question, segment: str, questions: tuple[sv.Question, ...]
) -> sv.Crosstab:
    """Question × segment crosstab."""
    return sv.crosstab(frame, question, segment, questions=questions)


# ------------------------------------------------------------------ formatting helpers
def pct(value: float) -> str:
    """A share as a percentage with one decimal."""
    return "–" if pd.isna(value) else f"{100 * value:.1f}%"


def ci_text(low: float, high: float) -> str:
    """An interval as ``24.3–33.4%``."""
    return "–" if pd.isna(low) else f"{100 * low:.1f}–{100 * high:.1f}%"


def answers_text(answers: tuple[str, ...] | list[str]) -> str:
    """Answers joined for a sentence."""
    return t("survey.answer_join").join(t("survey.answer_quote", answer=a) for a in answers)


def base_warning(n: int) -> None:
    """Flag a small base."""
    if 0 < n < sv.SMALL_BASE:
        st.warning(t("survey.small_base", n=n, limit=sv.SMALL_BASE), icon=":material/warning:")


def reset_if_stale(key: str, options: list[str], default: list[str]) -> None:
    """Drop remembered answers that this data do not have (e.g. after a language or data switch);
    fall back to ``default`` when none is left."""
    value = st.session_state.get(key)
    if isinstance(value, list) and value and not all(v in options for v in value):
        st.session_state[key] = [v for v in value if v in options] or list(default)


def shares_download(result: sv.Shares) -> pd.DataFrame:
    """A shares table with translated headers, as percentages."""
    table = result.table.assign(
        share=100 * result.table["share"], ci_low=100 * result.table["ci_low"], ci_high=100 * result.table["ci_high"]
    )
    table.insert(1, "n", result.n)
    return table.rename(columns=lambda c: t(f"survey.col_{c}"))


# ------------------------------------------------------------------ page
page_header("survey")
frame = require_dataset("survey")

method = (
    url_widget(
        st.segmented_control,
        t("survey.method"),
        sv.CI_METHODS,
        key="survey_ci",
        default="wilson",
        format_func=lambda m: t(f"survey.method_{m}"),
        help=t("survey.method_help"),
    )
    or "wilson"
)

try:
    inferred = questions_of(frame, ())
except CSLensError as exc:
    show_error(exc)
    st.stop()
if not inferred:
    st.info(t("survey.no_questions"))
    st.stop()
if "weight" in frame:
    st.caption(t("survey.weighted_note"))
with st.expander(t("survey.all_questions", n=len(inferred))):
    overview = sv.question_summary(frame, inferred)
    overview = overview.assign(kind=overview["kind"].map(lambda k: t(f"survey.kind_{k}"))).rename(
        columns=lambda c: t(f"survey.col_{c}")
    )
    st.dataframe(overview, hide_index=True, width="stretch")
    download_table(overview, "survey_questions", index=False)


# --- one question -------------------------------------------------------------------
st.header(t("survey.question_heading"))
funnel_default = default_funnel_of(frame, inferred)
names = [q.name for q in inferred]
first_default = names.index(funnel_default[0].question) if funnel_default else 0
left, right = st.columns([3, 1])
with left:
    q_index = url_widget(
        st.selectbox,
        t("survey.question"),
        list(range(len(inferred))),
        key="survey_q",
        default=first_default,
        format_func=lambda i: names[i],
    )
with right:
    kind = url_widget(
        st.selectbox,
        t("survey.kind"),
        sv.QUESTION_KINDS,
        key=f"survey_kind_{q_index}",
        default=inferred[q_index].kind,
        format_func=lambda k: t(f"survey.kind_{k}"),
        help=t("survey.kind_help"),
    )
overrides = ((names[q_index], kind),) if kind != inferred[q_index].kind else ()
try:
    questions = questions_of(frame, overrides)
except CSLensError as exc:
    show_error(exc)
    questions = inferred
question = questions[q_index]
st.caption(t("survey.kind_caption", kind=t(f"survey.kind_{question.kind}")))

try:
    if question.kind in ("single", "multi", "likert"):
        result = shares_of(frame, question, method)
        base_warning(result.n)
        if result.n == 0:
            st.info(t("survey.no_answers"))
        else:
            if question.kind == "likert":
                summary = likert_of(frame, question, method)
                c1, c2, c3 = st.columns(3)
                c1.metric(
                    t("survey.top2"),
                    pct(summary.top2.share),
                    border=True,
                    help=t("survey.ci_help", ci=ci_text(summary.top2.ci_low, summary.top2.ci_high), n=summary.n),
                )
                c2.metric(
                    t("survey.bottom2"),
                    pct(summary.bottom2.share),
                    border=True,
                    help=t("survey.ci_help", ci=ci_text(summary.bottom2.ci_low, summary.bottom2.ci_high), n=summary.n),
                )
                c3.metric(
                    t("survey.mean_score", low=f"{question.points[-1]:g}", high=f"{question.points[0]:g}"),
                    f"{summary.mean:.2f}",
                    border=True,
                    help=t(
                        "survey.mean_help", low=f"{summary.mean_low:.2f}", high=f"{summary.mean_high:.2f}", n=summary.n
                    ),
                )
                show_chart(
                    charts.likert_bar(
                        summary,
                        {
                            "x_title": t("survey.axis_share_diverging"),
                            "y_label": f"n={summary.n:,}",
                            "hover": t("survey.hover_count"),
                        },
                    ),
                    key="survey_likert_chart",
                )
            show_chart(
                charts.shares_bar(
                    result,
                    {
                        "x_title": t("survey.axis_share_multi" if question.kind == "multi" else "survey.axis_share"),
                        "hover": t("survey.hover_share"),
                        "title": t("survey.chart_title", n=f"{result.n:,}"),
                    },
                ),
                key="survey_shares_chart",
            )
            if question.kind == "multi":
                st.caption(t("survey.multi_note"))

            default_answers = list(next((s.accepted for s in funnel_default if s.question == question.name), ()))
            if not default_answers:
                if question.kind == "likert":
                    default_answers = list(summary.top2_options)
                else:
                    default_answers = [str(result.table["option"].iloc[0])]
            reset_if_stale(f"survey_ans_{q_index}_{question.kind}", list(question.options), default_answers)
            accepted = url_widget(
                st.multiselect,
                t("survey.answers"),
                list(question.options),
                key=f"survey_ans_{q_index}_{question.kind}",
                default=default_answers,
                help=t("survey.answers_help"),
            )
            if accepted:
                focus = rate_of(frame, question, tuple(accepted), method)
                reading(
                    "survey.reading_share",
                    share=pct(focus.share),
                    ci=ci_text(focus.ci_low, focus.ci_high),
                    n=f"{focus.n:,}",
                    answers=answers_text(accepted),
                    question=question.name,
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
                if reference and 0 < reference < 100:
                    cmp = comparison_of(frame, question, tuple(accepted), reference / 100, method)
                    verdict = "survey.reading_ref_differs" if cmp.p_value < sv.ALPHA else "survey.reading_ref_same"
                    extra = {}
                    if cmp.test == "score":  # weighted share: score test on the effective base, said so
                        verdict += "_weighted"
                        extra["n_eff"] = f"{cmp.rate.n_effective:,.1f}"
                    reading(
                        verdict,
                        **extra,
                        share=pct(cmp.rate.share),
                        reference=pct(cmp.reference),
                        diff=f"{100 * cmp.difference:+.1f}",
                        low=f"{100 * cmp.diff_low:+.1f}",
                        high=f"{100 * cmp.diff_high:+.1f}",
                        p=f"{cmp.p_value:.3f}" if cmp.p_value >= 0.001 else "<0.001",
                    )
            else:
                st.caption(t("survey.choose_answers"))
            download_table(shares_download(result), "survey_shares", index=False)

    elif question.kind == "nps":
        result_nps = nps_of(frame, question)
        base_warning(result_nps.n)
        if result_nps.n == 0:
            st.info(t("survey.no_answers"))
        else:
            c1, c2 = st.columns([2, 3])
            c1.metric(
                t("survey.nps"),
                f"{result_nps.nps:+.0f}",
                border=True,
                help=t(
                    "survey.nps_help",
                    low=f"{result_nps.ci_low:+.0f}",
                    high=f"{result_nps.ci_high:+.0f}",
                    n=result_nps.n,
                ),
            )
            with c2:
                reading(
                    "survey.reading_nps",
                    nps=f"{result_nps.nps:+.0f}",
                    low=f"{result_nps.ci_low:+.0f}",
                    high=f"{result_nps.ci_high:+.0f}",
                    n=f"{result_nps.n:,}",
                    promoters=pct(result_nps.promoter_share),
                    detractors=pct(result_nps.detractor_share),
                )
            show_chart(
                charts.nps_figure(
                    result_nps,
                    {
                        "title": t("survey.nps_gauge", n=f"{result_nps.n:,}"),
                        "promoter": t("survey.promoter"),
                        "passive": t("survey.passive"),
                        "detractor": t("survey.detractor"),
                        "x_title": t("survey.axis_share"),
                        "hover": t("survey.hover_count"),
                    },
                ),
                key="survey_nps_chart",
            )
            table = result_nps.table.assign(
                group=result_nps.table["group"].map(lambda g: t(f"survey.{g}")),
                share=100 * result_nps.table["share"],
            ).rename(columns=lambda c: t(f"survey.col_{c}"))
            download_table(table, "survey_nps", index=False)

    elif question.kind == "numeric":
        summary_num = numeric_of(frame, question)
        base_warning(summary_num.n)
        c1, c2, c3 = st.columns(3)
        c1.metric(
            t("survey.mean"),
            f"{summary_num.mean:,.2f}",
            border=True,
            help=t(
                "survey.mean_help",
                low=f"{summary_num.ci_low:,.2f}",
                high=f"{summary_num.ci_high:,.2f}",
                n=summary_num.n,
            ),
        )
        c2.metric(t("survey.median"), f"{summary_num.median:,.2f}", border=True)
        c3.metric(t("survey.answered"), f"{summary_num.n:,}", border=True)
        reading(
            "survey.reading_mean",
            mean=f"{summary_num.mean:,.2f}",
            low=f"{summary_num.ci_low:,.2f}",
            high=f"{summary_num.ci_high:,.2f}",
            n=f"{summary_num.n:,}",
        )
        numeric_table = pd.DataFrame(
            [
                {
                    "n": summary_num.n,
                    "mean": summary_num.mean,
                    "mean_low": summary_num.ci_low,
                    "mean_high": summary_num.ci_high,
                    "median": summary_num.median,
                    "std": summary_num.std,
                }
            ]
        ).rename(columns=lambda c: t(f"survey.col_{c}"))
        download_table(numeric_table, "survey_numeric", index=False)

    else:  # free text: counted, not charted
        counts = sv.text_answers(frame, question)
        st.metric(t("survey.answered"), f"{int(counts['count'].sum()):,}", border=True)
        st.caption(t("survey.text_note"))
        counts = counts.rename(columns=lambda c: t(f"survey.col_{c}"))
        st.dataframe(counts, hide_index=True, width="stretch")
        download_table(counts, "survey_text", index=False)
except CSLensError as exc:
    show_error(exc)


# --- funnel ---------------------------------------------------------------------------
st.header(t("survey.funnel_heading"))
st.caption(t("survey.funnel_intro"))
choosable = [i for i, q in enumerate(questions) if q.kind in ("single", "likert", "multi")]
if not choosable:
    st.info(t("survey.funnel_no_questions"))
else:
    default_steps = [s for s in funnel_default if s.question in names]
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
        if default_q not in choosable:
            default_q = choosable[0]
        c1, c2 = st.columns([2, 3])
        with c1:
            step_q = url_widget(
                st.selectbox,
                t("survey.funnel_step", i=i + 1),
                choosable,
                key=f"survey_fq{i + 1}",
                default=default_q,
                format_func=lambda j: names[j],
            )
        step_question = questions[step_q]
        preset_answers = list(preset.accepted) if preset and preset.question == step_question.name else []
        preset_answers = [a for a in preset_answers if a in step_question.options] or list(step_question.options[:1])
        reset_if_stale(f"survey_fa{i + 1}_{step_q}", list(step_question.options), preset_answers)
        with c2:
            step_answers = url_widget(
                st.multiselect,
                t("survey.funnel_answers", i=i + 1),
                list(step_question.options),
                key=f"survey_fa{i + 1}_{step_q}",
                default=preset_answers,
            )
        if step_answers:
            steps.append(sv.FunnelStep(step_question.name, tuple(step_answers)))
    if len(steps) < n_steps:
        st.info(t("survey.funnel_choose"))
    else:
        try:
            result_f = funnel_of(frame, tuple(steps), questions, method)
            table_f = result_f.table
            step_names = [
                t("survey.funnel_step_name", i=r.step, answers=answers_text(r.accepted)) for r in table_f.itertuples()
            ]
            show_chart(
                charts.funnel_chart(
                    result_f,
                    {
                        "base": t("survey.funnel_base", n=f"{int(table_f['answered'].iloc[0]):,}"),
                        "text": t("survey.funnel_text"),
                        "hover": t("survey.funnel_hover"),
                    },
                    step_names,
                ),
                key="survey_funnel_chart",
            )
            for r in table_f.itertuples():
                if r.step == 1:
                    reading(
                        "survey.reading_funnel_first",
                        share=pct(r.share),
                        ci=ci_text(r.ci_low, r.ci_high),
                        n=f"{int(r.answered):,}",
                        answers=answers_text(r.accepted),
                        question=r.question,
                    )
                else:
                    reading(
                        "survey.reading_funnel_step",
                        i=r.step,
                        prev=r.step - 1,
                        share=pct(r.conditional),
                        ci=ci_text(r.cond_low, r.cond_high),
                        n=f"{int(r.eligible):,}",
                        answers=answers_text(r.accepted),
                        question=r.question,
                        overall=pct(r.overall),
                        all_share=pct(r.share),
                        all_n=f"{int(r.answered):,}",
                    )
            if "funnel_unanswered" in result_f.notes:
                st.caption(t("survey.funnel_unanswered"))
            if result_f.weighted:
                st.caption(t("survey.funnel_weighted"))
            base_warning(int(table_f["answered"].iloc[0]))
            download = table_f.assign(
                accepted=table_f["accepted"].map(" | ".join),
                **{
                    c: 100 * table_f[c]
                    for c in (
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
                },
            ).rename(columns=lambda c: t(f"survey.col_{c}"))
            download_table(download, "survey_funnel", index=False)
        except CSLensError as exc:
            show_error(exc)


# --- crosstab -------------------------------------------------------------------------
st.header(t("survey.crosstab_heading"))
segments = [i for i, q in enumerate(questions) if q.name in sv.segment_candidates(frame, questions)]
segments = [i for i in segments if i != q_index]
if question.kind not in CHOICE_KINDS:
    st.info(t("survey.crosstab_kind"))
elif not segments:
    st.info(t("survey.crosstab_no_segments"))
else:
    hinted = [i for i in segments if any(h in names[i].lower() for h in ("規模", "size", "従業員", "employee"))]
    segment_index = url_widget(
        st.selectbox,
        t("survey.segment"),
        segments,
        key="survey_seg",
        default=(hinted or segments)[0],
        format_func=lambda j: names[j],
    )
    try:
        ct = crosstab_of(frame, question, names[segment_index], questions)
        show_chart(
            charts.crosstab_heatmap(
                ct,
                {
                    "x_title": names[segment_index],
                    "colour_title": t("survey.col_share"),
                    "hover": t("survey.crosstab_hover"),
                    "row_names": {g: t(f"survey.{g}") for g in ("promoter", "passive", "detractor")},
                },
            ),
            key="survey_crosstab_chart",
        )
        n_marked = int((ct.marks != "").to_numpy().sum())
        if ct.p_value is not None:
            key = "survey.reading_chi2_differs" if ct.p_value < ct.alpha else "survey.reading_chi2_same"
            reading(
                key,
                segment=names[segment_index],
                chi2=f"{ct.chi2:.1f}",
                dof=ct.dof,
                p=f"{ct.p_value:.3f}" if ct.p_value >= 0.001 else "<0.001",
                marked=n_marked,
            )
        else:
            reading("survey.reading_multi_cells", segment=names[segment_index], marked=n_marked)
        st.caption(t("survey.marks_note"))
        if "weight" in frame:
            st.caption(t("survey.crosstab_unweighted"))
        if "low_expected" in ct.notes:
            st.caption(t("survey.low_expected"))
        if "small_base" in ct.notes:
            st.warning(t("survey.crosstab_small", limit=sv.SMALL_BASE), icon=":material/warning:")
        long = pd.DataFrame(
            [
                {
                    "option": o,
                    "segment": g,
                    "count": int(ct.counts.loc[o, g]),
                    "n": int(ct.bases[g]),
                    "share": 100 * ct.column_share.loc[o, g],
                    "residual": ct.residuals.loc[o, g],
                    "p_holm": ct.p_adjusted.loc[o, g],
                    "mark": ct.marks.loc[o, g],
                }
                for o in ct.counts.index
                for g in ct.counts.columns
            ]
        ).rename(columns=lambda c: t(f"survey.col_{c}"))
        download_table(long, "survey_crosstab", index=False)
    except CSLensError as exc:
        st.info(error_message(exc), icon=":material/info:")  # degenerate data: explain

st.caption(t("survey.method_note", method=t(f"survey.method_{method}"), limit=sv.SMALL_BASE))
