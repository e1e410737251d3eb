"""Support in numbers: ticket exports in, answer rate, first reply and resolution times as survival
(open tickets censored), SLA attainment, CSAT, and the association of ticket volume with churn.

- :func:`ticket_times` — per-ticket resolution and reply times as of a date.
- :func:`analyse_support` -> :class:`SupportAnalysis`; :func:`volume`; :func:`satisfied`.
- :func:`support_churn` -> :class:`SupportChurn` (landmark KM, time-varying Cox, last-90-days profile).
- :func:`findings`, :func:`churn_findings`; :func:`report_section` for the report.
"""

from __future__ import annotations

from cs_models.support.analysis import (
    GROUPS,
    PERIODS,
    PRIORITY_TARGETS,
    WITHIN_HOURS,
    SupportAnalysis,
    analyse_support,
    default_targets,
    reply_hours,
    satisfied,
    volume,
)
from cs_models.support.churn import BANDS, LANDMARK_DAYS, WINDOW_DAYS, SupportChurn, episodes, support_churn
from cs_models.support.findings import SLA_GOAL, churn_findings, findings
from cs_models.support.report import report_section
from cs_models.support.tickets import MIN_TICKETS, share_by, ticket_times

__all__ = [
    "BANDS",
    "GROUPS",
    "LANDMARK_DAYS",
    "MIN_TICKETS",
    "PERIODS",
    "PRIORITY_TARGETS",
    "SLA_GOAL",
    "WINDOW_DAYS",
    "WITHIN_HOURS",
    "SupportAnalysis",
    "SupportChurn",
    "analyse_support",
    "churn_findings",
    "default_targets",
    "episodes",
    "findings",
    "reply_hours",
    "report_section",
    "satisfied",
    "share_by",
    "support_churn",
    "ticket_times",
    "volume",
]
