"""Funnels: respondents passing ordered steps, with conditional and overall rates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from cs_models.errors import DataError
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha, check_method
from cs_models.survey.intervals import Rate, rate
from cs_models.survey.questions import (
    SMALL_BASE,
    Question,
    answered,
    choices,
    infer_questions,
    likert_boxes,
    survey_weights,
)


@dataclass(frozen=True)
class FunnelStep:
    """One step of a funnel: a question and the answers that pass it."""

    question: str
    accepted: tuple[str, ...]


@dataclass(frozen=True)
class Funnel(Result):
    """Respondents passing ordered steps.

    ``table`` has one row per step: ``step, question, answered`` (respondents who answered the
    question), ``share, ci_low, ci_high`` (accepted among all who answered that question),
    ``reached`` (passed this and every earlier step), ``within_first`` (the question was answered
    only by respondents who passed step 1, e.g. asked of the aware), ``conditional, cond_low, cond_high`` (of
    those who reached the previous step and answered) and ``overall, overall_low, overall_high``
    (of the first step's base). Counts (``answered``, ``passed``, ``eligible``, ``reached``) are
    respondents; with ``weighted`` every share and interval is weighted (Kish effective base of
    the share's own base).
    """

    steps: tuple[FunnelStep, ...]
    table: pd.DataFrame
    method: str
    weighted: bool = False


# ------------------------------------------------------------------ funnel
def funnel(
    frame: pd.DataFrame,
    steps: Sequence[FunnelStep],
    *,
    method: str = "wilson",
    alpha: float = ALPHA,
    questions: Sequence[Question] | None = None,
    weighted: bool = True,
) -> Funnel:
    """Respondents passing ordered steps, with conditional and overall rates and intervals.

    Step 1's base is everyone who answered its question. A later step's conditional rate
    uses those who reached the previous step and answered this question; its overall rate
    uses step 1's base. ``share`` is the step's rate among everyone who answered its
    question, whatever their earlier answers.

    With a ``weight`` column (and ``weighted``) every rate is weighted like :func:`shares`:
    each is a ratio of weight sums over its own base (a domain estimate), with its interval on
    that base's Kish effective size. This is as sound as the weighted shares (same estimator,
    same approximation) and keeps the funnel's step 1 equal to the share shown for that
    question. Counts (``answered``, ``passed``, ``eligible``, ``reached``) stay respondent counts.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame.
    steps : Sequence[FunnelStep]
        The ordered steps (at least one), each a question and the answers that pass it.
    method : {"wilson", "beta", "jeffreys"}
        Interval method of every share, conditional and overall rate.
    alpha : float
        ``1 - confidence level`` of the step intervals.
    questions : Sequence[Question], optional
        The frame's typed questions, to find each step's question by name; inferred when omitted.
    weighted : bool
        Weight every rate by the ``weight`` column when there is one.

    Returns
    -------
    Funnel
        One table row per step; notes ``"funnel_unanswered"`` and ``"small_base"`` when they apply.

    Raises
    ------
    DataError
        Without steps, or for a step naming an unknown question or answers its question lacks.
    """
    check_method(method)
    check_alpha(alpha)
    if len(steps) < 1:
        raise DataError("survey_funnel_empty", "a funnel needs at least one step")
    by_name = {q.name: q for q in (questions if questions is not None else infer_questions(frame))}
    weights = survey_weights(frame) if weighted else None
    rows, notes, first_base = _walk(frame, steps, by_name, weights, method, alpha)
    if first_base < SMALL_BASE:
        notes.append("small_base")
    return Funnel(
        tuple(steps), pd.DataFrame(rows), method, weights is not None, alpha=alpha, notes=tuple(dict.fromkeys(notes))
    )


def _walk(
    frame: pd.DataFrame,
    steps: Sequence[FunnelStep],
    by_name: dict[str, Question],
    weights: pd.Series | None,
    method: str,
    alpha: float,
) -> tuple[list[dict], list[str], int]:
    """Follow the respondents through the steps: the table's rows, the notes so far and step 1's base."""
    rows = []
    notes: list[str] = []
    reached = pd.Series(True, index=frame.index)
    first_base = 0
    first_index = first_passed = frame.index[:0]
    for i, step in enumerate(steps, start=1):
        q, passed = _step_passed(frame, step, by_name)
        marginal = rate(passed, weights, method=method, alpha=alpha)
        eligible = reached.loc[passed.index]
        conditional = rate(passed[eligible], weights, method=method, alpha=alpha)
        if i == 1:
            first_base, first_index = marginal.n, passed.index
            first_passed = passed.index[passed.to_numpy()]
        missing = int(reached.sum()) - conditional.n
        if i > 1 and missing > 0:
            notes.append("funnel_unanswered")
        reached = pd.Series(False, index=frame.index)
        reached.loc[passed[eligible & passed].index] = True
        count = int(reached.sum())
        overall = rate(reached.loc[first_index], weights, method=method, alpha=alpha)
        within = i > 1 and bool(passed.index.isin(first_passed).all())
        rows.append(_row(i, q.name, step, (marginal, conditional, overall), count, within))
    return rows, notes, first_base


def default_funnel(frame: pd.DataFrame, questions: Sequence[Question] | None = None) -> tuple[FunnelStep, ...]:
    """A funnel that follows the survey's skip logic, or ``()`` when there is none.

    A choice question *gates* a later question when only respondents with some of its
    answers were asked that later question (blank for everyone else). The funnel starts at
    the first gating question and walks forward through the gated respondents: a gating
    question passes the answers that open later questions; a Likert question passes its
    top-2 box. Example (sample survey): aware → sees CS as important → doing or planning it.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame, whose blank answers reveal the skip logic.
    questions : Sequence[Question], optional
        The frame's typed questions in sheet order; inferred when omitted.

    Returns
    -------
    tuple of FunnelStep
        At least two steps to pass to :func:`funnel`, or ``()``.
    """
    questions = list(questions if questions is not None else infer_questions(frame))
    chooseable = [q for q in questions if q.kind in ("single", "likert")]
    steps: list[FunnelStep] = []
    masks = {q.name: answered(frame, q) for q in questions}
    population = pd.Series(True, index=frame.index)
    for position, q in enumerate(questions):
        if q not in chooseable:
            continue
        asked = masks[q.name] & population
        if steps and masks[q.name][~population].any():
            continue  # asked beyond the funnel's population: not part of this chain
        if asked.sum() == 0:
            continue
        values = frame.loc[asked, q.columns[0]].astype(str).str.strip()
        gate: tuple[str, ...] = ()
        for later in questions[position + 1 :]:
            later_answered = masks[later.name] & asked
            if not later_answered.any():
                continue
            opened = set(values[later_answered[asked]])
            if opened and opened < set(values) and later_answered[asked].sum() == values.isin(opened).sum():
                gate = tuple(o for o in q.options if o in opened)
                break
        if gate:
            steps.append(FunnelStep(q.name, gate))
            population = asked & values.isin(gate).reindex(frame.index, fill_value=False)
        elif steps and q.kind == "likert" and q.levels >= 4:
            top = likert_boxes(q)[0]
            if top:
                steps.append(FunnelStep(q.name, top))
    return tuple(steps) if len(steps) >= 2 else ()


def _step_passed(frame: pd.DataFrame, step: FunnelStep, by_name: dict[str, Question]) -> tuple[Question, pd.Series]:
    """The step's question and, per respondent who answered it, whether they gave an accepted answer."""
    if step.question not in by_name:
        raise DataError("survey_unknown_question", f"no question {step.question!r}", column=step.question)
    q = by_name[step.question]
    matrix = choices(frame, q)
    unknown = [a for a in step.accepted if a not in matrix.columns]
    if not step.accepted or unknown:
        raise DataError(
            "survey_bad_answers",
            "choose answers for every step",
            column=q.name,
            answers=", ".join(unknown),
        )
    passed = matrix[list(step.accepted)].any(axis=1)
    return q, passed


def _row(i: int, question: str, step: FunnelStep, rates: tuple[Rate, Rate, Rate], count: int, within: bool) -> dict:
    """One row of the funnel table from the step's marginal, conditional and overall rates."""
    marginal, conditional, overall = rates
    return {
        "step": i,
        "question": question,
        "accepted": list(step.accepted),
        "answered": marginal.n,
        "passed": marginal.count,
        "share": marginal.share,
        "ci_low": marginal.ci_low,
        "ci_high": marginal.ci_high,
        "eligible": conditional.n,
        "reached": count,
        "conditional": conditional.share,
        "cond_low": conditional.ci_low,
        "cond_high": conditional.ci_high,
        "overall": overall.share,
        "overall_low": overall.ci_low,
        "overall_high": overall.ci_high,
        "within_first": within,
    }
