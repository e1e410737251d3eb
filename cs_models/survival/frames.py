"""Lifetimes from contract dates, segment groups and the event/at-risk count matrices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cs_models.errors import DataError
from cs_models.stats import NOT_SEGMENTS as NOT_SEGMENTS  # re-exported: sv.NOT_SEGMENTS

DAYS_PER_MONTH = 365.25 / 12
#: Yearly discount rate of the discounted LTV (stated on the churn page).
ANNUAL_DISCOUNT = 0.10
#: Months at which survival is reported.
SURVIVAL_MONTHS: tuple[int, ...] = (3, 6, 12, 24)
#: Fewer customers than this and no survival analysis is attempted.
MIN_CUSTOMERS = 10
#: Segments with more levels keep the largest ``DEFAULT_MAX_GROUPS - 1`` and pool the rest.
DEFAULT_MAX_GROUPS = 6
#: Group codes (translated by the UI).
ALL = "__all__"
OTHER = "__other__"
MISSING = "__missing__"
CANONICAL = ("customer_id", "start_date", "end_date", "mrr")
# NOT_SEGMENTS (columns never offered as segments) lives in cs_models.stats; re-exported by the package.


# --------------------------------------------------------------------------- columns
def covariate_columns(frame: pd.DataFrame) -> list[str]:
    """Numeric columns other than ids, dates and revenue (default Cox covariates).

    Parameters
    ----------
    frame : DataFrame
        Canonical customers or the output of :func:`durations`.

    Returns
    -------
    list of str
    """
    return [
        column
        for column in frame.columns
        if column not in CANONICAL
        and column not in ("duration_days", "event")
        and pd.api.types.is_numeric_dtype(frame[column])
        and not pd.api.types.is_bool_dtype(frame[column])
    ]


# --------------------------------------------------------------------------- durations
def durations(customers: pd.DataFrame, as_of: date | pd.Timestamp) -> pd.DataFrame:
    """Lifetimes in days up to ``as_of``; customers still active are censored.

    Parameters
    ----------
    customers : DataFrame
        Canonical customers (``start_date``, ``end_date`` with NaT = active).
    as_of : date
        Customers who started after it are left out; churn after it is not yet known.

    Returns
    -------
    DataFrame
        The customers who started on or before ``as_of`` with ``duration_days`` (float)
        and ``event`` (bool, True = churned by ``as_of``) added. It shares the other
        columns' memory with ``customers`` (a shallow copy): add or replace columns, but
        do not modify values in place.

    Raises
    ------
    DataError
        ``survival_missing_dates`` without the date columns, ``survival_end_before_start``
        when a contract ends before it starts, ``survival_too_few`` with fewer than
        :data:`MIN_CUSTOMERS` customers.
    """
    missing = [c for c in ("start_date", "end_date") if c not in customers]
    if missing:
        raise DataError("survival_missing_dates", f"missing columns: {missing}", column=missing[0])
    cutoff = pd.Timestamp(as_of)
    start = pd.to_datetime(customers["start_date"])
    end = pd.to_datetime(customers["end_date"])
    keep = (start <= cutoff).to_numpy()
    bad = (end < start).to_numpy() & keep
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataError(
            "survival_end_before_start",
            f"{int(bad.sum())} contracts end before they start",
            row=first + 2,
            column="end_date",
            count=int(bad.sum()),
        )
    # a shallow copy: the new columns must not touch the caller's frame, the old ones need no copy
    frame = (customers if keep.all() else customers.loc[keep]).copy(deep=False)
    start, end = start[keep], end[keep]
    event = (end <= cutoff).to_numpy() & end.notna().to_numpy()
    stop = end.where(event, cutoff)
    frame["duration_days"] = ((stop - start) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    frame["event"] = event
    _check_size(len(frame))
    return frame


def _check_size(n: int) -> None:
    if n < MIN_CUSTOMERS:
        raise DataError(
            "survival_too_few", f"{n} customers; at least {MIN_CUSTOMERS} needed", n=n, minimum=MIN_CUSTOMERS
        )


def _validate_frame(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    for column in ("duration_days", "event"):
        if column not in frame:
            raise DataError("survival_not_durations", f"column {column} missing; call durations() first")
    t = frame["duration_days"].to_numpy(dtype=float)
    e = frame["event"].to_numpy(dtype=bool)
    if np.isnan(t).any() or (t < 0).any():
        raise DataError("survival_bad_durations", "durations must be non-negative numbers")
    _check_size(len(t))
    return t, e


# --------------------------------------------------------------------------- groups
@dataclass(frozen=True)
class _Groups:
    codes: np.ndarray  # int per row
    labels: tuple[str, ...]  # label per code


def _groups(frame: pd.DataFrame, group: str | None, max_groups: int) -> _Groups:
    n = len(frame)
    if group is None:
        return _Groups(np.zeros(n, dtype=np.intp), (ALL,))
    if group not in frame:
        raise DataError("survival_unknown_column", f"no column {group!r}", column=group)
    if max_groups < 2:
        raise ValueError("max_groups must be at least 2")
    raw, uniques = pd.factorize(frame[group], sort=False)
    if len(uniques) == 0:
        raise DataError("survival_blank_column", f"column {group!r} has no values", column=group)
    counts = np.bincount(raw[raw >= 0], minlength=len(uniques))
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] > 0]  # unused categories of a categorical column
    labels = [str(u) for u in uniques]
    if len(order) > max_groups:
        kept = order[: max_groups - 1]
        rest = True
    else:
        kept, rest = order, False
    mapping = np.full(len(uniques), len(kept), dtype=np.intp)
    mapping[kept] = np.arange(len(kept))
    out_labels = [labels[i] for i in kept]
    if rest:
        out_labels.append(OTHER)
    codes = np.where(raw >= 0, mapping[np.maximum(raw, 0)], -1)
    if (raw < 0).any():
        codes = np.where(raw < 0, len(out_labels), codes)
        out_labels.append(MISSING)
    return _Groups(codes.astype(np.intp), tuple(out_labels))


# --------------------------------------------------------------------------- counting
@dataclass(frozen=True)
class _Counts:
    """Counts per distinct time (rows) and group (columns)."""

    times: np.ndarray  # (T,)
    events: np.ndarray  # (T, G)
    removed: np.ndarray  # (T, G) events + censored
    at_risk: np.ndarray  # (T, G) at risk just before each time
    n: np.ndarray  # (G,)


def _counts(t: np.ndarray, e: np.ndarray, codes: np.ndarray, n_groups: int) -> _Counts:
    """Event, removal and at-risk counts for all groups in one pass (bincount, no sort for days)."""
    integral = t.size > 0 and t.max() < 5_000_000 and np.array_equal(t, np.floor(t))
    if integral:
        index = t.astype(np.intp)
        size = int(index.max()) + 1 if t.size else 0
    else:
        times_u, index = np.unique(t, return_inverse=True)
        size = len(times_u)
    flat = index * n_groups + codes
    removed = np.bincount(flat, minlength=size * n_groups).reshape(size, n_groups)
    events = np.bincount(flat[e], minlength=size * n_groups).reshape(size, n_groups)
    present = removed.any(axis=1)
    removed, events = removed[present], events[present]
    times = np.flatnonzero(present).astype(float) if integral else times_u[present]
    n = removed.sum(axis=0)
    at_risk = n - np.vstack([np.zeros((1, n_groups), dtype=removed.dtype), np.cumsum(removed, axis=0)[:-1]])
    return _Counts(times, events, removed, at_risk, n)
