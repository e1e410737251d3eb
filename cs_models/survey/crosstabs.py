"""Question × segment crosstabs with Holm-marked cells."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.errors import DataError
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha, holm
from cs_models.survey.questions import (
    SIGNIFICANCE_MARKS,
    SMALL_BASE,
    Question,
    _is_blank,
    choices,
    infer_questions,
)


@dataclass(frozen=True)
class Crosstab(Result):
    """Question × segment: counts, column percentages and which cells differ.

    Attributes
    ----------
    counts, column_share : DataFrame
        Options (rows) × segments (columns); column shares use each segment's base.
    bases : Series
        Respondents per segment who answered.
    residuals, p_adjusted : DataFrame
        Adjusted (standardised) residuals and their Holm-adjusted two-sided p-values.
    marks : DataFrame
        ``"▲"`` higher / ``"▼"`` lower than expected at Holm-adjusted ``alpha``, else ``""``.
    chi2, dof, p_value : float or None
        Pearson chi-square test of independence (no continuity correction); ``None`` for
        multi-select questions, whose options overlap.
    """

    question: Question
    segment: str
    counts: pd.DataFrame
    column_share: pd.DataFrame
    bases: pd.Series
    residuals: pd.DataFrame
    p_adjusted: pd.DataFrame
    marks: pd.DataFrame
    chi2: float | None
    dof: int | None
    p_value: float | None


# ---------------------------------------------------------------- crosstab
def segment_candidates(frame: pd.DataFrame, questions: Sequence[Question] | None = None) -> tuple[str, ...]:
    """Single-choice columns with 2 to 12 groups: usable as crosstab segments.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame.
    questions : Sequence[Question], optional
        The frame's typed questions; inferred from ``frame`` when omitted.

    Returns
    -------
    tuple of str
        Names of the single-choice and Likert questions with 2 to 12 options, in question order.
    """
    questions = questions if questions is not None else infer_questions(frame)
    return tuple(q.name for q in questions if q.kind in ("single", "likert") and 2 <= len(q.options) <= 12)


def _segment_order(labels: Sequence[str]) -> list[str]:
    numbers = [re.search(r"\d+", unicodedata.normalize("NFKC", str(x))) for x in labels]
    if all(numbers):
        return [x for _, x in sorted(zip((int(m.group()) for m in numbers), labels, strict=True))]  # type: ignore[union-attr]
    return list(labels)


def crosstab(
    frame: pd.DataFrame,
    question: Question | str,
    segment: str,
    *,
    alpha: float = ALPHA,
    questions: Sequence[Question] | None = None,
) -> Crosstab:
    """Question × segment with column percentages, a chi-square test and marked cells.

    Cells are marked from adjusted (standardised) residuals, two-sided normal p-values,
    Holm-corrected over all cells. For multi-select questions each option is tested as
    chosen / not chosen × segment, and no overall chi-square is reported.

    Always unweighted, even with a ``weight`` column: Pearson's chi-square and the adjusted
    residuals assume counts of independent draws, and plugging in weighted counts gives wrong
    p-values (a sound weighted test needs a design correction such as Rao–Scott). The page labels
    the crosstab as unweighted.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame; respondents with a blank segment are left out.
    question : Question or str
        A single-choice, Likert, multi-select or NPS question (NPS answers are grouped into
        detractors, passives and promoters), or its name.
    segment : str
        Column whose values are the crosstab's columns; not one of the question's own columns.
    alpha : float
        Holm-adjusted significance level at which a cell is marked ▲/▼.
    questions : Sequence[Question], optional
        The frame's typed questions (to find ``question`` by name and to order a Likert
        segment on its scale); inferred when omitted.

    Returns
    -------
    Crosstab
        Counts, column shares, residuals, marks and the overall test, with notes such as
        ``"small_base"`` and ``"low_expected"``.
    """
    check_alpha(alpha)
    qs = questions if questions is not None else infer_questions(frame)
    q = _crosstab_question(frame, question, segment, qs)
    counts, bases, groups = _counts(frame, q, segment, qs)
    share = counts / bases
    resid, chi2, dof, p_value, notes = _residuals(q, counts, bases, groups)
    p_adj, marks = _marked_cells(resid, counts.index, groups, alpha)
    if (bases < SMALL_BASE).any():
        notes.append("small_base")
    return Crosstab(
        q, segment, counts, share, bases, resid.astype(float), p_adj, marks, chi2, dof, p_value,
        alpha=alpha, notes=tuple(notes),
    )


def _crosstab_question(
    frame: pd.DataFrame, question: Question | str, segment: str, qs: Sequence[Question]
) -> Question:
    """The question to crosstab, after checking that it and ``segment`` can be crossed."""
    q = question if isinstance(question, Question) else {x.name: x for x in qs}.get(question)
    if q is None:
        raise DataError("survey_unknown_question", f"no question {question!r}", column=str(question))
    if segment not in frame:
        raise DataError("survey_unknown_question", f"no column {segment!r}", column=str(segment))
    if segment in q.columns:
        raise DataError("survey_same_segment", "choose a segment other than the question", column=segment)
    if q.kind not in ("single", "likert", "multi", "nps"):
        raise DataError("survey_crosstab_kind", "this question type has no crosstab", column=q.name, kind=q.kind)
    return q


def _marked_cells(
    resid: pd.DataFrame, index: pd.Index, groups: list[str], alpha: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Holm-adjusted two-sided normal p-values of the adjusted residuals, and the ▲/▼ marks
    of the cells significant at ``alpha`` (``""`` elsewhere)."""
    raw_p = 2 * stats.norm.sf(np.abs(resid.to_numpy(dtype=float)))
    adjusted = holm(raw_p)
    p_adj = pd.DataFrame(adjusted, index=index, columns=groups)
    marks = pd.DataFrame(
        np.where(
            adjusted < alpha,
            np.where(resid.to_numpy(dtype=float) > 0, SIGNIFICANCE_MARKS[1], SIGNIFICANCE_MARKS[-1]),
            "",
        ),
        index=index,
        columns=groups,
    )
    return p_adj, marks


def _counts(
    frame: pd.DataFrame, q: Question, segment: str, qs: Sequence[Question]
) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Answer counts (options × groups), each group's base and the groups in display order."""
    matrix = choices(frame, q)
    seg = frame.loc[matrix.index, segment]
    keep = ~_is_blank(seg)
    matrix, seg = matrix[keep], seg[keep].astype(str).str.strip()
    present = list(seg.value_counts().index)
    segment_question = {x.name: x for x in qs}.get(segment)
    if segment_question is not None and segment_question.kind == "likert":
        groups = [o for o in segment_question.options if o in present]  # scale order
    else:
        groups = _segment_order(present)
    if len(groups) < 2:
        raise DataError("survey_one_segment", "the segment has fewer than two groups", column=segment)
    counts = pd.DataFrame({g: matrix[seg == g].sum(axis=0) for g in groups}).astype(int)
    bases = pd.Series({g: int((seg == g).sum()) for g in groups})
    if q.kind == "nps":
        categories = {"detractor": [str(i) for i in range(7)], "passive": ["7", "8"], "promoter": ["9", "10"]}
        counts = pd.DataFrame({c: counts.loc[v].sum(axis=0) for c, v in categories.items()}).T
    counts = counts.loc[counts.sum(axis=1) > 0]
    return counts, bases, groups


def _residuals(
    q: Question, counts: pd.DataFrame, bases: pd.Series, groups: list[str]
) -> tuple[pd.DataFrame, float | None, int | None, float | None, list[str]]:
    """Adjusted residuals per cell, the chi-square test (not for multi-select) and notes."""
    from statsmodels.stats.contingency_tables import Table  # lazy: statsmodels takes 1 s to import

    notes: list[str] = []
    chi2: float | None
    dof: int | None
    p_value: float | None
    if q.kind == "multi":
        resid = pd.DataFrame(index=counts.index, columns=groups, dtype=float)
        for option in counts.index:
            two_way = np.vstack([counts.loc[option].to_numpy(), (bases - counts.loc[option]).to_numpy()])
            if (two_way.sum(axis=1) == 0).any():
                resid.loc[option] = 0.0
            else:
                resid.loc[option] = Table(two_way).standardized_resids[0]
        chi2 = dof = p_value = None
        notes.append("multi_no_overall_test")
    else:
        if len(counts) < 2:
            raise DataError("survey_one_answer", "everyone gave the same answer", column=q.name)
        observed = counts.to_numpy()
        result = stats.chi2_contingency(observed, correction=False)
        chi2, p_value, dof = float(result.statistic), float(result.pvalue), int(result.dof)
        if (result.expected_freq < 5).mean() > 0.2:
            notes.append("low_expected")
        resid = pd.DataFrame(Table(observed).standardized_resids, index=counts.index, columns=groups)
    return resid, chi2, dof, p_value, notes
