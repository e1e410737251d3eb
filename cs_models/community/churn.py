"""Participation and churn (the learning-community question), without immortal-time bias.

Comparing customers who ever took part with those who never did credits the participants with
the months they survived *before* joining (they had to survive to join): immortal time. Two
designs avoid it:

- a **time-varying Cox model** (lifelines ``CoxTimeVaryingFitter``): each customer's life is split
  at the day they first took part (a post, comment or event of a member linked to them);
  ``participating`` is 0 before and 1 after. The naive model with "ever took part" as a fixed
  covariate is fitted too, only to show the bias;
- a **landmark** comparison: customers active on the landmark day (``landmark_days`` before the
  as-of day) grouped by what they had done by then (took part / member only / not a member),
  followed from the landmark (Kaplan–Meier, log-rank).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cs_models.community.log import prepared
from cs_models.errors import DataError
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha
from cs_models.survival import KMResult, LogRankResult, durations, kaplan_meier, logrank

#: Days before the as-of day of the landmark (six months, as the article's follow-up).
LANDMARK_DAYS = 180
#: Actions that count as taking part.
PARTICIPATION: tuple[str, ...] = ("post", "comment", "event")
#: Landmark groups.
GROUPS: tuple[str, ...] = ("participant", "member", "non_member")


@dataclass(frozen=True, kw_only=True)
class CommunityChurn(Result):
    """Churn by participation (see the module docstring).

    Attributes
    ----------
    customers, members, participants : int
        Customers in the analysis; of them linked to a member; of them who took part by the as-of day.
    hazard_ratio, hr_lower, hr_upper, hr_p : float
        Time-varying Cox: churn hazard while taking part vs not (yet).
    naive_hr, naive_lower, naive_upper : float
        The biased "ever took part" model, for contrast.
    episodes : int
        Rows of the start/stop table.
    landmark : date
    km : KMResult or None
        Survival from the landmark by :data:`GROUPS` (``None`` when nobody was active then).
    km_logrank : LogRankResult or None
    """

    customers: int
    members: int
    participants: int
    hazard_ratio: float
    hr_lower: float
    hr_upper: float
    hr_p: float
    naive_hr: float
    naive_lower: float
    naive_upper: float
    episodes: int
    landmark: date
    km: KMResult | None
    km_logrank: LogRankResult | None


def start_stop(frame: pd.DataFrame, took_part: pd.Series) -> pd.DataFrame:
    """The start/stop table of the time-varying model.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`cs_models.survival.durations` (``customer_id``, ``duration_days``, ``event``).
    took_part : Series
        Day since the start at which each customer (index) first took part (clipped at 0).

    Returns
    -------
    DataFrame
        ``id, start, stop, participating, event``: one row before and one after the first
        participation when it falls inside the customer's life, else one row; ``event`` only on
        the last row of a churned customer.
    """
    day = frame["customer_id"].map(took_part).to_numpy(float)
    dur = frame["duration_days"].to_numpy(float)
    ids, event = frame["customer_id"].to_numpy(), frame["event"].to_numpy(bool)
    split = np.isfinite(day) & (day > 0) & (day < dur)
    from_start = np.isfinite(day) & (day <= 0)
    first = pd.DataFrame({"id": ids, "start": 0.0, "stop": np.where(split, day, dur),
                          "participating": from_start.astype(int), "event": event & ~split})
    second = pd.DataFrame({"id": ids[split], "start": day[split], "stop": dur[split], "participating": 1,
                           "event": event[split]})
    table = pd.concat([first, second], ignore_index=True)
    return table.loc[table["stop"] > table["start"]].sort_values(["id", "start"], kind="stable").reset_index(drop=True)


def _fit(table: pd.DataFrame, alpha: float) -> pd.Series:
    from lifelines import CoxTimeVaryingFitter  # lazy: lifelines takes 0.5 s to import
    from lifelines.exceptions import ConvergenceError

    fitter = CoxTimeVaryingFitter(alpha=alpha)
    try:
        fitter.fit(table, id_col="id", start_col="start", stop_col="stop", event_col="event",
                   fit_options={"step_size": 0.5})
    except ConvergenceError as exc:
        raise DataError("community_no_model", f"the time-varying Cox model did not converge: {exc}") from exc
    row = fitter.summary.loc["participating"]
    level = f"{100 * (1 - alpha):g}%"
    return pd.Series({"hr": row["exp(coef)"], "low": row[f"exp(coef) lower {level}"],
                      "high": row[f"exp(coef) upper {level}"], "p": row["p"]})


def _landmark(frame: pd.DataFrame, log: pd.DataFrame, as_of: date, days: int,
              alpha: float) -> tuple[date, KMResult | None, LogRankResult | None]:
    mark = pd.Timestamp(as_of) - pd.Timedelta(days=days)
    end = frame["start_date"] + pd.to_timedelta(frame["duration_days"], unit="D")
    alive = frame.loc[(frame["start_date"] <= mark) & (end > mark)].copy()
    before = log.loc[log["date"] < mark]
    took = set(before.loc[before["action"].isin(PARTICIPATION), "customer_id"])
    member = set(before["customer_id"])
    alive["group"] = np.select([alive["customer_id"].isin(took), alive["customer_id"].isin(member)], GROUPS[:2],
                               GROUPS[2])
    alive["duration_days"] = (end.loc[alive.index] - mark) / pd.Timedelta(days=1)
    if alive.empty:
        return mark.date(), None, None
    km = kaplan_meier(alive, "group", alpha=alpha)
    test = logrank(alive, "group") if alive["group"].nunique() > 1 else None
    return mark.date(), km, test


def participation_churn(log: pd.DataFrame, customers: pd.DataFrame, as_of: date, *,
                        landmark_days: int = LANDMARK_DAYS, alpha: float = ALPHA) -> CommunityChurn:
    """Churn of customers by community participation: time-varying Cox and a landmark Kaplan–Meier.

    Parameters
    ----------
    log : DataFrame
        Canonical community log.
    customers : DataFrame
        Canonical customers.
    as_of : date
        Nothing later is used.
    landmark_days : int
        Days before ``as_of`` of the landmark.
    alpha : float
        ``1 - confidence level``.

    Returns
    -------
    CommunityChurn

    Raises
    ------
    DataError
        ``community_no_match`` when no member is a customer, ``community_no_model`` when a Cox
        model does not converge.
    """
    check_alpha(alpha)
    frame = durations(customers, as_of)
    activity = prepared(log, as_of)
    activity = activity.loc[activity["customer_id"].isin(set(frame["customer_id"]))]
    if activity.empty:
        raise DataError("community_no_match", "no community member is in the customers list")
    starts = frame.set_index("customer_id")["start_date"]
    part = activity.loc[activity["action"].isin(PARTICIPATION)].groupby("customer_id", observed=True)["date"].min()
    took_part = ((part - starts.reindex(part.index)) / pd.Timedelta(days=1)).clip(lower=0)
    table = start_stop(frame, took_part)
    tv = _fit(table, alpha)
    ever = frame["customer_id"].isin(part.index).astype(int)
    naive = _fit(pd.DataFrame({"id": frame["customer_id"], "start": 0.0, "stop": frame["duration_days"],
                               "participating": ever, "event": frame["event"]}).loc[frame["duration_days"] > 0],
                 alpha)
    mark, km, test = _landmark(frame, activity, as_of, landmark_days, alpha)
    return CommunityChurn(
        customers=len(frame), members=int(activity["customer_id"].nunique()), participants=len(part),
        hazard_ratio=float(tv["hr"]), hr_lower=float(tv["low"]), hr_upper=float(tv["high"]), hr_p=float(tv["p"]),
        naive_hr=float(naive["hr"]), naive_lower=float(naive["low"]), naive_upper=float(naive["high"]),
        episodes=len(table), landmark=mark, km=km, km_logrank=test, alpha=alpha,
    )
