"""The ``"gaps"`` section of the report."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.findings import ranked
from cs_models.gaps.analysis import analyse_gaps
from cs_models.gaps.churn import GapChurn, gap_churn
from cs_models.gaps.findings import churn_findings, findings, segment_findings
from cs_models.gaps.importance import importance_performance
from cs_models.gaps.reading import OUTCOMES, read_gaps
from cs_models.gaps.segments import SegmentComparison, compare_segments
from cs_models.results import json_number, jsonable


# --------------------------------------------------------------------------- report
def _items(table: pd.DataFrame) -> dict[str, Any]:
    return {
        str(item): {
            "n": int(r["n"]),
            "mean_expectation": json_number(r["mean_expectation"]),
            "mean_satisfaction": json_number(r["mean_satisfaction"]),
            "mean_gap": json_number(r["mean_gap"]),
            "ci": [json_number(r["ci_low"]), json_number(r["ci_high"])],
            "t_p": json_number(r["t_p"]),
            "wilcoxon_p": json_number(r["wilcoxon_p"]),
            "delight_share": json_number(r["delighted_share"]),
            "disappoint_share": json_number(r["disappointed_share"]),
        }
        for item, r in table.iterrows()
    }


def _details(table: pd.DataFrame) -> dict[str, Any]:
    return {
        str(item): {
            "t_p_holm": json_number(r["t_p_holm"]),
            "wilcoxon_p_holm": json_number(r["wilcoxon_p_holm"]),
            "verdict": str(r["verdict"]),
            "n_zero": int(r["n_zero"]),
            "cohen_dz": json_number(r["cohen_dz"]),
            "rank_biserial": json_number(r["rank_biserial"]),
            "met_share": json_number(r["met_share"]),
            **{
                f"{outcome}_ci": [json_number(r[f"{outcome}_low"]), json_number(r[f"{outcome}_high"])]
                for outcome in OUTCOMES
            },
        }
        for item, r in table.iterrows()
    }


def _segment(comparison: SegmentComparison) -> dict[str, Any]:
    return {
        "mean_gap": {
            str(item): {str(r["segment_value"]): json_number(r["mean_gap"]) for _, r in part.iterrows()}
            for item, part in comparison.table.groupby("item", sort=False, observed=True)
        },
        "kruskal_p_holm": {str(k): json_number(v) for k, v in comparison.tests["kruskal_p_holm"].items()},
        "notes": list(comparison.notes),
    }


def _churn(link: GapChurn) -> dict[str, Any]:
    return {
        "respondents": link.respondents,
        "matched": link.matched,
        "groups": {
            str(group): {"n": int(r["n"]), "events": int(r["events"]), "median_days": json_number(r["median_days"])}
            for group, r in link.km.summary.iterrows()
        },
        "logrank_p": json_number(link.logrank.p),
        "hazard_ratio_per_point": json_number(link.hazard_ratio),
        "hr_ci": [json_number(link.hr_lower), json_number(link.hr_upper)],
        "hr_p": json_number(link.hr_p),
        "notes": list(link.notes),
    }


def report_section(
    datasets: Datasets,
    *,
    as_of: date,
    gaps_layout: str = "auto",
    gaps_scale: str = "auto",
    gaps_zero_method: str = "wilcox",
    **options: Any,
) -> dict[str, Any] | None:
    """The ``"gaps"`` section of ``python -m cs_models report`` (``None`` without a gap survey).

    Shape: ``{"items": {ITEM: {"n", "mean_expectation", "mean_satisfaction", "mean_gap",
    "ci": [lo, hi], "t_p", "wilcoxon_p", "delight_share", "disappoint_share"}}`` (as the
    issue fixes it; ``t_p``/``wilcoxon_p`` unadjusted), plus ``"details"`` (Holm-adjusted
    p-values, verdict, effect sizes, Wilson intervals per item), ``"zero_method"``,
    ``"scale"``, ``"layout"``, ``"invalid_answers"``, ``"importance_source"``,
    ``"importance_performance"``, ``"segments"`` (mean gap per segment value and
    Kruskal–Wallis p per item, for every segment column) and ``"churn"`` (``None`` without
    customers or customer IDs); ``"results"``: the complete results the page renders (the gap analysis,
    importance–performance, each segment comparison and the churn link). ``"findings"`` (a ranked
    list of :class:`~cs_models.findings.Finding`, popped by the
    report into its top-level findings). Other options (meant for other sections) are ignored.

    Parameters
    ----------
    datasets : Datasets
    as_of : date
        As-of date of the gap → churn part.
    gaps_layout, gaps_scale : str
        As ``layout``/``scale`` of :func:`read_gaps` (the page's choices).
    gaps_zero_method : str
        As ``zero_method`` of :func:`analyse_gaps`.
    **options
        Options of other sections, ignored.

    Returns
    -------
    dict or None
        The section, ``None`` without a gap survey.
    """
    del options
    frame = datasets.gaps
    if frame is None:
        return None
    answers = read_gaps(frame, layout=gaps_layout, scale=gaps_scale)
    analysis = analyse_gaps(answers, zero_method=gaps_zero_method)
    ipa = importance_performance(answers)
    found = findings(analysis, ipa=ipa)
    out: dict[str, Any] = {
        "items": _items(analysis.items),
        "details": _details(analysis.items),
        "zero_method": gaps_zero_method,
        "scale": answers.scale,
        "layout": answers.layout.layout,
        "invalid_answers": answers.invalid.to_dict(orient="records"),
        "importance_source": ipa.importance_source,
        "importance_performance": {
            str(item): {"importance": json_number(r["importance"]), "performance": json_number(r["performance"]),
                        "quadrant": str(r["quadrant"])}
            for item, r in ipa.items.iterrows()
        },
        "segments": {},
        "churn": None,
    }
    results: dict[str, Any] = {"analysis": analysis, "importance_performance": ipa, "segments": {}, "churn": None}
    for segment in answers.segments:
        comparison = compare_segments(answers, segment)
        out["segments"][segment] = _segment(comparison)
        results["segments"][segment] = comparison
        found += segment_findings(comparison)
    if datasets.customers is not None and answers.answers["customer_id"].notna().any():
        try:
            link = gap_churn(answers, datasets.customers, as_of=as_of)
        except DataError as exc:
            out["churn"] = {"error": exc.to_dict()}
        else:
            found += churn_findings(link)
            out["churn"] = _churn(link)
            results["churn"] = link
    out["results"] = jsonable(results)
    out["findings"] = ranked(found)
    return out
