"""The customer journey through plan stages (初心者 → 中級 → プロ志向; Light → Standard → Pro).

- :func:`analyse_journey` -> :class:`JourneyResult`: monthly stage transitions (Markov), time in each
  stage (Kaplan–Meier), churn by current stage, typical paths, the upgrade effect (time-varying Cox
  next to the naive comparison) and the lifetime value by entry stage and by typical path (fundamental
  matrix, bootstrap CIs); :func:`card_summary` -> :class:`JourneySummary`: only what the Overview card
  and the findings read, equal to the same fields of :func:`analyse_journey`.
- :mod:`.stages` (order, spells, monthly states), :mod:`.upgrade`, :mod:`.ltv` (Markov LTV, Monte Carlo),
  :mod:`.history` (the plan history, or plan changes derived from events with a plan column).
- :func:`findings`; :func:`report_section` for the report.
"""

from __future__ import annotations

from cs_models.journey.analysis import DISCOUNT_RATE, JourneyResult, JourneySummary, analyse_journey, card_summary
from cs_models.journey.findings import findings
from cs_models.journey.history import has_plan, journey_history, plan_history_from_events
from cs_models.journey.report import report_section, summary
from cs_models.journey.stages import ACTIVE, CHURN, complete_order, default_order
from cs_models.journey.upgrade import UpgradeEffect, start_stop, upgrade_effect

__all__ = [
    "ACTIVE",
    "CHURN",
    "DISCOUNT_RATE",
    "JourneyResult",
    "JourneySummary",
    "UpgradeEffect",
    "analyse_journey",
    "card_summary",
    "complete_order",
    "default_order",
    "findings",
    "has_plan",
    "journey_history",
    "plan_history_from_events",
    "report_section",
    "start_stop",
    "summary",
    "upgrade_effect",
]
