"""Survival analysis of customer lifetimes: how long customers stay and who leaves sooner.

Public API (signatures are stable; other modules rely on them):

- :func:`durations` — lifetimes in days from ``start_date``/``end_date`` up to the as-of
  date (customers still active are right-censored there).
- :func:`kaplan_meier` — Kaplan–Meier curves overall or per segment, log-log
  (exponential Greenwood) confidence intervals as in lifelines and R's
  ``survfit(conf.type = "log-log")``, medians with CIs, survival at 3/6/12/24 months
  and a KMunicate-style at-risk table.
- :func:`logrank` — log-rank test across segments, pairwise with Holm correction.
- :func:`cox` — Cox proportional hazards (lifelines, Efron ties) with hazard ratios,
  concordance, likelihood-ratio test and a proportional-hazards check.
- :func:`rmst` — restricted mean survival time to a horizon per segment, differences
  and lifetime value (LTV = revenue per month × RMST, plus a discounted variant).
- :func:`life_table` — monthly churn hazard (actuarial life table).
- :func:`analyse` — everything the churn page shows for one segment (one call, one cache entry).
- :func:`findings`, :func:`cox_findings` — plain-language findings of an analysis and of a Cox model.
- :func:`concordance` — Harrell's C, vectorised (Holm's adjustment: :func:`cs_models.stats.holm`).
- :func:`report_section` — the ``"survival"`` part of ``python -m cs_models report``.

Modules: :mod:`.frames` (durations, groups, counts), :mod:`.km` (Kaplan–Meier, life table),
:mod:`.logranktest`, :mod:`.coxph` (Cox, concordance), :mod:`.rmstltv` (RMST, LTV) and
:mod:`.analysis` (:func:`analyse`, :func:`findings`, :func:`report_section`).

Kaplan–Meier and the log-rank test are computed with numpy on event/at-risk count
matrices (one pass over the data for all groups); the tests check them against
lifelines and published R values.
"""

from __future__ import annotations

from cs_models.survival.analysis import (
    RETAINED_MONTH,
    SurvivalAnalysis,
    analyse,
    cox_findings,
    default_covariates,
    findings,
    report_section,
)
from cs_models.survival.coxph import COX_MAX_ROWS, COX_SEED, PH_MAX_ROWS, CoxResult, concordance, cox
from cs_models.survival.frames import (
    ALL,
    ANNUAL_DISCOUNT,
    CANONICAL,
    DAYS_PER_MONTH,
    DEFAULT_MAX_GROUPS,
    MIN_CUSTOMERS,
    MISSING,
    NOT_SEGMENTS,
    OTHER,
    SURVIVAL_MONTHS,
    covariate_columns,
    durations,
)
from cs_models.survival.km import KMResult, LifeTableResult, kaplan_meier, life_table
from cs_models.survival.logranktest import LogRankResult, logrank
from cs_models.survival.rmstltv import RMSTResult, rmst

__all__ = [
    "ALL",
    "ANNUAL_DISCOUNT",
    "CANONICAL",
    "COX_MAX_ROWS",
    "COX_SEED",
    "DAYS_PER_MONTH",
    "DEFAULT_MAX_GROUPS",
    "MIN_CUSTOMERS",
    "MISSING",
    "NOT_SEGMENTS",
    "OTHER",
    "PH_MAX_ROWS",
    "RETAINED_MONTH",
    "SURVIVAL_MONTHS",
    "CoxResult",
    "KMResult",
    "LifeTableResult",
    "LogRankResult",
    "RMSTResult",
    "SurvivalAnalysis",
    "analyse",
    "concordance",
    "covariate_columns",
    "cox",
    "cox_findings",
    "default_covariates",
    "durations",
    "findings",
    "kaplan_meier",
    "life_table",
    "logrank",
    "report_section",
    "rmst",
]
