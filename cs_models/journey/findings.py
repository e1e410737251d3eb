"""What the journey means: findings of :class:`cs_models.journey.JourneyResult`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cs_models.findings import Finding, ranked
from cs_models.journey.analysis import JourneyResult, JourneySummary
from cs_models.journey.upgrade import UpgradeEffect
from cs_models.stats import ALPHA

SECTION = "journey"


def _finding(name: str, severity: str, params: dict[str, Any], **evidence: Any) -> Finding:
    return Finding(f"{SECTION}.{name}", SECTION, severity, params, evidence)


def _upgrade(effect: UpgradeEffect, alpha: float) -> Finding:
    params = {"hr": effect.hr, "low": effect.hr_low, "high": effect.hr_high, "p": effect.hr_p,
              "naive": effect.naive_hr, "naive_low": effect.naive_low, "naive_high": effect.naive_high,
              "change": abs(1 - effect.hr), "upgraders": effect.upgraders}
    evidence = {"test": "time-varying Cox (Efron ties, as lifelines CoxTimeVaryingFitter), entry stage adjusted",
                "naive": "Cox with ever-upgraded fixed over the whole lifetime (immortal-time bias)"}
    if effect.hr_p < alpha:
        name, severity = ("upgrade_keeps", "positive") if effect.hr < 1 else ("upgrade_hastens", "alert")
        return _finding(name, severity, params, **evidence)
    return _finding("upgrade_unclear", "info", params, **evidence)


def _riskiest(result: JourneyResult | JourneySummary) -> list[Finding]:
    hazard = result.hazard.dropna(subset=["rate"])
    if len(hazard) < 2:
        return []
    worst, best = hazard["rate"].idxmax(), hazard["rate"].idxmin()
    w, b = hazard.loc[worst], hazard.loc[best]
    if not w["low"] > b["high"]:  # the intervals overlap: no stage named
        return []
    return [_finding("riskiest_stage", "notice", {"stage": worst, "rate": w["rate"], "low": w["low"],
                                                  "high": w["high"], "best": best, "best_rate": b["rate"]},
                     method="churns per customer-month in the stage, exact Poisson interval")]


def _ltv(result: JourneyResult | JourneySummary) -> list[Finding]:
    table = result.ltv.dropna(subset=["ltv"])
    if table.empty:
        return []
    first, top = table.index[0], table["ltv"].idxmax()
    unit = "months" if result.mrr_source == "months" else "money"
    params = {"first": first, "first_ltv": table.loc[first, "ltv"], "first_low": table.loc[first, "low"],
              "first_high": table.loc[first, "high"], "top": top, "top_ltv": table.loc[top, "ltv"],
              "top_low": table.loc[top, "low"], "top_high": table.loc[top, "high"],
              "rate": result.discount_rate}
    name = f"ltv_by_entry_{unit}" if top != first else f"ltv_first_{unit}"
    return [_finding(name, "info", params, method="Markov chain, fundamental matrix, bootstrap over customers")]


def _reach(result: JourneyResult | JourneySummary) -> list[Finding]:
    if len(result.order) < 2:
        return []
    first, last = result.order[0], result.order[-1]
    chance = float(result.reach.loc[first, last])
    if not math.isfinite(chance):
        return []
    return [_finding("reach_top", "info", {"first": first, "top": last, "share": chance,
                                           "months": float(np.nansum(result.months_in.loc[first]))})]


def findings(result: JourneyResult | JourneySummary, *, alpha: float = ALPHA) -> list[Finding]:
    """Findings of the journey, most important first.

    Parameters
    ----------
    result : JourneyResult or JourneySummary
        Output of :func:`cs_models.journey.analyse_journey` or of :func:`cs_models.journey.card_summary`
        (the same findings for the same data).
    alpha : float
        Significance level of the upgrade effect.

    Returns
    -------
    list of Finding
        ``journey.upgrade_keeps`` / ``journey.upgrade_hastens`` / ``journey.upgrade_unclear`` (with the
        naive ratio for contrast), ``journey.riskiest_stage`` (only when its churn interval lies above
        the safest stage's), ``journey.ltv_by_entry_money`` / ``_months`` (or ``ltv_first_*`` when the
        first stage is worth most) and ``journey.reach_top``.
    """
    out: list[Finding] = []
    if result.upgrade is not None:
        out.append(_upgrade(result.upgrade, alpha))
    return ranked(out + _riskiest(result) + _ltv(result) + _reach(result))
