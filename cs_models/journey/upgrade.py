"""Does upgrading keep customers? The upgrade as a time-varying covariate of a Cox model, next to the
naive comparison of upgraders and non-upgraders over their whole lifetimes.

The naive model credits upgraders with the months before they upgraded — months in which they could
not have churned and still be upgraders (immortal-time bias; Suissa 2008, *Am J Epidemiol* 167:492).
The time-varying model counts a customer as upgraded only from the day of the upgrade (start/stop
rows). Both models are fitted by :mod:`cs_models.journey.cox`: the estimates of lifelines'
``CoxTimeVaryingFitter`` and ``CoxPHFitter`` without importing lifelines, which the Overview's journey
card would otherwise pay for. Only customers who entered below the top stage (who could upgrade) are
compared; the entry stage is adjusted for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cs_models.journey import cox
from cs_models.results import Result

#: Fewest upgraders (and fewest churns) for the models to be fitted.
MIN_UPGRADERS = 10


@dataclass(frozen=True, kw_only=True)
class UpgradeEffect(Result):
    """Churn hazard ratio of upgrading: time-varying (honest) and naive (biased), with CIs.

    Attributes
    ----------
    customers, upgraders, churned : int
        Customers who could upgrade (entered below the top stage), those who did, churns among them.
    hr, hr_low, hr_high, hr_p : float
        Time-varying Cox: hazard after the upgrade relative to before (and to non-upgraders).
    naive_hr, naive_low, naive_high, naive_p : float
        Cox with "ever upgraded" fixed over the whole lifetime (the biased comparison).
    episodes : int
        Start/stop rows of the time-varying model.
    """

    customers: int
    upgraders: int
    churned: int
    hr: float
    hr_low: float
    hr_high: float
    hr_p: float
    naive_hr: float
    naive_low: float
    naive_high: float
    naive_p: float
    episodes: int


def upgrade_day(spells: pd.DataFrame) -> pd.Series:
    """Each customer's day of the first move to a later stage (NaN when never).

    Parameters
    ----------
    spells : DataFrame
        Output of :func:`cs_models.journey.stages.spells`.

    Returns
    -------
    Series
        Indexed by ``customer_id``, in the order of the spells.
    """
    previous = spells.groupby("customer_id", sort=False, observed=True)["rank"].shift()
    up = spells.loc[spells["rank"] > previous]
    first = up.groupby("customer_id", sort=False, observed=True)["start_day"].first()
    ids = spells["customer_id"].drop_duplicates()
    return first.reindex(ids.to_numpy())


def start_stop(spells: pd.DataFrame, order: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The time-varying (start/stop) table and the naive (one row per customer) table.

    Parameters
    ----------
    spells : DataFrame
        Output of :func:`cs_models.journey.stages.spells`.
    order : sequence of str
        Stages from first to last.

    Returns
    -------
    (DataFrame, DataFrame)
        ``id, start, stop, upgraded, event, entry_<stage>...`` (one or two rows per customer, the
        second from the upgrade day) and ``id, duration, event, upgraded, entry_<stage>...``; only
        customers who entered below the top stage; entry dummies for all but the first entry stage.
    """
    first = spells.drop_duplicates("customer_id").set_index("customer_id")
    first = first.loc[first["rank"] < len(order) - 1]
    up = upgrade_day(spells).reindex(first.index)
    tenure, event = first["tenure_days"].to_numpy(float), first["churned"].to_numpy(bool)
    entries = [s for s in order if s in set(first["stage"])][1:]
    dummies = {f"entry_{s}": (first["stage"] == s).astype(float).to_numpy() for s in entries}
    naive = pd.DataFrame({"id": first.index, "duration": tenure, "event": event,
                          "upgraded": up.notna().astype(float).to_numpy(), **dummies})
    u = up.to_numpy(float)
    has = np.isfinite(u) & (u > 0)
    before = pd.DataFrame({"id": first.index, "start": 0.0, "stop": np.where(has, u, tenure),
                           "upgraded": np.where(np.isfinite(u) & ~has, 1.0, 0.0), "event": event & ~has, **dummies})
    after = pd.DataFrame({"id": first.index, "start": u, "stop": tenure, "upgraded": 1.0, "event": event,
                          **dummies}).loc[has]
    long = pd.concat([before, after], ignore_index=True).sort_values(["id", "start"], kind="stable")
    return long.reset_index(drop=True), naive


def _ratio(estimate: cox.CoxEstimate) -> tuple[float, float, float, float]:
    """Hazard ratio, interval and p-value of the first column (``upgraded``)."""
    return (float(estimate.hr[0]), float(estimate.hr_low[0]), float(estimate.hr_high[0]), float(estimate.p[0]))


def _usable(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """Covariates that vary (a constant dummy makes the Cox model singular)."""
    return [c for c in columns if frame[c].nunique() > 1]


def upgrade_effect(spells: pd.DataFrame, order: Sequence[str], alpha: float) -> UpgradeEffect | None:
    """Time-varying and naive Cox hazard ratios of upgrading.

    Parameters
    ----------
    spells : DataFrame
        Output of :func:`cs_models.journey.stages.spells`.
    order : sequence of str
        Stages from first to last.
    alpha : float
        ``1 - confidence level``.

    Returns
    -------
    UpgradeEffect or None
        ``None`` with fewer than :data:`MIN_UPGRADERS` upgraders, non-upgraders or churns, or when a
        model does not converge (:func:`cs_models.journey.cox.fit`).
    """
    long, naive = start_stop(spells, order)
    upgraders = int(naive["upgraded"].sum())
    churned = int(naive["event"].sum())
    if min(upgraders, len(naive) - upgraders, churned) < MIN_UPGRADERS:
        return None
    covariates = _usable(naive, [c for c in naive.columns if c.startswith("entry_")])
    columns = ["upgraded", *covariates]
    tv = cox.fit(long["start"].to_numpy(float), long["stop"].to_numpy(float), long["event"].to_numpy(bool),
                 long[columns].to_numpy(float), alpha)
    cph = cox.fit(np.zeros(len(naive)), naive["duration"].to_numpy(float), naive["event"].to_numpy(bool),
                  naive[columns].to_numpy(float), alpha)
    if tv is None or cph is None:
        return None
    hr, low, high, p = _ratio(tv)
    n_hr, n_low, n_high, n_p = _ratio(cph)
    return UpgradeEffect(customers=len(naive), upgraders=upgraders, churned=churned, hr=hr, hr_low=low,
                         hr_high=high, hr_p=p, naive_hr=n_hr, naive_low=n_low, naive_high=n_high, naive_p=n_p,
                         episodes=len(long), alpha=alpha)
