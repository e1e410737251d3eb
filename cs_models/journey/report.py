"""The ``"journey"`` section of ``python -m cs_models report``."""

from __future__ import annotations

from datetime import date
from typing import Any

from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.journey.analysis import JourneyResult, analyse_journey
from cs_models.journey.findings import findings
from cs_models.journey.history import journey_history
from cs_models.results import json_number, jsonable


def _interval(low: Any, high: Any) -> list[float | None]:
    return [json_number(low), json_number(high)]


def summary(result: JourneyResult) -> dict[str, Any]:
    """The journey numbers as JSON (without findings).

    Parameters
    ----------
    result : JourneyResult
        Output of :func:`cs_models.journey.analyse_journey`.

    Returns
    -------
    dict
        ``{"stages", "customers", "transition_matrix": {FROM: {TO: p}}, "stage_km_medians": {STAGE:
        {"median_days", "ci"}}, "churn_by_stage": {STAGE: {"rate_per_month", "ci"}}, "upgrade": {"naive_hr",
        "naive_ci", "time_varying_hr", "time_varying_ci", "p", "upgraders", "customers"} | None,
        "ltv_by_entry_stage": {STAGE: {"ltv", "ci", "months", "customers"}}, "ltv_by_path": [{"path": [STAGE, ...],
        "customers", "chance", "ltv", "ci"}], "mrr_by_stage", "mrr_source", "discount_rate"}``.
    """
    km = result.time_in_stage.summary
    effect = result.upgrade
    return {
        "stages": list(result.order), "customers": result.customers,
        "transition_matrix": {str(i): {str(j): json_number(v) for j, v in row.items()}
                              for i, row in result.matrix.iterrows()},
        "stage_km_medians": {str(s): {"median_days": json_number(r["median_days"]),
                                      "ci": _interval(r["median_lower"], r["median_upper"])} for s, r in km.iterrows()},
        "churn_by_stage": {str(s): {"rate_per_month": json_number(r["rate"]), "ci": _interval(r["low"], r["high"])}
                           for s, r in result.hazard.iterrows()},
        "upgrade": None if effect is None else {
            "naive_hr": json_number(effect.naive_hr), "naive_ci": _interval(effect.naive_low, effect.naive_high),
            "time_varying_hr": json_number(effect.hr), "time_varying_ci": _interval(effect.hr_low, effect.hr_high),
            "p": json_number(effect.hr_p), "upgraders": effect.upgraders, "customers": effect.customers,
            "design": "time-varying Cox (upgraded from the day of the upgrade), entry stage adjusted",
        },
        "ltv_by_entry_stage": {str(s): {"ltv": json_number(r["ltv"]), "ci": _interval(r["low"], r["high"]),
                                        "months": json_number(r["months"]), "customers": int(r["customers"])}
                               for s, r in result.ltv.iterrows()},
        "ltv_by_path": [{"path": [str(s) for s in r["path"]], "customers": int(r["customers"]),
                         "chance": json_number(r["chance"]), "ltv": json_number(r["ltv"]),
                         "ci": _interval(r["low"], r["high"])} for _, r in result.ltv_by_path.iterrows()],
        "mrr_by_stage": {str(s): json_number(v) for s, v in result.mrr.items()},
        "mrr_source": result.mrr_source, "discount_rate": result.discount_rate,
    }


def report_section(datasets: Datasets, *, as_of: date, **_options: Any) -> dict[str, Any] | None:
    """The journey through the stages as JSON (``None`` without customers and a plan history or events
    with a plan column, see :func:`cs_models.journey.history.journey_history`).

    Parameters
    ----------
    datasets : Datasets
        The loaded data (``customers`` and ``plan_history`` or ``events`` with a plan column).
    as_of : date
        As-of date.
    **_options
        Options of other sections (ignored).

    Returns
    -------
    dict or None
        :func:`summary` plus ``"stages_from"`` (``"plan_history"`` or ``"events"``), ``"results"`` (the
        complete result the page renders) and ``"findings"``; ``{"error": ...}`` when the data cannot be
        analysed.
    """
    history, source = journey_history(datasets)
    if history is None or datasets.customers is None:
        return None
    try:
        result = analyse_journey(history, datasets.customers, as_of)
    except DataError as exc:
        return {"error": exc.to_dict(), "stages_from": source}
    return {**summary(result), "stages_from": source, "results": jsonable({"journey": result}),
            "findings": findings(result)}
