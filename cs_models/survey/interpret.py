"""What the survey's results mean, as :class:`~cs_models.findings.Finding` objects.

Every decision the survey page and card used to make (is the first step a minority, which
option is chosen most, which crosstab cells differ at ``alpha``, is the NPS clearly above or
below zero, which column is the natural segment) is made here, with thresholds as parameters.
Sentences always state their base ("of the 107 who answered “Yes” to …").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from cs_models.findings import MIN_GROUP, Finding, ranked
from cs_models.stats import ALPHA, check_alpha
from cs_models.survey.crosstabs import Crosstab
from cs_models.survey.funnels import Funnel, default_funnel, funnel
from cs_models.survey.intervals import ReferenceComparison, Shares, shares
from cs_models.survey.questions import SMALL_BASE, Question, infer_questions
from cs_models.survey.scales import NPS, nps

SECTION = "survey"
#: A first funnel step below this share is a minority ("only 28.6% know CS").
MINORITY_SHARE = 0.5
#: Words of a column name that make it the natural segment of a crosstab (company size first).
SEGMENT_HINTS = ("規模", "size", "従業員", "employee")


def _finding(name: str, severity: str, params: dict[str, Any], **evidence: Any) -> Finding:
    return Finding(f"{SECTION}.{name}", SECTION, severity, params, evidence)


def _answers(accepted: Sequence[str]) -> str:
    return " / ".join(str(a) for a in accepted)


def funnel_findings(result: Funnel, *, min_group: int = MIN_GROUP, minority: float = MINORITY_SHARE) -> list[Finding]:
    """Readings of a funnel, each with its base: step 1's share, then each later step's share.

    Parameters
    ----------
    result : Funnel
        Output of :func:`cs_models.survey.funnel`.
    min_group : int
        Later steps answered by fewer respondents are not read.
    minority : float
        A first step below this share is reported as a minority (``survey.awareness_minority``).

    Returns
    -------
    list of Finding
        In step order.
    """
    table = result.table
    if table.empty or not table["answered"].iloc[0] > 0 or math.isnan(table["share"].iloc[0]):
        return []
    first = table.iloc[0]
    params = {
        "share": float(first["share"]),
        "low": float(first["ci_low"]),
        "high": float(first["ci_high"]),
        "n": int(first["answered"]),
        "answers": _answers(first["accepted"]),
        "question": str(first["question"]),
    }
    name = "awareness_minority" if first["share"] < minority else "funnel_first"
    out = [_finding(name, "notice" if name == "awareness_minority" else "info", params, method=result.method)]
    for row in table.iloc[1:].itertuples(index=False):
        if row.answered < min_group or math.isnan(row.share):
            continue
        step = {
            "step": int(row.step),
            "share": float(row.share),
            "n": int(row.answered),
            "answers": _answers(row.accepted),
            "question": str(row.question),
        }
        if row.within_first:  # asked only of step 1's passers: say so ("of the aware")
            step |= {"base_label": params["answers"], "base_question": params["question"]}
            out.append(_finding("funnel_step", "info", step, ci=[row.ci_low, row.ci_high]))
        else:
            out.append(_finding("funnel_step_all", "info", step, ci=[row.ci_low, row.ci_high]))
    return out


def top_choice_findings(result: Shares, *, min_group: int = MIN_GROUP) -> list[Finding]:
    """The most chosen option of a multi-select question (e.g. the top challenge).

    Parameters
    ----------
    result : Shares
        Output of :func:`cs_models.survey.shares` for a multi-select question.
    min_group : int
        Smallest base read.

    Returns
    -------
    list of Finding
        ``survey.top_challenge`` or nothing.
    """
    table = result.table.dropna(subset=["share"])
    if result.question.kind != "multi" or result.n < min_group or table.empty:
        return []
    top = table.loc[table["share"].idxmax()]
    params = {"option": str(top["option"]), "share": float(top["share"]), "n": result.n}
    params["question"] = result.question.name
    return [_finding("top_challenge", "info", params, ci=[top["ci_low"], top["ci_high"]])]


def crosstab_findings(result: Crosstab, *, min_group: int = MIN_GROUP) -> list[Finding]:
    """The overall test of a crosstab and each cell that differs at ``result.alpha`` (Holm).

    Parameters
    ----------
    result : Crosstab
        Output of :func:`cs_models.survey.crosstab`.
    min_group : int
        Cells of segments smaller than this are not named.

    Returns
    -------
    list of Finding
        ``survey.crosstab_differs`` / ``survey.crosstab_same`` then ``survey.crosstab_cell``.
    """
    marked = int((result.marks != "").to_numpy().sum())
    out: list[Finding] = []
    if result.p_value is not None:
        name = "crosstab_differs" if crosstab_differs(result) else "crosstab_same"
        params = {"segment": result.segment, "chi2": result.chi2, "dof": result.dof, "p": result.p_value}
        out.append(_finding(name, "notice" if name == "crosstab_differs" else "info", params | {"marked": marked}))
    for option in result.marks.index:
        for group in result.marks.columns:
            mark = result.marks.loc[option, group]
            if not mark or result.bases[group] < min_group:
                continue
            params = {
                "option": str(option),
                "segment": result.segment,
                "group": str(group),
                "share": float(result.column_share.loc[option, group]),
                "n": int(result.bases[group]),
            }
            name = "crosstab_higher" if result.residuals.loc[option, group] > 0 else "crosstab_lower"
            out.append(_finding(name, "notice", params, p_holm=float(result.p_adjusted.loc[option, group])))
    return out


def crosstab_differs(result: Crosstab) -> bool:
    """Whether the chi-square test rejects independence at ``result.alpha``.

    Parameters
    ----------
    result : Crosstab
        A crosstab with an overall test.

    Returns
    -------
    bool
        ``False`` also when there is no overall test (multi-select).
    """
    return result.p_value is not None and result.p_value < result.alpha


def reference_differs(result: ReferenceComparison) -> bool:
    """Whether the share differs from the reference rate at ``result.alpha``.

    Parameters
    ----------
    result : ReferenceComparison
        Output of :func:`cs_models.survey.compare_to_reference`.

    Returns
    -------
    bool
        ``p_value < alpha``.
    """
    return result.p_value < result.alpha


def nps_findings(result: NPS, *, min_group: int = MIN_GROUP) -> list[Finding]:
    """The NPS with its interval: positive when clearly above zero, alert when clearly below.

    Parameters
    ----------
    result : NPS
        Output of :func:`cs_models.survey.nps`.
    min_group : int
        Smallest base read.

    Returns
    -------
    list of Finding
        ``survey.nps_positive`` / ``survey.nps_negative`` / ``survey.nps_unclear`` or nothing.
    """
    if result.n < min_group or math.isnan(result.nps) or math.isnan(result.ci_low):
        return []
    params = {"nps": result.nps, "low": result.ci_low, "high": result.ci_high, "n": result.n}
    params |= {"promoters": result.promoter_share, "detractors": result.detractor_share}
    if result.ci_low > 0:
        return [_finding("nps_positive", "positive", params)]
    if result.ci_high < 0:
        return [_finding("nps_negative", "alert", params)]
    return [_finding("nps_unclear", "info", params)]


def default_segment(names: Sequence[str]) -> str | None:
    """The column to cross questions by: the first whose name hints at company size, else the first.

    Parameters
    ----------
    names : sequence of str
        Candidate segment columns.

    Returns
    -------
    str or None
        ``None`` when there is no candidate.
    """
    hinted = [n for n in names if any(h in str(n).lower() for h in SEGMENT_HINTS)]
    ordered = hinted or list(names)
    return ordered[0] if ordered else None


def small_base(n: int, limit: int = SMALL_BASE) -> bool:
    """Whether a base of ``n`` answering respondents is too small to read without a warning.

    Parameters
    ----------
    n : int
        Respondents in the base.
    limit : int
        Smallest base read without a warning.

    Returns
    -------
    bool
        ``0 < n < limit`` (an empty base is reported as "no answers" instead).
    """
    return 0 < n < limit


def findings(
    frame: pd.DataFrame,
    *,
    questions: Sequence[Question] | None = None,
    alpha: float = ALPHA,
    min_group: int = MIN_GROUP,
    method: str = "wilson",
) -> list[Finding]:
    """Ranked findings of a survey: its skip-logic funnel, top multi-select answers and NPS.

    Parameters
    ----------
    frame : DataFrame
        Canonical survey frame.
    questions : sequence of Question, optional
        Typed questions (default: :func:`~cs_models.survey.infer_questions`).
    alpha : float
        ``1 - confidence level`` of the intervals.
    min_group : int
        Smallest base a finding reads.
    method : str
        Interval method.

    Returns
    -------
    list of Finding
        Most important first.
    """
    check_alpha(alpha)
    qs = tuple(questions) if questions is not None else infer_questions(frame)
    out: list[Finding] = []
    steps = default_funnel(frame, qs)
    if steps:
        out += funnel_findings(funnel(frame, steps, method=method, alpha=alpha, questions=qs), min_group=min_group)
    for q in qs:
        if q.kind == "multi":
            out += top_choice_findings(shares(frame, q, method=method, alpha=alpha), min_group=min_group)
        elif q.kind == "nps":
            out += nps_findings(nps(frame, q, alpha=alpha), min_group=min_group)
    return ranked(out)


__all__ = [
    "crosstab_differs",
    "crosstab_findings",
    "default_segment",
    "findings",
    "funnel_findings",
    "nps_findings",
    "reference_differs",
    "small_base",
    "top_choice_findings",
]
