"""Gap → churn: do customers whose experience fell short churn sooner?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cs_models import survival
from cs_models.errors import DataError
from cs_models.gaps.reading import MIN_PAIRS, GapAnswers, _id_text
from cs_models.results import Result
from cs_models.stats import ALPHA


# ---------------------------------------------------------------------- gap → churn
def respondent_gaps(answers: GapAnswers) -> pd.DataFrame:
    """Each respondent's mean gap over the items they answered.

    Parameters
    ----------
    answers : GapAnswers
        From :func:`read_gaps`.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id``, ``customer_id``, ``mean_gap``, ``items_answered``.
    """
    frame = answers.answers.dropna(subset=["gap"])
    grouped = frame.groupby("respondent_id", sort=False, observed=True)
    return pd.DataFrame(
        {
            "customer_id": grouped["customer_id"].first(),
            "mean_gap": grouped["gap"].mean(),
            "items_answered": grouped["gap"].count(),
        }
    ).reset_index()


#: Codes of the two gap → churn groups.
NEGATIVE_GAP = "negative_gap"
NON_NEGATIVE_GAP = "non_negative_gap"


@dataclass(frozen=True)
class GapChurn(Result):
    """Do customers whose experience fell short of their expectations churn sooner?

    Attributes
    ----------
    customers : pandas.DataFrame
        The matched customers with ``duration_days``, ``event`` (from
        :func:`cs_models.survival.durations`), ``mean_gap`` and ``gap_group``
        (:data:`NEGATIVE_GAP` or :data:`NON_NEGATIVE_GAP`).
    respondents, matched : int
        Respondents with a customer ID, and how many of them match a customer
        who had started by the as-of date.
    km : cs_models.survival.KMResult
        Kaplan–Meier curves of the two groups.
    logrank : cs_models.survival.LogRankResult
        Log-rank test of the two groups.
    cox : cs_models.survival.CoxResult or None
        Cox model with ``mean_gap`` as the only covariate (``None`` when it cannot
        be fitted; the reason is in ``notes``).
    hazard_ratio, hr_lower, hr_upper, hr_p : float
        Hazard ratio of churn per +1 point of mean gap (< 1: a better-than-expected
        experience goes with slower churn), its interval and p-value.
    notes : tuple of str
        Codes of the survival module (``no_events`` …) and ``gaps_churn_cox:<code>``.
    """

    customers: pd.DataFrame
    respondents: int
    matched: int
    km: survival.KMResult
    logrank: survival.LogRankResult
    cox: survival.CoxResult | None
    hazard_ratio: float
    hr_lower: float
    hr_upper: float
    hr_p: float


def gap_churn(
    answers: GapAnswers, customers: pd.DataFrame, *, as_of: date, alpha: float = ALPHA
) -> GapChurn:
    """Survival of customers with a negative mean gap against the rest, and a Cox model.

    Each respondent's mean gap over the items they answered is attached to their
    customer (averaged when a customer answered more than once). Lifetimes run from
    ``start_date`` to churn or ``as_of`` (:func:`cs_models.survival.durations`).
    Respondents were necessarily still customers when they answered, so lifetimes
    before the survey are "immortal" for every respondent alike; the comparison is
    between respondents, not against non-respondents.

    Parameters
    ----------
    answers : GapAnswers
        From :func:`read_gaps`, with a ``customer_id`` column.
    customers : pandas.DataFrame
        Canonical customers (``customer_id``, ``start_date``, ``end_date``).
    as_of : date
        The as-of date.
    alpha : float
        1 − confidence level of the survival intervals.

    Returns
    -------
    GapChurn

    Raises
    ------
    DataError
        ``gaps_no_customer_ids`` (the survey has no customer IDs),
        ``gaps_churn_too_few`` (fewer than :data:`MIN_PAIRS` respondents match a customer),
        and the survival module's errors (``survival_*``).
    """
    ids = answers.answers["customer_id"]
    if ids.isna().all():
        raise DataError("gaps_no_customer_ids", "the survey has no customer_id column")
    per_respondent = respondent_gaps(answers).dropna(subset=["customer_id"])
    per_customer = per_respondent.groupby("customer_id", sort=False, observed=True)["mean_gap"].mean()
    known = customers.assign(customer_id=_id_text(customers["customer_id"]))
    known = known[known["customer_id"].isin(per_customer.index)]
    known = known[pd.to_datetime(known["start_date"]) <= pd.Timestamp(as_of)]
    matched = int(per_respondent["customer_id"].isin(known["customer_id"]).sum())
    if known["customer_id"].nunique() < MIN_PAIRS:
        raise DataError(
            "gaps_churn_too_few",
            f"only {matched} respondents match a customer; at least {MIN_PAIRS} needed",
            n=matched, minimum=MIN_PAIRS,
        )
    known = known.drop_duplicates("customer_id")
    frame = survival.durations(known[["customer_id", "start_date", "end_date"]], as_of)
    frame["mean_gap"] = frame["customer_id"].map(per_customer).to_numpy(dtype=float)
    frame["gap_group"] = np.where(frame["mean_gap"] < 0, NEGATIVE_GAP, NON_NEGATIVE_GAP)
    km = survival.kaplan_meier(frame, "gap_group", alpha=alpha)
    test = survival.logrank(frame, "gap_group")
    notes = [*km.notes, *test.notes]
    fit, hr = None, (np.nan, np.nan, np.nan, np.nan)
    try:
        fit = survival.cox(frame, ["mean_gap"], alpha=alpha)
    except DataError as exc:
        notes.append(f"gaps_churn_cox:{exc.code}")
    else:
        term = fit.table.set_index("column").loc["mean_gap"]
        hr = (float(term["hr"]), float(term["hr_lower"]), float(term["hr_upper"]), float(term["p"]))
    return GapChurn(
        customers=frame,
        respondents=int(per_respondent["respondent_id"].nunique()),
        matched=matched,
        km=km,
        logrank=test,
        cox=fit,
        hazard_ratio=hr[0],
        hr_lower=hr[1],
        hr_upper=hr[2],
        hr_p=hr[3],
        alpha=alpha,
        notes=tuple(dict.fromkeys(notes)),
    )


