"""Findings of the gap analysis: what disappoints, what delights, what to fix first, and the churn link.

The readings the page and the overview card show are decided here, from results and
thresholds passed as parameters, never in the UI.
"""

from __future__ import annotations

import math

from cs_models.findings import Finding, ranked
from cs_models.gaps.analysis import GapAnalysis
from cs_models.gaps.churn import NEGATIVE_GAP, NON_NEGATIVE_GAP, GapChurn
from cs_models.gaps.importance import ImportancePerformance
from cs_models.gaps.reading import MIN_PAIRS
from cs_models.gaps.segments import SegmentComparison
from cs_models.stats import ALPHA, check_alpha

SECTION = "gaps"


def _finding(name: str, severity: str, params: dict, evidence: dict | None = None) -> Finding:
    return Finding(f"{SECTION}.{name}", SECTION, severity, params, evidence or {})


def _item_finding(analysis: GapAnalysis, verdict: str) -> Finding | None:
    """The item with the largest clear gap of ``verdict`` (``"disappoints"``/``"delights"``)."""
    table = analysis.items
    part = table[table["verdict"] == verdict].dropna(subset=["mean_gap", "ci_low", "ci_high"])
    if part.empty:
        return None
    disappoints = verdict == "disappoints"
    item = part["mean_gap"].idxmin() if disappoints else part["mean_gap"].idxmax()
    row = part.loc[item]
    share = "disappointed_share" if disappoints else "delighted_share"
    name, severity = ("most_disappointing", "notice") if disappoints else ("most_delighting", "positive")
    params = {
        "item": str(item), "gap": abs(float(row["mean_gap"])), "low": float(row["ci_low"]),
        "high": float(row["ci_high"]), f"share_{share.split('_')[0]}": float(row[share]), "n": int(row["n"]),
    }
    evidence = {"test": "paired t-test, Holm", "p_holm": float(row["t_p_holm"]), "alpha": analysis.alpha}
    return _finding(name, severity, params, evidence)


def _priority_finding(ipa: ImportancePerformance) -> Finding | None:
    """The most important item of the "concentrate here" quadrant (high importance, low performance)."""
    focus = ipa.items[ipa.items["quadrant"] == "concentrate_here"].dropna(subset=["importance"])
    if focus.empty:
        return None
    item = focus.sort_values(["importance", "performance"], ascending=[False, True]).index[0]
    row = focus.loc[item]
    return _finding(
        "priority_item", "notice",
        {"item": str(item), "importance": float(row["importance"]), "performance": float(row["performance"])},
        {"importance_source": ipa.importance_source, "importance_cut": ipa.importance_cut,
         "performance_cut": ipa.performance_cut},
    )


def findings(
    analysis: GapAnalysis, *, alpha: float = ALPHA, ipa: ImportancePerformance | None = None
) -> list[Finding]:
    """Findings of the per-item analysis (and of the importance–performance map), ranked.

    Parameters
    ----------
    analysis : GapAnalysis
        From :func:`cs_models.gaps.analyse_gaps`; its verdicts use its own ``alpha``.
    alpha : float
        Significance level; verdicts are recomputed from the Holm-adjusted p when it
        differs from the analysis' own.
    ipa : ImportancePerformance, optional
        From :func:`cs_models.gaps.importance_performance`, for ``gaps.priority_item``.

    Returns
    -------
    list of Finding
        ``gaps.most_disappointing`` {item, gap, low, high, share_disappointed, n},
        ``gaps.most_delighting`` {item, gap, low, high, share_delighted, n} or
        ``gaps.no_clear_gap`` (no item clearly differs), and ``gaps.priority_item``
        {item, importance, performance}.
    """
    check_alpha(alpha)
    if not math.isclose(alpha, analysis.alpha):
        table = analysis.items.copy()
        clear = table["t_p_holm"] < alpha
        table["verdict"] = "no_clear_gap"
        table.loc[clear & (table["mean_gap"] > 0), "verdict"] = "delights"
        table.loc[clear & (table["mean_gap"] < 0), "verdict"] = "disappoints"
        analysis = GapAnalysis(table, analysis.zero_method, alpha=alpha, notes=analysis.notes)
    out = [f for f in (_item_finding(analysis, "disappoints"), _item_finding(analysis, "delights")) if f]
    if not out:
        out.append(_finding("no_clear_gap", "info", {"items": len(analysis.items)}))
    if ipa is not None and (priority := _priority_finding(ipa)) is not None:
        out.append(priority)
    return ranked(out)


def segment_findings(comparison: SegmentComparison, *, alpha: float = ALPHA) -> list[Finding]:
    """Whether an item's gap differs between the values of a segment column.

    Parameters
    ----------
    comparison : SegmentComparison
        From :func:`cs_models.gaps.compare_segments`.
    alpha : float
        Significance level of the Holm-adjusted Kruskal–Wallis p.

    Returns
    -------
    list of Finding
        ``gaps.segment_differs`` {item, segment, best, worst, best_value, worst_value, p}
        for the clearest item (values with at least :data:`MIN_PAIRS` answers), else
        ``gaps.segment_no_difference`` {segment}; none with a single segment value.
    """
    check_alpha(alpha)
    if "gaps_segment_one_group" in comparison.notes:
        return []
    tests = comparison.tests.dropna(subset=["kruskal_p_holm"])
    clear = tests[tests["kruskal_p_holm"] < alpha]
    table = comparison.table
    if not clear.empty:
        item = clear["kruskal_p_holm"].idxmin()
        of_item = table[(table["item"] == item) & (table["n"] >= MIN_PAIRS)].set_index("segment_value")
        if len(of_item) >= 2:
            best, worst = of_item["mean_gap"].idxmax(), of_item["mean_gap"].idxmin()
            params = {
                "item": str(item), "segment": comparison.segment, "best": str(best), "worst": str(worst),
                "best_value": float(of_item.loc[best, "mean_gap"]),
                "worst_value": float(of_item.loc[worst, "mean_gap"]),
                "p": float(clear.loc[item, "kruskal_p_holm"]),
            }
            return [_finding("segment_differs", "notice", params, {"test": "Kruskal-Wallis, Holm", "alpha": alpha})]
    return [_finding("segment_no_difference", "info", {"segment": comparison.segment})]


def churn_findings(churn: GapChurn, *, alpha: float = ALPHA) -> list[Finding]:
    """How the mean gap goes with churn (an association, not a cause).

    Parameters
    ----------
    churn : GapChurn
        From :func:`cs_models.gaps.gap_churn`.
    alpha : float
        Significance level of the log-rank test and of the hazard-ratio interval
        (the interval is the one of ``churn``, at its own ``alpha``).

    Returns
    -------
    list of Finding
        ``gaps.gap_predicts_churn`` {hr, low, high, p, change, n_neg, n_rest} when the
        hazard ratio per point is clearly below 1 and customers below expectation churned
        sooner by the log-rank test; ``gaps.gap_predicts_churn_hazard`` (same params) when
        only the hazard ratio is clear; ``gaps.gap_churn_reverse`` {hr, low, high, p};
        ``gaps.no_gap_churn_link`` {hr, low, high, p}; nothing without a hazard ratio or log-rank p.
    """
    check_alpha(alpha)
    hr, low, high = churn.hazard_ratio, churn.hr_lower, churn.hr_upper
    if not (math.isfinite(hr) and math.isfinite(low) and math.isfinite(high)):
        return []
    p = churn.logrank.p
    if not math.isfinite(p):
        return []
    params: dict = {"hr": hr, "low": low, "high": high, "p": p}
    evidence = {"test": "Cox (mean gap) and log-rank", "hr_p": churn.hr_p, "logrank_p": p, "alpha": alpha,
                "matched": churn.matched}
    if high < 1:
        n, events = churn.km.summary["n"], churn.logrank.table
        sooner = (NEGATIVE_GAP in events.index
                  and events.loc[NEGATIVE_GAP, "observed"] > events.loc[NEGATIVE_GAP, "expected"])
        params |= {"change": 1 - hr, "n_neg": int(n.get(NEGATIVE_GAP, 0)),
                   "n_rest": int(n.get(NON_NEGATIVE_GAP, 0))}
        name = "gap_predicts_churn" if p < alpha and sooner else "gap_predicts_churn_hazard"
        return [_finding(name, "notice", params, evidence)]
    if low > 1:
        return [_finding("gap_churn_reverse", "notice", params, evidence)]
    return [_finding("no_gap_churn_link", "info", params, evidence)]
