"""What the retention forecast means: findings of :class:`~cs_models.forecast.ForecastResult`."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from cs_models.findings import MIN_GROUP, Finding, ranked
from cs_models.forecast.analysis import ForecastResult
from cs_models.survival import ALL

SECTION = "forecast"
#: Share of a new customer's discounted value after the observed window above which it is a notice.
BEYOND_NOTICE = 0.3


def _finding(name: str, severity: str, params: dict[str, Any], **evidence: Any) -> Finding:
    return Finding(f"{SECTION}.{name}", SECTION, severity, params, evidence)


def _overall(result: ForecastResult, beyond_notice: float) -> list[Finding]:
    if ALL not in result.table.index or result.table.loc[ALL, "status"] != "ok":
        return []
    row, months = result.table.loc[ALL], result.period_months
    evidence = {"model": "shifted-beta-geometric (Fader & Hardie 2007)", "alpha": row["alpha"], "beta": row["beta"]}
    out = []
    if result.observed_periods > 0 and not math.isnan(row["share_beyond"]):
        out.append(_finding("beyond_window", "notice" if row["share_beyond"] >= beyond_notice else "info", {
            "share": row["share_beyond"], "window": result.observed_periods * months,
            "new_months": row["new_lifetime"] * months, "km_months": row["km_lifetime"] * months,
            "rate": result.annual_discount}, **evidence))
    if row["active"] > 0 and not math.isnan(row["ltv_total"]):
        out.append(_finding("base_value", "info", {
            "active": int(row["active"]), "value": row["ltv_total"], "low": row["ltv_total_lower"],
            "high": row["ltv_total_upper"], "months": row["derl"] * months, "margin": result.margin}, **evidence))
    a, b, w = row["alpha"], row["beta"], max(result.observed_periods, 1)
    first, later = b / (a + b), (b + w - 1) / (a + b + w - 1)  # sBG retention rate of renewal 1 and w
    if later > first:
        out.append(_finding("retention_rises", "info", {"first": first, "later": later, "window": w * months},
                            **evidence))
    return out


def _segments(result: ForecastResult, min_group: int) -> list[Finding]:
    """The segment whose active customers are expected to stay longest (discounted), if separated."""
    if result.segment is None:
        return []
    table = result.table.drop(index=ALL, errors="ignore")
    table = table[(table["status"] == "ok") & (table["active"] >= min_group) & table["derl"].notna()]
    if len(table) < 2:
        return []
    best, worst = table["derl"].idxmax(), table["derl"].idxmin()
    b, w = table.loc[best], table.loc[worst]
    months = result.period_months
    params = {"segment": result.segment, "best": best, "best_months": b["derl"] * months,
              "best_low": b["derl_lower"] * months, "best_high": b["derl_upper"] * months, "worst": worst,
              "worst_months": w["derl"] * months, "worst_low": w["derl_lower"] * months,
              "worst_high": w["derl_upper"] * months, "best_ltv": b["ltv"]}
    separated = b["derl_lower"] > w["derl_upper"]
    return [_finding("highest_derl" if separated else "derl_overlap", "notice" if separated else "info", params,
                     method="DERL intervals from the parameters' asymptotic normal distribution")]


def _unfitted(result: ForecastResult) -> list[Finding]:
    skipped = result.table[result.table["status"] != "ok"]
    return [_finding(f"not_fitted_{status}", "info", {"group": group, "n": int(n)})
            for group, status, n in zip(skipped.index, skipped["status"], skipped["n"], strict=True)]


def findings(result: ForecastResult, *, beyond_notice: float = BEYOND_NOTICE, min_group: int = MIN_GROUP
             ) -> list[Finding]:
    """Findings of a retention forecast, most important first.

    Parameters
    ----------
    result : ForecastResult
        Output of :func:`cs_models.forecast.forecast`.
    beyond_notice : float
        Share of a new customer's discounted value after the observed window from which the
        finding ``forecast.beyond_window`` is a notice (the restricted lifetime misses that much).
    min_group : int
        Fewest active customers a segment needs to be compared.

    Returns
    -------
    list of Finding
        ``forecast.beyond_window``, ``forecast.base_value``, ``forecast.retention_rises``,
        ``forecast.highest_derl`` (intervals apart) or ``forecast.derl_overlap``, and
        ``forecast.not_fitted_<status>`` for groups without a fit.
    """
    return ranked(_overall(result, beyond_notice) + _segments(result, min_group) + _unfitted(result))


def summary_frame(result: ForecastResult) -> pd.DataFrame:
    """The per-group numbers in months (for tables and downloads): lifetimes × months per period.

    Parameters
    ----------
    result : ForecastResult
        A forecast.

    Returns
    -------
    DataFrame
        ``result.table`` with ``derl, derl_lower, derl_upper, new_lifetime, window_lifetime,
        km_lifetime`` in months.
    """
    table = result.table.copy()
    for column in ("derl", "derl_lower", "derl_upper", "new_lifetime", "window_lifetime", "km_lifetime"):
        table[column] = table[column] * result.period_months
    return table
