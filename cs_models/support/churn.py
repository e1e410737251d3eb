"""Support and churn: do customers who ask for help more often leave sooner? (Association only.)

Two views that never credit the future backwards:

- a **landmark** comparison: customers still active 90 days after they started, grouped by
  the tickets they opened in those first 90 days, followed from day 90 (Kaplan–Meier,
  log-rank);
- a **time-varying Cox model**: every 30 days of each customer's life, the churn hazard is
  related to the tickets opened in the 30 days before (lifelines ``CoxTimeVaryingFitter``).

And the profile of the last 90 days: tickets of churned customers before they left vs active
customers before the as-of date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cs_models.errors import DataError
from cs_models.ids import lookup
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha, proportion_interval
from cs_models.support.tickets import cutoff
from cs_models.survival import KMResult, LogRankResult, durations, kaplan_meier, logrank

#: Days after the start at which the landmark groups are formed, and the profile window.
LANDMARK_DAYS = 90
#: Length (days) of the episodes of the time-varying model and of its look-back window.
WINDOW_DAYS = 30
#: Ticket bands of the first 90 days: none, 1–2, 3 or more.
BANDS: tuple[str, ...] = ("none", "some", "many")
MANY_FROM = 3


@dataclass(frozen=True, kw_only=True)
class SupportChurn(Result):
    """Churn by ticket volume (see the module docstring for the designs).

    Attributes
    ----------
    customers : int
        Customers matched to at least the customers list (with or without tickets).
    matched_tickets : int
        Tickets whose ``customer_id`` is in the customers list.
    bands : KMResult
        Survival from day :data:`LANDMARK_DAYS` by band of first-90-day tickets (column ``band``).
    bands_logrank : LogRankResult
    hazard_ratio, hr_lower, hr_upper, hr_p : float
        Time-varying Cox: churn hazard ratio per ticket in the previous :data:`WINDOW_DAYS` days.
    episodes : int
        Rows of the time-varying model.
    profile : DataFrame
        Indexed by ``churned`` / ``active``: ``customers, mean_tickets, with_ticket, low, high``
        over the last :data:`LANDMARK_DAYS` days (before leaving, or before the as-of date).
    """

    customers: int
    matched_tickets: int
    bands: KMResult
    bands_logrank: LogRankResult
    hazard_ratio: float
    hr_lower: float
    hr_upper: float
    hr_p: float
    episodes: int
    profile: pd.DataFrame


def _relative_days(frame: pd.DataFrame, tickets: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Each matched ticket's day since its customer started (tickets before the start dropped)."""
    known = tickets.loc[tickets["created_at"] < cutoff(as_of), ["customer_id", "created_at"]].dropna()
    joined = known.merge(frame[["customer_id", "start_date"]], on="customer_id")
    joined["day"] = (joined["created_at"] - joined["start_date"]) / pd.Timedelta(days=1)
    return joined.loc[joined["day"] >= 0, ["customer_id", "day"]]


def _landmark(frame: pd.DataFrame, days: pd.DataFrame, alpha: float) -> tuple[KMResult, LogRankResult]:
    alive = frame.loc[frame["duration_days"] > LANDMARK_DAYS, ["customer_id", "duration_days", "event"]].copy()
    early = days.loc[days["day"] < LANDMARK_DAYS].groupby("customer_id", observed=True).size()
    count = lookup(alive["customer_id"], early).fillna(0)
    alive["band"] = np.select([count.eq(0), count.lt(MANY_FROM)], BANDS[:2], BANDS[2])
    alive["duration_days"] -= LANDMARK_DAYS
    return kaplan_meier(alive, "band", alpha=alpha), logrank(alive, "band")


def episodes(frame: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    """Customer-periods of :data:`WINDOW_DAYS` days with the tickets of the period before each.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`cs_models.survival.durations` (``customer_id``, ``duration_days``, ``event``).
    days : DataFrame
        ``customer_id``, ``day``: each ticket's day since its customer started.

    Returns
    -------
    DataFrame
        ``id, start, stop, event, tickets_before`` (lifelines' long format): ``event`` is set on
        a customer's last period when they churned; ``tickets_before`` counts the tickets of the
        previous period only (known when the period begins).
    """
    n_periods = np.ceil(frame["duration_days"].to_numpy(float) / WINDOW_DAYS).clip(min=1).astype(int)
    ids = np.repeat(frame["customer_id"].to_numpy(), n_periods)
    k = np.concatenate([np.arange(n) for n in n_periods])
    stop_all = np.repeat(frame["duration_days"].to_numpy(float), n_periods)
    last = k == np.repeat(n_periods - 1, n_periods)
    out = pd.DataFrame({"id": ids, "k": k, "start": k * WINDOW_DAYS,
                        "stop": np.minimum((k + 1) * WINDOW_DAYS, stop_all),
                        "event": last & np.repeat(frame["event"].to_numpy(bool), n_periods)})
    windows = days.assign(k=(days["day"] // WINDOW_DAYS).astype(int) + 1)
    counts = windows.groupby(["customer_id", "k"], observed=True).size()
    out["tickets_before"] = pd.Series(counts.reindex(pd.MultiIndex.from_arrays([out["id"], out["k"]])).to_numpy(),
                                      index=out.index).fillna(0)
    out = out.loc[out["stop"] > out["start"]]
    return out.drop(columns="k")


def _profile(frame: pd.DataFrame, days: pd.DataFrame, alpha: float) -> pd.DataFrame:
    end = frame["duration_days"]
    last = days.merge(end.rename("end").to_frame().assign(customer_id=frame["customer_id"]), on="customer_id")
    recent = last.loc[(last["day"] < last["end"]) & (last["day"] >= last["end"] - LANDMARK_DAYS)]
    counts = lookup(frame["customer_id"], recent.groupby("customer_id", observed=True).size()).fillna(0)
    rows = {}
    for name, mask in (("churned", frame["event"].to_numpy(bool)), ("active", ~frame["event"].to_numpy(bool))):
        group = counts[mask & (end.to_numpy() >= LANDMARK_DAYS)]
        with_ticket = int((group > 0).sum())
        low, high = proportion_interval(with_ticket, len(group), alpha=alpha)
        rows[name] = {"customers": len(group), "mean_tickets": float(group.mean()) if len(group) else np.nan,
                      "with_ticket": with_ticket / len(group) if len(group) else np.nan, "low": low, "high": high}
    return pd.DataFrame.from_dict(rows, orient="index")


def support_churn(tickets: pd.DataFrame, customers: pd.DataFrame, as_of: date, *, alpha: float = ALPHA) -> SupportChurn:
    """Churn by ticket volume: landmark Kaplan–Meier, time-varying Cox and the last-90-days profile.

    Parameters
    ----------
    tickets : DataFrame
        Canonical tickets with ``customer_id``.
    customers : DataFrame
        Canonical customers.
    as_of : date
        Nothing after this day is used (tickets, churn).
    alpha : float
        ``1 - confidence level``.

    Returns
    -------
    SupportChurn

    Raises
    ------
    DataError
        ``support_no_customer_ids`` without ``customer_id``, ``support_no_match`` when no
        ticket's customer is in the customers list, ``support_no_model`` when the Cox model
        does not converge.
    """
    check_alpha(alpha)
    if "customer_id" not in tickets:
        raise DataError("support_no_customer_ids", "the tickets have no customer_id column")
    frame = durations(customers, as_of)
    days = _relative_days(frame, tickets, as_of)
    if days.empty:
        raise DataError("support_no_match", "no ticket belongs to a customer in the customers list")
    bands, test = _landmark(frame, days, alpha)
    long = episodes(frame, days)
    from lifelines import CoxTimeVaryingFitter  # lazy: lifelines takes 0.5 s to import
    from lifelines.exceptions import ConvergenceError

    fitter = CoxTimeVaryingFitter(alpha=alpha)
    try:  # half Newton steps: the default full steps overshoot when the effect is strong
        fitter.fit(long, id_col="id", start_col="start", stop_col="stop", event_col="event",
                   fit_options={"step_size": 0.5})
    except ConvergenceError as exc:
        raise DataError("support_no_model", f"the time-varying Cox model did not converge: {exc}") from exc
    row = fitter.summary.loc["tickets_before"]
    return SupportChurn(
        customers=len(frame), matched_tickets=len(days), bands=bands, bands_logrank=test,
        hazard_ratio=float(row["exp(coef)"]), hr_lower=float(row[f"exp(coef) lower {100 * (1 - alpha):g}%"]),
        hr_upper=float(row[f"exp(coef) upper {100 * (1 - alpha):g}%"]), hr_p=float(row["p"]),
        episodes=len(long), profile=_profile(frame, days, alpha), alpha=alpha,
    )
