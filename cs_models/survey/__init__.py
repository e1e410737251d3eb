"""Survey results: question typing, shares with honest intervals, funnels, crosstabs, Likert, NPS.

A survey frame has one row per respondent and one column per question (blank =
not asked or not answered), plus optional ``respondent_id`` and ``weight``
columns. Every percentage uses as its base the respondents who answered the
question, and the base is always reported.

Intervals for proportions are Wilson 95% intervals by default (Clopper–Pearson
``"beta"`` and ``"jeffreys"`` are selectable; the normal approximation is
refused: it gives an upper bound above 1 at 18/20). Bases under
:data:`SMALL_BASE` are flagged. With a ``weight`` column, shares are weighted
and their intervals use Kish's effective sample size
``n_eff = (sum w)^2 / sum(w^2)``.

Modules: :mod:`.questions` (typing, answers), :mod:`.intervals` (rates, shares, means,
reference comparison), :mod:`.funnels`, :mod:`.crosstabs`, :mod:`.scales` (Likert, NPS),
:mod:`.interpret` (findings and every decision the page used to make) and :mod:`.report`.
"""

from __future__ import annotations

from cs_models.stats import ALPHA, CI_METHODS, proportion_interval
from cs_models.survey.crosstabs import Crosstab, crosstab, segment_candidates
from cs_models.survey.funnels import Funnel, FunnelStep, default_funnel, funnel
from cs_models.survey.intervals import (
    NumericSummary,
    Rate,
    ReferenceComparison,
    Shares,
    answer_rate,
    compare_to_reference,
    numeric_summary,
    rate,
    shares,
)
from cs_models.survey.questions import (
    LIKERT_SCALES,
    QUESTION_KINDS,
    SIGNIFICANCE_MARKS,
    SMALL_BASE,
    Question,
    answered,
    choices,
    infer_question,
    infer_questions,
    likert_boxes,
    question_summary,
    retype,
    survey_weights,
    text_answers,
)
from cs_models.survey.scales import NPS, Likert, likert, nps

from cs_models.survey.interpret import (  # isort: skip  (reads the results above)
    crosstab_differs,
    crosstab_findings,
    default_segment,
    findings,
    funnel_findings,
    reference_differs,
    small_base,
)
from cs_models.survey.report import report_section  # isort: skip

__all__ = [
    "ALPHA",
    "CI_METHODS",
    "LIKERT_SCALES",
    "NPS",
    "QUESTION_KINDS",
    "SIGNIFICANCE_MARKS",
    "SMALL_BASE",
    "Crosstab",
    "Funnel",
    "FunnelStep",
    "Likert",
    "NumericSummary",
    "Question",
    "Rate",
    "ReferenceComparison",
    "Shares",
    "answer_rate",
    "answered",
    "choices",
    "compare_to_reference",
    "crosstab",
    "crosstab_differs",
    "crosstab_findings",
    "default_funnel",
    "default_segment",
    "findings",
    "funnel",
    "funnel_findings",
    "infer_question",
    "infer_questions",
    "likert",
    "likert_boxes",
    "nps",
    "numeric_summary",
    "proportion_interval",
    "question_summary",
    "rate",
    "reference_differs",
    "report_section",
    "retype",
    "segment_candidates",
    "shares",
    "small_base",
    "survey_weights",
    "text_answers",
]
