"""What the support numbers mean: findings of :class:`SupportAnalysis` and :class:`SupportChurn`."""

from __future__ import annotations

import math
from typing import Any

from cs_models.findings import Finding, ranked
from cs_models.stats import ALPHA
from cs_models.support.analysis import SupportAnalysis
from cs_models.support.churn import SupportChurn

SECTION = "support"
#: Share of tickets within the SLA target below which the target counts as missed.
SLA_GOAL = 0.9


def _finding(name: str, severity: str, params: dict[str, Any], **evidence: Any) -> Finding:
    return Finding(f"{SECTION}.{name}", SECTION, severity, params, evidence)


def _resolution(result: SupportAnalysis) -> list[Finding]:
    median, low, high = result.median_hours()
    if math.isinf(median):
        return [_finding("median_not_reached", "info", {"n": result.tickets, "open": result.open})]
    params = {"hours": median, "low": low, "high": high, "naive": result.naive_median_hours, "open": result.open}
    within = result.within[(result.within["group_column"] == "") & (result.within["hours"] == 24.0)]
    out = [_finding("resolution_median", "info", params, method="Kaplan–Meier, open tickets censored")]
    if len(within) and not math.isnan(within["share"].iloc[0]):
        r = within.iloc[0]
        out.append(_finding("solved_within_day", "info", {"share": r["share"], "low": r["low"], "high": r["high"]}))
    return out


def _slowest(result: SupportAnalysis, alpha: float) -> list[Finding]:
    test = result.logrank.get("priority")
    km = result.by_group.get("priority")
    if test is None or km is None or not test.p < alpha:
        return []
    medians = {g: result.median_hours(km, g)[0] for g in km.groups}
    finite = {g: m for g, m in medians.items() if not math.isinf(m)}
    if len(finite) < 2:
        return []
    slow, fast = max(finite, key=finite.__getitem__), min(finite, key=finite.__getitem__)
    return [_finding("slowest_priority", "notice", {"slow": slow, "slow_hours": finite[slow], "fast": fast,
                                                    "fast_hours": finite[fast], "p": test.p}, test="log-rank")]


def _sla(result: SupportAnalysis, goal: float) -> list[Finding]:
    out = []
    for r in result.sla.itertuples():
        if math.isnan(r.attained):
            continue
        params = {"priority": r.priority, "hours": r.target_hours, "share": r.attained, "low": r.low,
                  "high": r.high, "goal": goal}
        missed = r.high < goal  # even the upper end of the interval falls short
        out.append(_finding("sla_missed" if missed else "sla_attained", "alert" if missed else "info", params))
    return out


def findings(result: SupportAnalysis, *, alpha: float = ALPHA, sla_goal: float = SLA_GOAL) -> list[Finding]:
    """Findings of the support numbers, most important first.

    Parameters
    ----------
    result : SupportAnalysis
        Output of :func:`cs_models.support.analyse_support`.
    alpha : float
        Significance level of the priority comparison (log-rank).
    sla_goal : float
        Share of tickets that should meet each SLA target; a target whose interval lies
        wholly below it is an alert.

    Returns
    -------
    list of Finding
        Codes ``support.answer_rate``, ``support.resolution_median`` (with the naive median for
        contrast), ``support.median_not_reached``, ``support.solved_within_day``,
        ``support.slowest_priority``, ``support.sla_missed`` / ``support.sla_attained``,
        ``support.csat``.
    """
    out: list[Finding] = []
    if result.answer is not None:
        a = result.answer
        out.append(_finding("answer_rate", "info", {"share": a.share, "low": a.ci_low, "high": a.ci_high,
                                                    "n": a.n}))
    out += _resolution(result) + _slowest(result, alpha) + _sla(result, sla_goal)
    if result.csat is not None:
        c = result.csat
        out.append(_finding("csat", "info", {"share": c.share, "low": c.ci_low, "high": c.ci_high, "n": c.n}))
    return ranked(out)


def churn_findings(link: SupportChurn, *, alpha: float = ALPHA) -> list[Finding]:
    """Whether ticket volume goes with churn (time-varying Cox), said as an association.

    Parameters
    ----------
    link : SupportChurn
        Output of :func:`cs_models.support.support_churn`.
    alpha : float
        Significance level of the hazard ratio.

    Returns
    -------
    list of Finding
        ``support.tickets_go_with_churn`` (more churn), ``support.tickets_go_with_staying``
        (less churn) or ``support.no_ticket_churn_link``.
    """
    params = {"hr": link.hazard_ratio, "low": link.hr_lower, "high": link.hr_upper, "p": link.hr_p,
              "change": abs(link.hazard_ratio - 1), "days": 30}
    evidence = {"test": "time-varying Cox (lifelines CoxTimeVaryingFitter)", "episodes": link.episodes}
    if link.hr_p < alpha:
        name = "tickets_go_with_churn" if link.hazard_ratio > 1 else "tickets_go_with_staying"
        return [_finding(name, "notice", params, **evidence)]
    return [_finding("no_ticket_churn_link", "info", params, **evidence)]


