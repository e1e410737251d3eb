"""Overview card of the survey: the funnel's headline rates (e.g. awareness 28.6%), each read with its base."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import survey as sv
from cs_models.errors import CSLensError
from cs_models.findings import Finding
from cs_models.survey.interpret import funnel_findings
from ui import format as fmt
from ui.caching import shared
from ui.components import md_escape, show_error, show_findings
from ui.i18n import t
from ui.memo import derived
from ui.state import current_datasets

MAX_METRICS = 3


def headline_funnel(frame) -> sv.Funnel | None:
    """The survey's skip-logic funnel, or ``None`` when the survey has none."""
    questions = shared(sv.infer_questions)(frame)
    steps = shared(sv.default_funnel)(frame, questions)
    return shared(sv.funnel)(frame, steps, questions=questions) if steps else None


def _headline(frame: pd.DataFrame) -> tuple[sv.Funnel | None, list[Finding]]:
    """The headline funnel and its first findings (the card's view model, made once per frame)."""
    result = headline_funnel(frame)
    return result, (funnel_findings(result)[:MAX_METRICS] if result is not None else [])


def render() -> None:
    """One to three funnel rates as metrics and the funnel's findings, which state each base.

    Each metric is the share among those who answered that step's question (e.g. awareness
    28.6% of 374; 72.0% and 78.5% of the aware, n=107, who were asked the next questions).
    """
    frame = current_datasets().survey
    if frame is None:
        st.info(t("survey.card_missing"))
        return
    try:
        result, found = derived(_headline, frame)
    except CSLensError as exc:
        show_error(exc)
        return
    if result is None:
        st.info(t("survey.card_no_funnel"))
        return
    if result.weighted:
        st.caption(t("survey.card_weighted"))
    for row in list(result.table.itertuples(index=False))[:MAX_METRICS]:  # answer first: never cut off
        st.metric(
            md_escape(f"{' / '.join(row.accepted)} — {row.question}"),
            fmt.pct(row.share),
            help=t("survey.card_step_help", ci=fmt.interval(row.ci_low, row.ci_high), n=int(row.answered)),
        )
    show_findings(found)
