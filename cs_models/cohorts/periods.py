"""Period arithmetic of cohort tables: absolute period indices, their starts and labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_NS_PER_DAY = 86_400_000_000_000
_EPOCH_MONDAY_OFFSET = 3  # 1970-01-01 was a Thursday; (days + 3) // 7 counts ISO weeks


def period_index(days: np.ndarray, period: str) -> np.ndarray:
    """Absolute index of the period containing each day (days since 1970-01-01).

    Parameters
    ----------
    days : numpy.ndarray of int
        Days since the Unix epoch.
    period : {"day", "week", "month", "quarter"}
        Weeks are ISO weeks starting on Monday.

    Returns
    -------
    numpy.ndarray of int64
        Consecutive integers: one step per period.
    """
    days = np.asarray(days, dtype=np.int64)
    if period == "day":
        return days
    if period == "week":
        return (days + _EPOCH_MONDAY_OFFSET) // 7
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months if period == "month" else months // 3


def period_start(index: int, period: str) -> pd.Timestamp:
    """First day of the period with absolute ``index`` (see :func:`period_index`).

    Parameters
    ----------
    index : int
        Absolute period index, as :func:`period_index` returns it for ``period``.
    period : {"day", "week", "month", "quarter"}
        Period length the index counts in.

    Returns
    -------
    pandas.Timestamp
        Midnight of the period's first day (a Monday for weeks).
    """
    if period == "day":
        return pd.Timestamp(np.datetime64(int(index), "D"))
    if period == "week":
        return pd.Timestamp(np.datetime64(int(index) * 7 - _EPOCH_MONDAY_OFFSET, "D"))
    months = int(index) if period == "month" else int(index) * 3
    return pd.Timestamp(np.datetime64(months, "M"))


def period_label(index: int, period: str) -> str:
    """Label of a period: ``2024-01-05`` (day, or the Monday of a week), ``2024-01``, ``2024-Q1``.

    Parameters
    ----------
    index : int
        Absolute index of the period to label.
    period : {"day", "week", "month", "quarter"}
        Period length, which picks the label's form.

    Returns
    -------
    str
        The label, sortable as text within one period length.
    """
    start = period_start(index, period)
    if period in ("day", "week"):
        return start.strftime("%Y-%m-%d")
    if period == "month":
        return start.strftime("%Y-%m")
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _days(values: pd.Series) -> np.ndarray:
    """Days since the epoch of a datetime column (NaT -> minimum int64)."""
    raw = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]").view(np.int64)
    out = raw // _NS_PER_DAY
    out[raw == np.iinfo(np.int64).min] = np.iinfo(np.int64).min
    return out


def _lookup(days: np.ndarray, first_day: int, last_day: int, period: str) -> np.ndarray:
    """Period index of ``days`` (all within ``first_day..last_day``) via a small look-up table."""
    table = period_index(np.arange(first_day, last_day + 1), period).astype(np.int32)
    return table[days - first_day]



@dataclass(frozen=True)
class _Grid:
    """Period arithmetic shared by the builders."""

    period: str
    asof_day: int

    @property
    def now(self) -> int:
        """Index of the period containing the as-of date."""
        return int(period_index(np.array([self.asof_day]), self.period)[0])

    @property
    def last_complete(self) -> int:
        """Index of the last period that has fully ended by the as-of date."""
        return int(period_index(np.array([self.asof_day + 1]), self.period)[0]) - 1
