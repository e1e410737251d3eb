"""Contract periods from contract dates: renewals made, the churn period, and the sBG counts.

A customer who started on ``s`` renews on the anniversaries ``s + k`` periods (a month or a
year; the 31st renews on the last day of shorter months, as :class:`pandas.DateOffset` does).
Only periods wholly elapsed by the as-of date count: a customer lost in the period still
running is censored at the last complete one, like everyone still active, so the young part
of a cohort never looks better or worse than it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cs_models.errors import DataError
from cs_models.stats import FloatArray

#: Months in a contract period.
PERIOD_MONTHS: dict[str, int] = {"month": 1, "year": 12}


def check_period(period: str) -> int:
    """Months of ``period``; ``forecast_bad_period`` unless it is ``"month"`` or ``"year"``.

    Parameters
    ----------
    period : str
        Contract period.

    Returns
    -------
    int
        Months in one period.
    """
    if period not in PERIOD_MONTHS:
        raise DataError("forecast_bad_period", f"unknown period {period!r}", option="period", value=period)
    return PERIOD_MONTHS[period]


def _add_months(start: np.ndarray, months: np.ndarray) -> np.ndarray:
    """``start + months`` (datetime64[D]), the day clipped to the month's last day."""
    first = start.astype("datetime64[M]")
    target = first + months.astype("timedelta64[M]")
    day = start - first.astype("datetime64[D]")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    return np.minimum(target.astype("datetime64[D]") + day, last)


def complete_months(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whole months from ``start`` to ``end`` (anniversaries reached, ``end >= start``).

    Parameters
    ----------
    start, end : numpy.ndarray of datetime64
        Dates (any unit; compared by day).

    Returns
    -------
    numpy.ndarray of int64
    """
    s, e = start.astype("datetime64[D]"), end.astype("datetime64[D]")
    months = e.astype("datetime64[M]").astype(np.int64) - s.astype("datetime64[M]").astype(np.int64)
    return np.where(_add_months(s, months) > e, months - 1, months)


@dataclass(frozen=True)
class Periods:
    """Per customer: complete periods by the as-of date and how the customer's record ends there.

    Attributes
    ----------
    elapsed : numpy.ndarray of int
        Periods wholly elapsed between the start and the as-of date (renewals made by an active customer).
    last : numpy.ndarray of int
        The churn period (``lost``) or the last complete period observed active.
    lost : numpy.ndarray of bool
        Lost at the end of period ``last`` (a churn the counts include).
    active : numpy.ndarray of bool
        Still a customer on the as-of date.
    """

    elapsed: np.ndarray
    last: np.ndarray
    lost: np.ndarray
    active: np.ndarray


def contract_periods(frame: pd.DataFrame, as_of: pd.Timestamp, period: str) -> Periods:
    """Periods of each customer of ``frame`` (:func:`cs_models.survival.durations` output).

    Parameters
    ----------
    frame : DataFrame
        ``start_date``, ``end_date`` and ``event`` (churned by ``as_of``).
    as_of : Timestamp
        The as-of date.
    period : {"month", "year"}
        Contract period.

    Returns
    -------
    Periods
    """
    length = check_period(period)
    start = frame["start_date"].to_numpy(dtype="datetime64[D]")
    event = frame["event"].to_numpy(dtype=bool)
    elapsed = complete_months(start, np.full(start.shape, np.datetime64(as_of.date(), "D"))) // length
    end = np.where(event, frame["end_date"].to_numpy(dtype="datetime64[D]"), start)
    months = complete_months(start, end)
    on_anniversary = (months % length == 0) & (_add_months(start, months) == end)
    churn_period = np.maximum(months // length + np.where(on_anniversary, 0, 1), 1)
    lost = event & (churn_period <= elapsed)
    last = np.where(lost, churn_period, elapsed)
    return Periods(elapsed.astype(np.int64), last.astype(np.int64), lost, ~event)


def counts(periods: Periods, rows: np.ndarray) -> tuple[FloatArray, FloatArray]:
    """Churn and censoring counts of the customers in ``rows`` for :func:`~cs_models.forecast.sbg.fit_sbg`.

    Parameters
    ----------
    periods : Periods
        All customers' periods.
    rows : numpy.ndarray of bool
        The customers of one group.

    Returns
    -------
    tuple of numpy.ndarray
        ``(churned[t − 1] for t = 1 … T, censored[n] for n = 0 … T)``.
    """
    last, lost = periods.last[rows], periods.lost[rows]
    size = int(last.max()) + 1 if last.size else 1
    churned = np.bincount(last[lost], minlength=size)[1:].astype(float)
    censored = np.bincount(last[~lost], minlength=size).astype(float)
    return churned, censored


def observed_retention(churned: np.ndarray, censored: np.ndarray) -> tuple[FloatArray, FloatArray]:
    """Period-by-period product-limit retention of the counts (the discrete Kaplan–Meier curve).

    Parameters
    ----------
    churned, censored : numpy.ndarray
        As :func:`counts` returns them.

    Returns
    -------
    tuple of numpy.ndarray
        ``S(0 … T)`` and the customers at risk of each period ``t = 0 … T`` (observed
        through ``t − 1``; element 0 is everyone).
    """
    removed = np.concatenate([[0.0], churned]) + censored
    at_risk = removed.sum() - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk[1:] > 0, churned / at_risk[1:], 0.0)
    return np.concatenate([[1.0], np.cumprod(1 - hazard)]), at_risk
