"""From a raw gap table to results in one call each: what the page (cached) and the card use."""

from __future__ import annotations

from datetime import date

import pandas as pd

from cs_models.findings import Finding
from cs_models.gaps.analysis import GapAnalysis, analyse_gaps
from cs_models.gaps.churn import GapChurn, gap_churn
from cs_models.gaps.findings import churn_findings, findings, segment_findings
from cs_models.gaps.importance import ImportancePerformance, importance_performance
from cs_models.gaps.reading import GapAnswers, read_gaps
from cs_models.gaps.segments import SegmentComparison, compare_segments
from cs_models.stats import ALPHA


def analyse_table(
    frame: pd.DataFrame, *, layout: str = "auto", scale: str = "auto", zero_method: str = "wilcox",
    alpha: float = ALPHA,
) -> tuple[GapAnswers, GapAnalysis, ImportancePerformance, list[Finding]]:
    """Read a gap table and analyse it per item and on the importance–performance map.

    Parameters
    ----------
    frame : pandas.DataFrame
        The gap table.
    layout, scale : str
        As in :func:`cs_models.gaps.read_gaps`.
    zero_method : str
        As in :func:`cs_models.gaps.analyse_gaps`.
    alpha : float
        ``1 - confidence level`` and significance level.

    Returns
    -------
    tuple
        ``(answers, analysis, ipa, findings)``.
    """
    answers = read_gaps(frame, layout=layout, scale=scale)
    analysis = analyse_gaps(answers, alpha=alpha, zero_method=zero_method)
    ipa = importance_performance(answers)
    return answers, analysis, ipa, findings(analysis, alpha=alpha, ipa=ipa)


def segments_of_table(
    frame: pd.DataFrame, segment: str, *, layout: str = "auto", scale: str = "auto", alpha: float = ALPHA
) -> tuple[SegmentComparison, list[Finding]]:
    """:func:`cs_models.gaps.compare_segments` of a raw table, with its findings.

    Parameters
    ----------
    frame : pandas.DataFrame
        The gap table.
    segment : str
        A segment column.
    layout, scale : str
        As in :func:`cs_models.gaps.read_gaps`.
    alpha : float
        ``1 - confidence level`` and significance level.

    Returns
    -------
    tuple
        ``(comparison, findings)``.
    """
    comparison = compare_segments(read_gaps(frame, layout=layout, scale=scale), segment, alpha=alpha)
    return comparison, segment_findings(comparison, alpha=alpha)


def churn_of_table(
    frame: pd.DataFrame, customers: pd.DataFrame, *, as_of: date, layout: str = "auto", scale: str = "auto",
    alpha: float = ALPHA,
) -> tuple[GapChurn, list[Finding]]:
    """:func:`cs_models.gaps.gap_churn` of a raw table, with its findings.

    Parameters
    ----------
    frame : pandas.DataFrame
        The gap table (with ``customer_id``).
    customers : pandas.DataFrame
        Canonical customers.
    as_of : date
        The as-of date.
    layout, scale : str
        As in :func:`cs_models.gaps.read_gaps`.
    alpha : float
        ``1 - confidence level`` and significance level.

    Returns
    -------
    tuple
        ``(gap_churn, findings)``.

    Raises
    ------
    DataError
        As :func:`cs_models.gaps.gap_churn`.
    """
    churn = gap_churn(read_gaps(frame, layout=layout, scale=scale), customers, as_of=as_of, alpha=alpha)
    return churn, churn_findings(churn, alpha=alpha)
