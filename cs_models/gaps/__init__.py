"""Expectation vs satisfaction: where customers are delighted, where they are disappointed.

The gap of one answer is ``satisfaction - expectation`` (> 0 delights, < 0 disappoints).
Input is either long (one row per respondent and item)::

    respondent_id, item, expectation, satisfaction[, importance]

or wide (one row per respondent, one column pair per item) in one of three
naming patterns (see :data:`WIDE_PATTERNS`)::

    導入支援_期待, 導入支援_満足[, 導入支援_重要度]          ("ja")
    exp_onboarding, sat_onboarding[, imp_onboarding]        ("prefix")
    Onboarding (expectation), Onboarding (satisfaction)[, Onboarding (importance)]  ("paren")

Optional columns: ``respondent_id``, ``customer_id`` and any segment columns
(plan, company size, …). :func:`read_gaps` detects the layout and the answer
scale (1–5, 1–7 or 0–10; both can be overridden) and lists answers that are not
on the scale by spreadsheet row. :func:`analyse_gaps` gives the per-item table
(paired t-test and Wilcoxon signed-rank with Holm correction, effect sizes,
shares delighted / met / disappointed with Wilson intervals),
:func:`importance_performance` the importance–performance map,
:func:`compare_segments` gaps by segment and :func:`gap_churn` whether
customers with a negative mean gap churn sooner; :func:`findings`, :func:`segment_findings`
and :func:`churn_findings` read them.

The package is split by concept: ``reading`` (layout, scale, validation), ``analysis``
(per item), ``importance``, ``segments``, ``churn``, ``findings`` and ``report``.
"""

from cs_models.gap_layout import ROLES, WIDE_PATTERNS
from cs_models.gaps.analysis import GapAnalysis, analyse_gaps, rank_biserial
from cs_models.gaps.churn import NEGATIVE_GAP, NON_NEGATIVE_GAP, GapChurn, gap_churn, respondent_gaps
from cs_models.gaps.findings import churn_findings, findings, segment_findings
from cs_models.gaps.importance import ImportancePerformance, importance_performance
from cs_models.gaps.pipeline import analyse_table, churn_of_table, segments_of_table
from cs_models.gaps.reading import (
    FIRST_DATA_ROW,
    ID_COLUMNS,
    LAYOUTS,
    LONG_COLUMNS,
    MAX_SEGMENT_LEVELS,
    MIN_PAIRS,
    OUTCOMES,
    QUADRANTS,
    SCALES,
    ZERO_METHODS,
    GapAnswers,
    GapLayout,
    detect_layout,
    detect_scale,
    read_gaps,
)
from cs_models.gaps.report import report_section
from cs_models.gaps.segments import SegmentComparison, compare_segments

__all__ = [
    "FIRST_DATA_ROW",
    "ID_COLUMNS",
    "LAYOUTS",
    "LONG_COLUMNS",
    "MAX_SEGMENT_LEVELS",
    "MIN_PAIRS",
    "NEGATIVE_GAP",
    "NON_NEGATIVE_GAP",
    "OUTCOMES",
    "QUADRANTS",
    "ROLES",
    "SCALES",
    "WIDE_PATTERNS",
    "ZERO_METHODS",
    "GapAnalysis",
    "GapAnswers",
    "GapChurn",
    "GapLayout",
    "ImportancePerformance",
    "SegmentComparison",
    "analyse_gaps",
    "analyse_table",
    "churn_findings",
    "churn_of_table",
    "compare_segments",
    "detect_layout",
    "detect_scale",
    "findings",
    "gap_churn",
    "importance_performance",
    "rank_biserial",
    "read_gaps",
    "report_section",
    "respondent_gaps",
    "segment_findings",
    "segments_of_table",
]
