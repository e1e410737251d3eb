"""Gaps by segment (Kruskal–Wallis per item, Holm-corrected)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.errors import DataError
from cs_models.gaps.analysis import _check_levels
from cs_models.gaps.reading import MIN_PAIRS, GapAnswers
from cs_models.results import Result
from cs_models.stats import ALPHA, holm


# ----------------------------------------------------------------------- segments
@dataclass(frozen=True)
class SegmentComparison(Result):
    """Gaps by segment.

    Attributes
    ----------
    segment : str
        The segment column.
    table : pandas.DataFrame
        One row per item and segment value: ``item``, ``segment_value``, ``n``,
        ``mean_gap``, ``ci_low``, ``ci_high`` (t interval), ``disappointed_share``.
    tests : pandas.DataFrame
        Indexed by item: ``groups`` (segment values with at least two pairs),
        ``kruskal_stat``, ``kruskal_p`` (Kruskal–Wallis test that the gap
        distribution is the same in every segment), ``kruskal_p_holm``.
    notes : tuple of str
        ``gaps_segment_small:<value>`` for segment values with fewer than
        :data:`MIN_PAIRS` respondents, ``gaps_segment_one_group`` when the column
        has a single value.
    """

    segment: str
    table: pd.DataFrame
    tests: pd.DataFrame


def compare_segments(answers: GapAnswers, segment: str, *, alpha: float = ALPHA) -> SegmentComparison:
    """Mean gap per item within each value of a segment column, and whether they differ.

    Parameters
    ----------
    answers : GapAnswers
        From :func:`read_gaps`.
    segment : str
        One of :attr:`GapAnswers.segments`.
    alpha : float
        ``1 - confidence level`` of the t intervals.

    Returns
    -------
    SegmentComparison

    Raises
    ------
    DataError
        ``gaps_unknown_segment``.
    """
    _check_levels(alpha, "wilcox")
    if segment not in answers.segments:
        raise DataError("gaps_unknown_segment", f"no segment column {segment!r}", column=segment)
    pairs = answers.answers.dropna(subset=["gap", segment])
    pairs = pairs.assign(**{segment: pairs[segment].astype(str)})
    values = list(pd.unique(pairs[segment]))
    rows, tests, notes = [], {}, []
    if len(values) < 2:
        notes.append("gaps_segment_one_group")
    counts = pairs.drop_duplicates("respondent_id")[segment].value_counts()
    notes += [f"gaps_segment_small:{v}" for v in values if counts.get(v, 0) < MIN_PAIRS]
    for item in answers.items:
        of_item = pairs[pairs["item"] == item]
        groups = []
        for value in values:
            d = of_item.loc[of_item[segment] == value, "gap"].to_numpy()
            low = high = np.nan
            if d.size > 1 and d.std(ddof=1) > 0:
                ci = stats.ttest_1samp(d, 0.0).confidence_interval(1 - alpha)
                low, high = float(ci.low), float(ci.high)
            rows.append(
                {
                    "item": item, "segment_value": value, "n": int(d.size),
                    "mean_gap": float(d.mean()) if d.size else np.nan,
                    "ci_low": low, "ci_high": high,
                    "disappointed_share": float((d < 0).mean()) if d.size else np.nan,
                }
            )
            if d.size > 1:
                groups.append(d)
        stat = p = np.nan
        if len(groups) >= 2 and np.unique(np.concatenate(groups)).size > 1:
            result = stats.kruskal(*groups)
            stat, p = float(result.statistic), float(result.pvalue)
        tests[item] = {"groups": len(groups), "kruskal_stat": stat, "kruskal_p": p}
    test_table = pd.DataFrame.from_dict(tests, orient="index")
    test_table.index.name = "item"
    test_table["kruskal_p_holm"] = holm(test_table["kruskal_p"])
    return SegmentComparison(segment, pd.DataFrame(rows), test_table, alpha=alpha, notes=tuple(notes))


