"""The ``"forecast"`` section of ``python -m cs_models report``."""

from __future__ import annotations

from datetime import date
from typing import Any

from cs_models.datasets import Datasets
from cs_models.forecast.analysis import ANNUAL_DISCOUNT, MARGIN, forecast
from cs_models.forecast.findings import findings
from cs_models.results import json_number, jsonable


def report_section(
    datasets: Datasets,
    *,
    as_of: date,
    segment: str | None = None,
    forecast_period: str = "month",
    margin: float = MARGIN,
    annual_discount: float = ANNUAL_DISCOUNT,
    **_options: Any,
) -> dict[str, Any] | None:
    """The retention forecast as JSON (``None`` without customers).

    Parameters
    ----------
    datasets : Datasets
        The loaded data (``customers``).
    as_of : date
        Only contract periods wholly elapsed by this date count.
    segment : str, optional
        Segment column (the report's ``--segment``); all customers are always included.
    forecast_period : {"month", "year"}
        Contract period (the report's ``--period``).
    margin : float
        Gross margin share of revenue.
    annual_discount : float
        Discount rate per year of the DERL.
    **_options
        Options of other sections (ignored).

    Returns
    -------
    dict or None
        ``{"period", "segment", "observed_periods", "margin", "annual_discount", "segments": {NAME:
        {"n", "active", "status", "alpha", "beta", "alpha_ci", "beta_ci", "projected_retention",
        "projected_retention_ci", "derl", "derl_ci", "ltv", "ltv_total", "ltv_total_ci",
        "new_customer_lifetime", "new_customer_ltv", "km_lifetime", "km_ltv", "share_beyond_window"}},
        "results": {"forecast"} (the complete result the page renders), "findings"}``; lifetimes in
        periods, ``projected_retention`` for ``t = 0 … horizon``.
    """
    customers = datasets.customers
    if customers is None:
        return None
    if isinstance(segment, list | tuple):  # the survival section takes several; the forecast the first
        segment = segment[0] if segment else None
    result = forecast(customers, as_of, segment, period=forecast_period, margin=margin, annual_discount=annual_discount)
    segments = {}
    for group, row in result.table.iterrows():
        curve = result.curves[result.curves["group"] == group]
        segments[str(group)] = {
            "n": int(row["n"]), "active": int(row["active"]), "status": row["status"],
            "alpha": json_number(row["alpha"]), "beta": json_number(row["beta"]),
            "alpha_ci": [json_number(row["alpha_lower"]), json_number(row["alpha_upper"])],
            "beta_ci": [json_number(row["beta_lower"]), json_number(row["beta_upper"])],
            "projected_retention": [json_number(v, 6) for v in curve["fitted"]],
            "projected_retention_ci": [[json_number(lo, 6), json_number(hi, 6)]
                                       for lo, hi in zip(curve["lower"], curve["upper"], strict=True)],
            "derl": json_number(row["derl"]),
            "derl_ci": [json_number(row["derl_lower"]), json_number(row["derl_upper"])],
            "ltv": json_number(row["ltv"]), "ltv_total": json_number(row["ltv_total"]),
            "ltv_total_ci": [json_number(row["ltv_total_lower"]), json_number(row["ltv_total_upper"])],
            "new_customer_lifetime": json_number(row["new_lifetime"]), "new_customer_ltv": json_number(row["new_ltv"]),
            "km_lifetime": json_number(row["km_lifetime"]), "km_ltv": json_number(row["km_ltv"]),
            "share_beyond_window": json_number(row["share_beyond"]),
        }
    return {
        "period": result.period, "segment": result.segment, "observed_periods": result.observed_periods,
        "horizon": result.horizon, "margin": result.margin, "annual_discount": result.annual_discount,
        "period_discount": result.period_discount, "lifetime_unit": result.period,
        "segments": segments, "notes": list(result.notes), "results": jsonable({"forecast": result}),
        "findings": findings(result),
    }
