"""Overview card of the survey: the funnel's headline rates (e.g. awareness 28.6%) with intervals."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from cs_models import survey as sv
from cs_models.errors import CSLensError
from ui.caching import cache_data
from ui.components import md_escape, reading, show_error
from ui.i18n import t
from ui.state import current_datasets

MAX_METRICS = 3


@cache_data(show_spinner=False, max_entries=8)
def headline_funnel(frame: pd.DataFrame) -> sv.Funnel | None:
    """The survey's skip-logic funnel, or ``None`` when the survey has none."""
    questions = sv.infer_questions(frame)
    steps = sv.default_funnel(frame, questions)
    return sv.funnel(frame, steps, questions=questions) if steps else None


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _ci(low: float, high: float) -> str:
    if math.isnan(low) or math.isnan(high):
        return "–"
    return f"{100 * low:.1f}–{100 * high:.1f}%"


def _answers(answers: list[str] | tuple[str, ...]) -> str:
    return t("survey.answer_join").join(t("survey.answer_quote", answer=a) for a in answers)


def render() -> None:
    """One to three funnel rates as metrics and a plain-language reading.

    Each metric is the share among those who answered that step's question (e.g. awareness
    28.6% of 374; 72.0% and 78.5% of the 107 aware who were asked the next questions).
    """
    frame = current_datasets().survey
    if frame is None:
        st.info(t("survey.card_missing"))
        return
    try:
        result = headline_funnel(frame)
    except CSLensError as exc:
        show_error(exc)
        return
    if result is None:
        st.info(t("survey.card_no_funnel"))
        return
    if result.weighted:
        st.caption(t("survey.card_weighted"))
    rows = list(result.table.itertuples(index=False))[:MAX_METRICS]
    for row in rows:  # one per line, answer first: a long question is cut off, never the answer
        st.metric(
            md_escape(f"{' / '.join(row.accepted)} — {row.question}"),
            _pct(row.share),
            help=t("survey.card_step_help", ci=_ci(row.ci_low, row.ci_high), n=int(row.answered)),
        )
    first = rows[0]
    params = {
        "share": _pct(first.share),
        "ci": _ci(first.ci_low, first.ci_high),
        "n": f"{int(first.answered):,}",
        "answers": _answers(first.accepted),
        "question": first.question,
    }
    if len(rows) < 2:
        reading("survey.reading_share", **params)
        return
    second = rows[1]
    reading(
        "survey.card_reading",
        **params,
        next_share=_pct(second.conditional),
        next_answers=_answers(second.accepted),
    )
