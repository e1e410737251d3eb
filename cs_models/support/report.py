"""The ``"support"`` section of ``python -m cs_models report``."""

from __future__ import annotations

from datetime import date
from typing import Any

from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.findings import Finding, ranked
from cs_models.results import json_number, jsonable
from cs_models.support.analysis import SupportAnalysis, analyse_support, reply_hours
from cs_models.support.churn import support_churn
from cs_models.support.findings import churn_findings, findings


def report_section(datasets: Datasets, *, as_of: date, **_options: Any) -> dict[str, Any] | None:
    """The support numbers as JSON (``None`` without tickets).

    Parameters
    ----------
    datasets : Datasets
        The loaded data (``tickets``; ``customers`` for the churn link).
    as_of : date
        Open tickets are censored at the end of this day.
    **_options
        Options of other sections (ignored).

    Returns
    -------
    dict or None
        ``{"tickets", "open", "answer_rate", "answer_rate_ci", "first_response_hours": {"median",
        "p90"}, "resolution": {"km_median_hours", "km_median_ci", "naive_median_hours", "within_24h",
        "within_72h", "by_priority": {P: {"km_median_hours", "n"}}, "by_channel": {...},
        "logrank": {column: {"chi2", "p", "df"}}}, "csat", "churn_link", "results": {"analysis",
        "churn_link"} (the complete results the page renders), "findings"}``.
    """
    tickets = datasets.tickets
    if tickets is None:
        return None
    result = analyse_support(tickets, as_of)
    median, low, high = result.median_hours()
    overall = result.within[result.within["group_column"] == ""].set_index("hours")["share"]
    out: dict[str, Any] = {
        "tickets": result.tickets, "open": result.open, "untimed": result.untimed,
        "answer_rate": json_number(result.answer.share) if result.answer else None,
        "answer_rate_ci": [json_number(result.answer.ci_low), json_number(result.answer.ci_high)]
        if result.answer else None,
        "first_response_hours": _reply(result),
        "resolution": {
            "km_median_hours": json_number(median), "km_median_ci": [json_number(low), json_number(high)],
            "naive_median_hours": json_number(result.naive_median_hours),
            "within_24h": json_number(overall.get(24.0)), "within_72h": json_number(overall.get(72.0)),
            **{f"by_{column}": {str(g): {"km_median_hours": json_number(result.median_hours(km, g)[0]),
                                         "n": int(km.summary.loc[g, "n"])} for g in km.groups}
               for column, km in result.by_group.items()},
            "logrank": {c: {"chi2": json_number(t.chi2), "p": json_number(t.p), "df": t.df}
                        for c, t in result.logrank.items()},
        },
        "csat": result.csat.to_dict() if result.csat else None,
        "churn_link": None,
    }
    found: list[Finding] = findings(result)
    results: dict[str, Any] = {"analysis": result, "churn_link": None}
    if datasets.customers is not None:
        try:
            link = support_churn(tickets, datasets.customers, as_of)
        except DataError as exc:
            out["churn_link"] = {"error": exc.to_dict()}
        else:
            out["churn_link"] = {
                "customers": link.customers, "matched_tickets": link.matched_tickets,
                "hazard_ratio_per_ticket_30d": json_number(link.hazard_ratio),
                "hr_ci": [json_number(link.hr_lower), json_number(link.hr_upper)], "hr_p": json_number(link.hr_p),
                "landmark_logrank_p": json_number(link.bands_logrank.p),
                "bands": {str(g): {"n": int(r["n"]), "events": int(r["events"])}
                          for g, r in link.bands.summary.iterrows()},
                "profile": {str(k): {c: json_number(v) for c, v in r.items()} for k, r in link.profile.iterrows()},
                "design": "association (landmark at day 90; time-varying Cox on tickets of the previous 30 days)",
            }
            results["churn_link"] = link
            found += churn_findings(link)
    out["results"] = jsonable(results)
    out["findings"] = ranked(found)
    return out


def _reply(result: SupportAnalysis) -> dict[str, Any] | None:
    """Median and 90th percentile of the time to first reply (Kaplan–Meier, unanswered censored)."""
    hours = reply_hours(result)
    return None if hours is None else {"median": json_number(hours[0]), "p90": json_number(hours[1])}
