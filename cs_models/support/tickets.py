"""Ticket times: when each ticket was created, first answered and solved, as of a date.

Open tickets are censored at the end of the as-of day, never dropped, so resolution and
first-response times are survival questions (:mod:`cs_models.survival`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from cs_models.errors import DataError

#: Statuses that mean solved when an export has a status but no solved time.
SOLVED_STATUSES = ("solved", "closed")
#: Fewest tickets the support analysis reads.
MIN_TICKETS = 10
HOURS_PER_DAY = 24.0


def cutoff(as_of: date | pd.Timestamp) -> pd.Timestamp:
    """The end of the as-of day: what happened before it is known, what came after is not.

    Parameters
    ----------
    as_of : date
        The as-of date.

    Returns
    -------
    Timestamp
        Midnight after it.
    """
    return pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)


def ticket_times(tickets: pd.DataFrame, as_of: date | pd.Timestamp) -> pd.DataFrame:
    """One row per ticket created by the as-of date, with its resolution and reply as survival data.

    Parameters
    ----------
    tickets : DataFrame
        Canonical tickets (``ticket_id``, ``created_at``, optional ``first_reply_at``,
        ``solved_at``, ``status``, ``priority``, ``channel`` …).
    as_of : date
        Tickets created later are left out; a solve or reply after the end of this day is
        not known yet (the ticket counts as open), so a past as-of date is a fair backtest.

    Returns
    -------
    DataFrame
        The tickets with ``hours_to_solve`` (to the solve, or to the as-of cutoff while open),
        ``solved`` (bool), ``untimed`` (solved by status but without a solved time: left out
        of the resolution times), ``hours_to_reply`` and ``replied`` (when ``first_reply_at``
        is there), and ``duration_days``/``event`` of the resolution for
        :func:`cs_models.survival.kaplan_meier`.

    Raises
    ------
    DataError
        ``support_too_few`` with fewer than :data:`MIN_TICKETS` tickets by the as-of date.
    """
    end = cutoff(as_of)
    frame = tickets.loc[tickets["created_at"] < end].copy()
    if len(frame) < MIN_TICKETS:
        raise DataError("support_too_few", f"{len(frame)} tickets; at least {MIN_TICKETS} needed",
                        n=len(frame), minimum=MIN_TICKETS)
    created = frame["created_at"]
    solved_at = frame["solved_at"] if "solved_at" in frame else pd.Series(pd.NaT, index=frame.index)
    known = solved_at.notna() & (solved_at < end)
    by_status = frame["status"].isin(SOLVED_STATUSES) if "status" in frame else pd.Series(False, index=frame.index)
    frame["solved"] = known.to_numpy()
    frame["untimed"] = (by_status & solved_at.isna()).to_numpy()
    frame["hours_to_solve"] = ((solved_at.where(known, end) - created) / pd.Timedelta(hours=1)).to_numpy(float)
    if "first_reply_at" in frame:
        reply = frame["first_reply_at"]
        replied = reply.notna() & (reply < end)
        frame["replied"] = replied.to_numpy()
        frame["hours_to_reply"] = ((reply.where(replied, end) - created) / pd.Timedelta(hours=1)).to_numpy(float)
    frame["duration_days"] = frame["hours_to_solve"] / HOURS_PER_DAY
    frame["event"] = frame["solved"]
    return frame


def reply_frame(times: pd.DataFrame) -> pd.DataFrame:
    """The first-reply times of :func:`ticket_times` as ``duration_days``/``event`` (unanswered censored).

    Parameters
    ----------
    times : DataFrame
        Output of :func:`ticket_times` (with ``hours_to_reply``).

    Returns
    -------
    DataFrame
        ``duration_days`` and ``event`` for :func:`cs_models.survival.kaplan_meier`.
    """
    return pd.DataFrame({"duration_days": times["hours_to_reply"] / HOURS_PER_DAY, "event": times["replied"]})


def share_by(km_curves: pd.DataFrame, group: str, hours: float) -> tuple[float, float, float]:
    """Share solved within ``hours`` from a Kaplan–Meier curve (``1 − S``), with its interval.

    Parameters
    ----------
    km_curves : DataFrame
        :attr:`cs_models.survival.KMResult.curves`.
    group : str
        The group whose curve is read.
    hours : float
        The time by which the share is read.

    Returns
    -------
    tuple of float
        ``(share, low, high)``; NaN beyond the last observed time.
    """
    curve = km_curves[km_curves["group"] == group]
    times = curve["time_days"].to_numpy(float) * HOURS_PER_DAY
    if not len(times) or hours > times.max():
        return (np.nan, np.nan, np.nan)
    i = int(np.searchsorted(times, hours, side="right")) - 1
    if i < 0:
        return (0.0, 0.0, 0.0)
    row = curve.iloc[i]
    return (1 - float(row["survival"]), 1 - float(row["upper"]), 1 - float(row["lower"]))
