"""What the community numbers mean: findings of roles, the event effect and participation churn."""

from __future__ import annotations

import math
from typing import Any

from cs_models.community.churn import CommunityChurn
from cs_models.community.events import EventEffect
from cs_models.community.log import Roles
from cs_models.findings import Finding, ranked
from cs_models.stats import ALPHA

SECTION = "community"
#: Share of posts by the top 10% of members above which posting counts as concentrated.
CONCENTRATED = 0.5


def _finding(name: str, severity: str, params: dict[str, Any], **evidence: Any) -> Finding:
    return Finding(f"{SECTION}.{name}", SECTION, severity, params, evidence)


def role_findings(roles: Roles, *, concentrated: float = CONCENTRATED) -> list[Finding]:
    """The layers of the community and how concentrated posting is.

    Parameters
    ----------
    roles : Roles
        Output of :func:`cs_models.community.community_roles`.
    concentrated : float
        Share of posts by the top 10% above which posting is called concentrated.

    Returns
    -------
    list of Finding
        ``community.roles`` (always), ``community.no_leaders`` (alert), ``community.posting_concentrated``.
    """
    c = roles.counts
    params = {"members": roles.members, "leaders": c["leader"], "followers": c["follower"],
              "audience": c["audience"], "audience_share": c["audience"] / roles.members if roles.members else math.nan,
              "days": roles.rule.window_days}
    out = [_finding("roles", "info", params, rule=roles.rule.to_dict())]
    if c["leader"] == 0:
        out.append(_finding("no_leaders", "alert", {"posts": roles.rule.leader_posts, "days": roles.rule.window_days}))
    if not math.isnan(roles.top_share) and roles.top_share >= concentrated:
        out.append(_finding("posting_concentrated", "notice", {"share": roles.top_share, "gini": roles.gini}))
    return out


def event_findings(effect: EventEffect, *, alpha: float = ALPHA) -> list[Finding]:
    """Whether members post more after their first event, beyond the general trend.

    Parameters
    ----------
    effect : EventEffect
        Output of :func:`cs_models.community.event_effect`.
    alpha : float
        Significance level of the Wilcoxon test.

    Returns
    -------
    list of Finding
        ``community.events_raise_posting`` (the DiD interval lies above 0),
        ``community.events_trend_only`` (before/after differs but not beyond the trend),
        ``community.events_no_effect``; none when there are too few attendees.
    """
    if math.isnan(effect.hl):
        return []
    params = {"n": len(effect.pairs), "weeks": effect.weeks, "before": effect.before_mean, "after": effect.after_mean,
              "hl": effect.hl, "low": effect.hl_low, "high": effect.hl_high, "p": effect.wilcoxon_p,
              "did": effect.did, "did_low": effect.did_low, "did_high": effect.did_high}
    evidence = {"test": "Wilcoxon signed-rank; Hodges–Lehmann CI; DiD with bootstrap CI"}
    if effect.did_low > 0:
        return [_finding("events_raise_posting", "positive", params, **evidence)]
    if effect.wilcoxon_p < alpha:
        return [_finding("events_trend_only", "notice", params, **evidence)]
    return [_finding("events_no_effect", "info", params, **evidence)]


def churn_findings(churn: CommunityChurn, *, alpha: float = ALPHA) -> list[Finding]:
    """Whether taking part goes with staying, from the time-varying model (an association).

    Parameters
    ----------
    churn : CommunityChurn
        Output of :func:`cs_models.community.participation_churn`.
    alpha : float
        Significance level of the hazard ratio.

    Returns
    -------
    list of Finding
        ``community.participation_goes_with_staying`` / ``community.participation_goes_with_churn``
        / ``community.no_participation_link``, each with the naive (biased) hazard ratio.
    """
    params = {"hr": churn.hazard_ratio, "low": churn.hr_lower, "high": churn.hr_upper, "p": churn.hr_p,
              "naive": churn.naive_hr, "participants": churn.participants}
    evidence = {"test": "time-varying Cox (lifelines CoxTimeVaryingFitter)", "episodes": churn.episodes}
    if churn.hr_p < alpha:
        if churn.hazard_ratio < 1:
            return [_finding("participation_goes_with_staying", "positive", params, **evidence)]
        return [_finding("participation_goes_with_churn", "notice", params, **evidence)]
    return [_finding("no_participation_link", "info", params, **evidence)]


def findings(roles: Roles, effect: EventEffect | None = None, churn: CommunityChurn | None = None, *,
             alpha: float = ALPHA) -> list[Finding]:
    """All community findings, most important first.

    Parameters
    ----------
    roles : Roles
    effect : EventEffect, optional
    churn : CommunityChurn, optional
    alpha : float
        Significance level of the tests.

    Returns
    -------
    list of Finding
    """
    out = role_findings(roles)
    if effect is not None:
        out += event_findings(effect, alpha=alpha)
    if churn is not None:
        out += churn_findings(churn, alpha=alpha)
    return ranked(out)
