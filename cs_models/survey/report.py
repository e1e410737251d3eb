"""The survey section of ``python -m cs_models report``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cs_models.results import json_number, jsonable
from cs_models.survey.funnels import Funnel, FunnelStep, default_funnel, funnel
from cs_models.survey.interpret import findings
from cs_models.survey.intervals import numeric_summary, shares
from cs_models.survey.questions import (
    SMALL_BASE,
    Question,
    answered,
    infer_questions,
    survey_weights,
)
from cs_models.survey.scales import likert, nps


# ------------------------------------------------------------------ report
def report_section(
    datasets: Any,
    *,
    as_of: Any = None,
    method: str = "wilson",
    funnels: Sequence[Sequence[FunnelStep]] | None = None,
    **options: Any,
) -> dict | None:
    """The survey part of ``python -m cs_models report``.

    Returns ``{"questions": {name: {"type", "n", "small_base", "options": {option: {"count", "share",
    "ci": [lo, hi]}}}}, "funnels": [...], "weighted": bool, "results": {"questions": {name: {kind:
    result}}, "funnels": [...]}}`` (``"results"``: the complete results the page renders) (free text:
    ``type`` and ``n`` only; numeric: ``mean`` and its ``ci``; NPS also ``nps`` and its ``ci``), or
    ``None`` without a survey.
    With a ``weight`` column every share, NPS and funnel rate is weighted (``"weighted": true``);
    counts stay respondent counts.
    ``funnels`` defaults to the survey's skip-logic funnel (:func:`default_funnel`).
    ``"findings"`` holds the survey's :func:`findings` (Finding objects; the report lifts them out).

    Parameters
    ----------
    datasets : Datasets
        The loaded data; only its ``survey`` frame is read.
    as_of : date-like, optional
        Accepted like every section's; a survey has no dates, so it is unused.
    method : {"wilson", "beta", "jeffreys"}
        Interval method of every share, box, funnel rate and finding.
    funnels : Sequence[Sequence[FunnelStep]], optional
        Funnels to report; an empty one is skipped.
    **options
        Options of other sections (``segment``, ``covariates``...), ignored.

    Returns
    -------
    dict or None
        The section described above, or ``None`` when no survey is loaded.
    """
    frame = getattr(datasets, "survey", None)
    if frame is None:
        return None
    questions = infer_questions(frame)
    results = {q.name: _question_results(frame, q, method) for q in questions}
    chosen = [tuple(f) for f in funnels] if funnels is not None else [default_funnel(frame, questions)]
    funnel_results = [funnel(frame, steps, method=method, questions=questions) for steps in chosen if steps]
    return {
        "questions": {q.name: _question_entry(frame, q, results[q.name]) for q in questions},
        "funnels": [_funnel_entry(f) for f in funnel_results],
        "method": method,
        "weighted": survey_weights(frame) is not None,
        "results": jsonable({"questions": results, "funnels": funnel_results}),
        "findings": findings(frame, questions=questions, method=method),
    }


def _ci(low: Any, high: Any) -> list[float | None]:
    return [json_number(low), json_number(high)]


def _question_results(frame: Any, q: Question, method: str) -> dict[str, Any]:
    """The results the survey page renders for one question, by its kind."""
    out: dict[str, Any] = {}
    if q.kind in ("single", "multi", "likert", "nps"):
        out["shares"] = shares(frame, q, method=method)
    if q.kind == "likert":
        out["likert"] = likert(frame, q, method=method)
    if q.kind == "nps":
        out["nps"] = nps(frame, q)
    if q.kind == "numeric":
        out["numeric"] = numeric_summary(frame, q)
    return out


def _question_entry(frame: Any, q: Question, results: dict[str, Any]) -> dict[str, Any]:
    """One question's report entry (base, option shares, and its kind's summary)."""
    n = int(answered(frame, q).sum())
    entry: dict[str, Any] = {"type": q.kind, "n": n, "small_base": n < SMALL_BASE}
    if "shares" in results:
        table = results["shares"].table
        entry["options"] = {
            str(row.option): {
                "count": int(row.count),
                "share": json_number(row.share),
                "ci": _ci(row.ci_low, row.ci_high),
            }
            for row in table.itertuples(index=False)
        }
    if "likert" in results:
        lk = results["likert"]
        entry["top2"] = {"share": json_number(lk.top2.share), "ci": _ci(lk.top2.ci_low, lk.top2.ci_high)}
        entry["mean"] = {"value": json_number(lk.mean), "ci": _ci(lk.mean_low, lk.mean_high)}
    if "nps" in results:
        result = results["nps"]
        entry["nps"] = {
            "value": json_number(result.nps),
            "ci": _ci(result.ci_low, result.ci_high),
            "promoters": result.promoters,
            "passives": result.passives,
            "detractors": result.detractors,
        }
    if "numeric" in results:
        summary = results["numeric"]
        entry["mean"] = {"value": json_number(summary.mean), "ci": _ci(summary.ci_low, summary.ci_high)}
    return entry


def _funnel_entry(result: Funnel) -> dict[str, Any]:
    """One funnel's report entry: its steps' counts and rates with intervals, and its notes."""
    steps = [
        {
            "question": row.question,
            "accepted": list(row.accepted),
            "answered": int(row.answered),
            "reached": int(row.reached),
            "share": json_number(row.share),
            "share_ci": _ci(row.ci_low, row.ci_high),
            "conditional": json_number(row.conditional),
            "conditional_ci": _ci(row.cond_low, row.cond_high),
            "overall": json_number(row.overall),
            "overall_ci": _ci(row.overall_low, row.overall_high),
        }
        for row in result.table.itertuples(index=False)
    ]
    return {"steps": steps, "notes": list(result.notes)}
