"""One call for the churn page, its findings and the ``"survival"`` section of the report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from cs_models import stats as _stats
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.findings import MIN_GROUP, Finding, ranked
from cs_models.results import Result, frame_records, json_number, jsonable
from cs_models.stats import ALPHA
from cs_models.survival.coxph import CoxResult, cox
from cs_models.survival.frames import (
    ALL,
    ANNUAL_DISCOUNT,
    DAYS_PER_MONTH,
    DEFAULT_MAX_GROUPS,
    MISSING,
    NOT_SEGMENTS,
    OTHER,
    covariate_columns,
    durations,
)
from cs_models.survival.km import KMResult, LifeTableResult, kaplan_meier, life_table
from cs_models.survival.logranktest import LogRankResult, logrank
from cs_models.survival.rmstltv import RMSTResult, rmst


# --------------------------------------------------------------------------- one view
@dataclass(frozen=True)
class SurvivalAnalysis(Result):
    """Everything the churn page shows for one segment and horizon (except the Cox model).

    Attributes
    ----------
    overall : KMResult
        Kaplan–Meier of all customers.
    km : KMResult
        Per level of the segment (``overall`` without a segment).
    logrank : LogRankResult or None
        ``None`` without a segment.
    rmst : RMSTResult
        Per level of the segment (overall without a segment).
    life : LifeTableResult
    overall_rmst : RMSTResult or None
        RMST/LTV of all customers (the overall LTV of :func:`findings`).
    segment : str or None
        The segment column compared.
    """

    overall: KMResult
    km: KMResult
    logrank: LogRankResult | None
    rmst: RMSTResult
    life: LifeTableResult
    overall_rmst: RMSTResult | None = None
    segment: str | None = None


def default_covariates(frame: pd.DataFrame) -> list[str]:
    """The Cox model's default columns (page, story and report alike): the segment columns, then
    the numeric ones.

    Parameters
    ----------
    frame : DataFrame
        The customers whose columns are candidates (their segments and numeric attributes).

    Returns
    -------
    list of str
        Segment columns (2–12 levels) first, then :func:`covariate_columns`.
    """
    return [*_stats.segment_columns(frame, exclude=NOT_SEGMENTS), *covariate_columns(frame)]


def analyse(
    customers: pd.DataFrame,
    as_of: date | pd.Timestamp,
    segment: str | None = None,
    *,
    horizon_months: int = 24,
    annual_discount: float = ANNUAL_DISCOUNT,
    max_groups: int = DEFAULT_MAX_GROUPS,
) -> SurvivalAnalysis:
    """Durations, Kaplan–Meier (overall and per segment), log-rank, RMST/LTV and the life table.

    Parameters
    ----------
    customers : DataFrame
        Canonical customers.
    as_of : date
    segment : str, optional
        Segment column to compare.
    horizon_months : int
        RMST/LTV horizon, also the length of the life table.
    annual_discount : float
        Discount rate of the discounted LTV.
    max_groups : int

    Returns
    -------
    SurvivalAnalysis
    """
    frame = durations(customers, as_of)
    if segment is not None and segment in frame:
        # factorise the segment once, not in each of the four analyses below
        frame[segment] = frame[segment].astype("category")
    overall = kaplan_meier(frame)
    by_group = kaplan_meier(frame, segment, max_groups=max_groups) if segment else overall
    by_rmst = rmst(frame, segment, horizon_months=horizon_months, annual_discount=annual_discount,
                   max_groups=max_groups)
    return SurvivalAnalysis(
        overall=overall,
        km=by_group,
        logrank=logrank(frame, segment, max_groups=max_groups) if segment else None,
        rmst=by_rmst,
        life=life_table(frame, segment, months=horizon_months, max_groups=max_groups),
        overall_rmst=(rmst(frame, horizon_months=horizon_months, annual_discount=annual_discount)
                      if segment else by_rmst),
        segment=segment,
    )


# --------------------------------------------------------------------------- findings
SECTION = "churn"
#: Month at which the share still active is reported by :func:`findings`.
RETAINED_MONTH = 12


def _finding(name: str, severity: str, params: dict[str, Any], **evidence: Any) -> Finding:
    return Finding(f"{SECTION}.{name}", SECTION, severity, params, evidence)


def _overall_findings(analysis: SurvivalAnalysis) -> list[Finding]:
    """Median lifetime, share still active after a year and the overall LTV."""
    out: list[Finding] = []
    row = analysis.overall.summary.loc[ALL]
    n = int(row["n"])
    median, lower, upper = (float(row[c]) for c in ("median_days", "median_lower", "median_upper"))
    if not np.isfinite(median):
        out.append(_finding("median_not_reached", "info", {}, n=n))
    elif np.isfinite(lower) and np.isfinite(upper):
        out.append(_finding("median_lifetime", "info", {"days": median, "lower": lower, "upper": upper}, n=n))
    else:
        out.append(_finding("median_lifetime_open", "info", {"days": median}, n=n))
    at = analysis.overall.at_times
    share = at.loc[(at["group"] == ALL) & (at["months"] == RETAINED_MONTH), "survival"]
    if len(share) and np.isfinite(share.iloc[0]):
        out.append(_finding("retained_at_12", "info", {"share": float(share.iloc[0])}, n=n))
    else:
        out.append(_finding("too_young_for_12", "info", {}, n=n))
    ltv = analysis.overall_rmst
    if ltv is not None and ALL in ltv.table.index:
        r = ltv.table.loc[ALL]
        if all(np.isfinite(r[c]) for c in ("ltv", "ltv_lower", "ltv_upper")):
            months = ltv.horizon_days / DAYS_PER_MONTH
            out.append(_finding("ltv", "info", {"ltv": float(r["ltv"]), "low": float(r["ltv_lower"]),
                                                "high": float(r["ltv_upper"]), "horizon": round(months)},
                                revenue_per_month=float(r["revenue_per_month"])))
    return out


def _segment_findings(analysis: SurvivalAnalysis, alpha: float, min_group: int) -> list[Finding]:
    """Which segment stays longest, when the log-rank test says the curves differ."""
    test, segment = analysis.logrank, analysis.segment or analysis.km.group_column
    if test is None or segment is None or not np.isfinite(test.p):
        return []
    table = analysis.rmst.table
    named = table[(table["n"] >= min_group) & ~table.index.isin([ALL, OTHER, MISSING])]
    evidence = {"test": "logrank", "chi2": test.chi2, "df": test.df, "p": test.p}
    if test.p >= alpha:
        return [_finding("no_segment_difference", "info", {"segment": segment, "p": test.p}, **evidence)]
    if len(named) < 2:
        return []
    best, worst = str(named["rmst_days"].idxmax()), str(named["rmst_days"].idxmin())
    if best == worst:  # every segment's RMST equal (e.g. nobody has left yet): nobody stays longer
        return []
    ratio = float(named.loc[best, "rmst_days"] / named.loc[worst, "rmst_days"])
    params = {"segment": segment, "best": best, "worst": worst, "ratio": ratio, "p": test.p,
              "best_rmst": float(named.loc[best, "rmst_days"]), "worst_rmst": float(named.loc[worst, "rmst_days"]),
              "horizon": round(analysis.rmst.horizon_days / DAYS_PER_MONTH)}
    return [_finding("segment_lives_longer", "notice", params, **evidence,
                     n_best=int(named.loc[best, "n"]), n_worst=int(named.loc[worst, "n"]))]


def findings(analysis: SurvivalAnalysis, *, alpha: float = ALPHA, min_group: int = MIN_GROUP) -> list[Finding]:
    """Plain-language findings of a churn analysis, most important first.

    Parameters
    ----------
    analysis : SurvivalAnalysis
        Output of :func:`analyse`.
    alpha : float
        Significance level of the log-rank test.
    min_group : int
        Smallest group named as the longest or shortest staying.

    Returns
    -------
    list of Finding
        ``churn.segment_lives_longer`` (log-rank significant: the groups with the longest
        and shortest average lifetime, ``ratio`` of their RMST) or
        ``churn.no_segment_difference``; the median lifetime (``churn.median_lifetime``,
        ``churn.median_lifetime_open`` without a finite CI, ``churn.median_not_reached``);
        ``churn.retained_at_12`` (or ``churn.too_young_for_12`` when no one has been
        followed 12 months); ``churn.ltv`` with its CI when there is revenue.
    """
    _stats.check_alpha(alpha)
    return ranked(_segment_findings(analysis, alpha, min_group) + _overall_findings(analysis))


def cox_findings(cox: CoxResult, *, alpha: float = ALPHA) -> list[Finding]:
    """Significant churn drivers of a Cox model (strongest first) and proportional-hazards warnings.

    Parameters
    ----------
    cox : CoxResult
        Output of :func:`cox`.
    alpha : float
        Significance level of the hazard ratios.

    Returns
    -------
    list of Finding
        ``churn.driver`` (a level of a text column vs its reference) or
        ``churn.driver_numeric`` (per one-unit increase) per term with ``p < alpha``;
        ``churn.ph_violation`` per column whose effect changes over time.
    """
    _stats.check_alpha(alpha)
    table = cox.table[(cox.table["p"] < alpha) & np.isfinite(cox.table["hr"])]
    table = table.iloc[np.argsort(-np.abs(np.log(table["hr"].to_numpy(dtype=float))), kind="stable")]
    out = []
    for row in table.itertuples():
        evidence = {"test": "cox", "hr_lower": row.hr_lower, "hr_upper": row.hr_upper, "p": row.p}
        params = {"column": str(row.column), "hr": float(row.hr), "p": float(row.p)}
        if row.level:
            params |= {"level": str(row.level), "reference": str(row.reference)}
            out.append(_finding("driver", "notice", params, **evidence))
        else:
            out.append(_finding("driver_numeric", "notice", params, **evidence))
    out += [_finding("ph_violation", "notice", {"column": c}) for c in cox.ph_violations]
    return ranked(out)



# --------------------------------------------------------------------------- report
def report_section(
    datasets: Datasets,
    *,
    as_of: date,
    segment: str | Sequence[str] | None = None,
    covariates: Sequence[str] | None = None,
    horizon_months: int = 24,
    **_options: Any,
) -> dict[str, Any] | None:
    """The ``"survival"`` section of the report (``None`` without customers).

    Parameters
    ----------
    datasets : Datasets
    as_of : date
    segment : str or list of str, optional
        Group columns (default: every text column with 2–12 levels).
    covariates : list of str, optional
        Cox columns (default: :func:`default_covariates`).
    horizon_months : int
        RMST horizon.
    **_options
        Options meant for other sections (ignored).

    Returns
    -------
    dict or None
        Overall median with CI, per-segment medians (with CIs), log-rank tests (with the
        pairwise Holm-corrected tests), RMST/LTV with CIs, the overall LTV, the Cox model,
        ``"results"`` (the :class:`SurvivalAnalysis` of all customers and of each segment and the
        Cox fit, complete, as the churn page renders them) and ``"findings"``
        (:class:`~cs_models.findings.Finding` objects, taken out by the report).
    """
    customers = datasets.customers
    if customers is None:
        return None
    frame = durations(customers, as_of)
    if isinstance(segment, str):
        segments = [segment]
    else:
        segments = list(segment) if segment is not None else _stats.segment_columns(frame, exclude=NOT_SEGMENTS)
    whole = analyse(customers, as_of, horizon_months=horizon_months)
    by_segment = {column: analyse(customers, as_of, column, horizon_months=horizon_months) for column in segments}
    row = whole.overall.summary.loc[ALL]
    ltv_row = whole.rmst.table.loc[ALL]
    out: dict[str, Any] = {
        "n": int(row["n"]),
        "events": int(row["events"]),
        "median_days": json_number(row["median_days"]),
        "median_ci": [json_number(row["median_lower"]), json_number(row["median_upper"])],
        "groups": {}, "logrank": {}, "cox": None, "rmst": {},
        "notes": list(whole.overall.notes),
        "ltv": {"ltv": json_number(ltv_row["ltv"]),
                "ci": [json_number(ltv_row["ltv_lower"]), json_number(ltv_row["ltv_upper"])],
                "ltv_discounted": json_number(ltv_row["ltv_discounted"]),
                "horizon_days": whole.rmst.horizon_days},
    }
    found = _overall_findings(whole)
    for column, analysis in by_segment.items():
        _report_segment(out, column, analysis)
        found += _segment_findings(analysis, ALPHA, MIN_GROUP)
    cov = list(covariates) if covariates is not None else default_covariates(frame)
    fit: CoxResult | None = None
    if cov:
        try:
            fit = cox(frame, cov)
        except DataError as exc:
            out["cox"] = {"error": exc.to_dict()}
        else:
            out["cox"] = _report_cox(fit)
            found += cox_findings(fit)
    out["results"] = jsonable({"overall": whole, "segments": by_segment, "cox": fit})
    out["findings"] = ranked(found)
    return out


def _report_segment(out: dict[str, Any], column: str, analysis: SurvivalAnalysis) -> None:
    """Add one segment's medians, log-rank tests and RMST/LTV to the report section ``out``."""
    km, lr, rm = analysis.km, analysis.logrank, analysis.rmst
    out["groups"][column] = {
        str(level): {
            "n": int(r["n"]),
            "events": int(r["events"]),
            "median_days": json_number(r["median_days"]),
            "median_ci": [json_number(r["median_lower"]), json_number(r["median_upper"])],
        }
        for level, r in km.summary.iterrows()
    }
    out["logrank"][column] = None if lr is None else {
        "chi2": json_number(lr.chi2), "p": json_number(lr.p), "df": lr.df, "notes": list(lr.notes),
        "pairwise": frame_records(lr.pairwise),
    }
    out["rmst"][column] = {
        "horizon_days": rm.horizon_days,
        "reference": rm.reference,
        "groups": {
            str(level): {
                "rmst_days": json_number(r["rmst_days"]),
                "ci": [json_number(r["rmst_lower"]), json_number(r["rmst_upper"])],
                "diff_days": json_number(r["diff_days"]),
                "diff_p_holm": json_number(r["diff_p_holm"]),
                "ltv": json_number(r["ltv"]),
                "ltv_ci": [json_number(r["ltv_lower"]), json_number(r["ltv_upper"])],
                "ltv_discounted": json_number(r["ltv_discounted"]),
            }
            for level, r in rm.table.iterrows()
        },
    }


def _report_cox(fit: CoxResult) -> dict[str, Any]:
    """The Cox part of the report section."""
    names = [_term_name(r) for r in fit.table.itertuples()]
    table = fit.table
    return {
        "coef": {k: json_number(v) for k, v in zip(names, table["coef"], strict=True)},
        "hr": {k: json_number(v) for k, v in zip(names, table["hr"], strict=True)},
        "hr_ci": {
            k: [json_number(lo), json_number(hi)]
            for k, lo, hi in zip(names, table["hr_lower"], table["hr_upper"], strict=True)
        },
        "p": {k: json_number(v) for k, v in zip(names, table["p"], strict=True)},
        "concordance": json_number(fit.concordance),
        "lr_test": {"chi2": json_number(fit.lr_chi2), "df": fit.lr_df, "p": json_number(fit.lr_p)},
        "ph_violations": list(fit.ph_violations),
        "dropped": [list(d) for d in fit.dropped],
        "n": fit.n,
        "sampled_from": fit.sampled_from,
        "ph_test": frame_records(fit.ph_test),
        "notes": list(fit.notes),
    }


def _term_name(row: Any) -> str:
    """``column`` for numeric terms, ``column=level`` for one-hot terms."""
    return f"{row.column}={row.level}" if row.level else str(row.column)
