"""Retention forecast and customer-base value: the shifted-beta-geometric model (Fader & Hardie).

- :func:`fit_sbg` -> :class:`SBGFit`; :func:`survival`, :func:`churn_probability`, :func:`derl`
  (discounted expected residual lifetime), :func:`survival_band`, :func:`counts_from_survival`.
- :func:`contract_periods`, :func:`counts`, :func:`observed_retention` — monthly or yearly contract
  periods from contract dates (immature periods never counted).
- :func:`forecast` -> :class:`ForecastResult` (per segment, with the Kaplan–Meier lifetime beside it).
- :func:`findings`; :func:`report_section` for the report.
"""

from __future__ import annotations

from cs_models.forecast.analysis import (
    ANNUAL_DISCOUNT,
    HORIZON,
    MARGIN,
    MIN_GROUP_CUSTOMERS,
    MIN_PERIODS,
    ForecastResult,
    forecast,
)
from cs_models.forecast.findings import BEYOND_NOTICE, findings, summary_frame
from cs_models.forecast.periods import (
    PERIOD_MONTHS,
    Periods,
    complete_months,
    contract_periods,
    counts,
    observed_retention,
)
from cs_models.forecast.report import report_section
from cs_models.forecast.sbg import (
    SBGFit,
    churn_probability,
    counts_from_survival,
    derl,
    derl_by_renewals,
    derl_interval,
    fit_sbg,
    survival,
    survival_band,
)

__all__ = [
    "ANNUAL_DISCOUNT",
    "BEYOND_NOTICE",
    "HORIZON",
    "MARGIN",
    "MIN_GROUP_CUSTOMERS",
    "MIN_PERIODS",
    "PERIOD_MONTHS",
    "ForecastResult",
    "Periods",
    "SBGFit",
    "churn_probability",
    "complete_months",
    "contract_periods",
    "counts",
    "counts_from_survival",
    "derl",
    "derl_by_renewals",
    "derl_interval",
    "findings",
    "fit_sbg",
    "forecast",
    "observed_retention",
    "report_section",
    "summary_frame",
    "survival",
    "survival_band",
]
