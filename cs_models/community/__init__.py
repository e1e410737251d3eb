"""Community: who leads, who follows, what events change, and whether taking part goes with staying.

- :func:`community_roles` -> :class:`Roles` (leader / follower / audience by a :class:`RoleRule`,
  month by month, top-10% share of posts, Lorenz curve).
- :func:`leader_candidates`: posting × results × fandom, each with its source.
- :func:`event_effect` -> :class:`EventEffect` (Wilcoxon, Hodges–Lehmann CI, difference in differences).
- :func:`participation_churn` -> :class:`CommunityChurn` (time-varying Cox, landmark Kaplan–Meier).
- :func:`findings` and friends; :func:`report_section` for the report.
"""

from __future__ import annotations

from cs_models.community.candidates import CRITERIA, leader_candidates
from cs_models.community.churn import GROUPS, LANDMARK_DAYS, CommunityChurn, participation_churn, start_stop
from cs_models.community.events import WEEKS, EventEffect, event_effect, hodges_lehmann, signed_rank_cdf
from cs_models.community.findings import churn_findings, event_findings, findings, role_findings
from cs_models.community.log import (
    ACTIONS,
    ROLES,
    RoleRule,
    Roles,
    action_code,
    assign_roles,
    community_roles,
    counts,
    lorenz,
    prepared,
    top_share,
)
from cs_models.community.report import report_section

__all__ = [
    "ACTIONS",
    "CRITERIA",
    "GROUPS",
    "LANDMARK_DAYS",
    "ROLES",
    "WEEKS",
    "CommunityChurn",
    "EventEffect",
    "RoleRule",
    "Roles",
    "action_code",
    "assign_roles",
    "churn_findings",
    "community_roles",
    "counts",
    "event_effect",
    "event_findings",
    "findings",
    "hodges_lehmann",
    "leader_candidates",
    "lorenz",
    "participation_churn",
    "prepared",
    "report_section",
    "role_findings",
    "signed_rank_cdf",
    "start_stop",
    "top_share",
]
