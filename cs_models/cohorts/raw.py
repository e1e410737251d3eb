"""Cell sums of cohort tables, from events or from customers' contract dates.

The computation is a handful of vectorised numpy passes (a period look-up table,
``bincount`` over flattened cell keys), so ten million events take well under a
second; see ``bench/bench_cohorts.py``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cs_models.cohorts.periods import _days, _Grid, _lookup, period_index
from cs_models.errors import DataError

#: (customer, period) grids up to this many cells are marked in a dense array;
#: larger ones fall back to sorting the keys.
DENSE_CELLS = 60_000_000


def _customer_codes(ids: pd.Series) -> tuple[np.ndarray, int]:
    """Dense integer codes of customer ids, -1 for missing (fast paths for categorical and
    small integer ids)."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        return ids.cat.codes.to_numpy(), len(ids.cat.categories)
    if pd.api.types.is_integer_dtype(ids.dtype) and len(ids):
        values = ids.to_numpy(dtype=np.int64)
        low, high = int(values.min()), int(values.max())
        if high - low < 4 * len(values) + 1024:  # dense enough to index directly
            return values - low, high - low + 1
    codes, uniques = pd.factorize(ids)
    return codes.astype(np.int64), len(uniques)


@dataclass(frozen=True)
class _Raw:
    """Cell sums on a (group, cohort, k) grid before labelling."""

    first: int  # absolute period index of cohort 0
    n_k: int
    sizes: np.ndarray  # (G, C)
    active: np.ndarray  # (G, C, K) customers active in k (classic)
    active_after: np.ndarray  # (G, C, K) customers active in k or later
    revenue: np.ndarray | None  # (G, C, K)
    capped: np.ndarray | None  # (G, C, K)
    groups: pd.Index  # segment values (one dummy group without a segment)
    unmatched: int = 0
    before_start: int = 0

    def first_periods(self, n_k: int) -> _Raw:
        """The same cells for ``k < n_k`` only.

        Parameters
        ----------
        n_k : int
            Number of periods since joining to keep; at or above :attr:`n_k` nothing is cut.

        Returns
        -------
        _Raw
            ``self`` when nothing is cut, else a copy whose per-k arrays stop at ``n_k``.
        """
        if n_k >= self.n_k:
            return self

        def cut(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else values[:, :, :n_k]

        return _Raw(
            self.first, n_k, self.sizes, cut(self.active), cut(self.active_after),  # type: ignore[arg-type]
            cut(self.revenue), cut(self.capped), self.groups, self.unmatched, self.before_start,
        )

    def keep_group(self, value: Hashable) -> _Raw:
        """The cells of the one segment group ``value``.

        Parameters
        ----------
        value : Hashable
            A segment value; a missing value (``None`` or NaN) matches the group of blanks.

        Returns
        -------
        _Raw
            A copy holding a single group.

        Raises
        ------
        DataError
            ``cohorts_no_segment_value`` when no customer has ``value``.
        """
        matches = [i for i, g in enumerate(self.groups) if g == value or (_isna(g) and _isna(value))]
        if not matches:
            raise DataError("cohorts_no_segment_value", f"no customers with {value!r}", value=str(value))
        sl = slice(matches[0], matches[0] + 1)
        return _Raw(
            self.first, self.n_k, self.sizes[sl], self.active[sl], self.active_after[sl],
            None if self.revenue is None else self.revenue[sl],
            None if self.capped is None else self.capped[sl],
            self.groups[sl], self.unmatched, self.before_start,
        )


def _isna(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _groups(customers: pd.DataFrame | None, segment: str | None, n: int) -> tuple[np.ndarray, pd.Index]:
    """Segment code of each customer row (one group when there is no segment)."""
    if segment is None or customers is None:
        return np.zeros(n, dtype=np.int64), pd.Index([None], dtype=object)
    codes, uniques = pd.factorize(customers[segment], use_na_sentinel=False, sort=True)
    return codes.astype(np.int64), pd.Index(uniques, dtype=object)


def _start_periods(customers: pd.DataFrame, grid: _Grid) -> np.ndarray:
    """Absolute start period per customer (minimum int64 for a missing start or one after the as-of date)."""
    start = _days(customers["start_date"])
    valid = (start != np.iinfo(np.int64).min) & (start <= grid.asof_day)
    out = np.full(len(start), np.iinfo(np.int64).min, dtype=np.int64)
    if valid.any():
        out[valid] = period_index(start[valid], grid.period)
    return out


def _from_customers(customers: pd.DataFrame, grid: _Grid, segment: str | None) -> _Raw:
    """Alive in period k = started before and not ended by the end of period k."""
    start = _start_periods(customers, grid)
    member = start != np.iinfo(np.int64).min
    if not member.any():
        raise DataError("cohorts_no_customers", "no customer started by the as-of date")
    group, groups = _groups(customers, segment, len(customers))
    end_days = _days(customers["end_date"])
    ended = (end_days != np.iinfo(np.int64).min) & (end_days <= grid.asof_day)
    end = np.full(len(end_days), np.iinfo(np.int64).max, dtype=np.int64)
    end[ended] = period_index(end_days[ended], grid.period)
    first = int(start[member].min())
    n_c = n_k = grid.now - first + 1
    cohort = start[member] - first
    lifetime = np.clip(end[member] - start[member], 0, n_k)  # alive in k iff k < lifetime
    g = group[member]
    n_g = len(groups)
    sizes = np.bincount(g * n_c + cohort, minlength=n_g * n_c).reshape(n_g, n_c)
    by_life = np.bincount((g * n_c + cohort) * (n_k + 1) + lifetime, minlength=n_g * n_c * (n_k + 1))
    by_life = by_life.reshape(n_g, n_c, n_k + 1)
    # customers whose lifetime exceeds k: reverse cumulative sum over lifetimes > k
    alive = np.cumsum(by_life[:, :, ::-1], axis=2)[:, :, ::-1][:, :, 1:]
    return _Raw(first, n_k, sizes, alive, alive, None, None, groups)


def _event_rows(
    events: pd.DataFrame, customers: pd.DataFrame | None, grid: _Grid, need_revenue: bool
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray | None, np.ndarray | None, np.ndarray | None, int]:
    """The events kept (dated by the as-of date, of known customers who had started): their days,
    customer codes and amounts, the number of customers, start periods and membership (with a
    customers frame) and the number of events of unknown customers."""
    days = _days(events["date"])
    keep = (days != np.iinfo(np.int64).min) & (days <= grid.asof_day)
    unmatched = 0
    start = member = None
    if customers is not None:
        ids = pd.Index(customers["customer_id"])
        if not ids.is_unique:
            raise DataError("cohorts_duplicate_customers", "customer ids are not unique")
        cust = ids.get_indexer(events["customer_id"])
        unmatched = int(((cust < 0) & keep).sum())
        keep &= cust >= 0
        n_cust = len(ids)
        start = _start_periods(customers, grid)
        member = start != np.iinfo(np.int64).min
        keep &= member[np.maximum(cust, 0)]
    else:
        cust, n_cust = _customer_codes(events["customer_id"])
        keep &= cust >= 0
    all_kept = bool(keep.all())
    if not all_kept:
        days, cust = days[keep], cust[keep]
    if len(days) == 0 and customers is None:
        raise DataError("cohorts_no_events", "no events on or before the as-of date")
    amount = None
    if need_revenue:
        amount = events["amount"].to_numpy(dtype=np.float64, na_value=0.0)
        amount = amount if all_kept else amount[keep]
        amount = np.where(np.isnan(amount), 0.0, amount)
    return days, cust, n_cust, amount, start, member, unmatched


def _event_cohorts(
    period: np.ndarray, cust: np.ndarray, n_cust: int, start: np.ndarray | None, member: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Absolute cohort period of each customer (its start period, else its first event's) and
    whether it belongs to a cohort."""
    if start is not None and member is not None:
        if not member.any():
            raise DataError("cohorts_no_customers", "no customer started by the as-of date")
        return np.where(member, start, start[member].min()).astype(np.int32), member
    cohort_abs = np.full(n_cust, np.iinfo(np.int32).max, dtype=np.int32)
    np.minimum.at(cohort_abs, cust, period)
    return cohort_abs, cohort_abs != np.iinfo(np.int32).max


def _active_pairs(
    key: np.ndarray, amount: np.ndarray | None, grid_cells: int, need_capped: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """The distinct (customer, k) keys with activity, sorted, and their revenue when ``need_capped``."""
    pair_revenue = None
    if grid_cells <= DENSE_CELLS:
        marked = np.zeros(grid_cells, dtype=bool)
        marked[key] = True
        pairs = np.flatnonzero(marked)
        del marked
        if amount is not None and need_capped:
            pair_revenue = np.bincount(key, weights=amount, minlength=grid_cells)[pairs]
    else:
        pairs, inverse = np.unique(key, return_inverse=True)
        if amount is not None and need_capped:
            pair_revenue = np.bincount(inverse, weights=amount, minlength=len(pairs))
    return pairs, pair_revenue


def _active_after(pair_cust: np.ndarray, cells: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """Customers active in k or later per (group, cohort, k) cell, from the sorted active pairs.

    Each customer's last active k (the last of its run of pairs) is counted for every k up to it.
    """
    size_of_grid = shape[0] * shape[1] * shape[2]
    if len(pair_cust):
        last = np.flatnonzero(np.append(pair_cust[1:] != pair_cust[:-1], True))
        by_last = np.bincount(cells[last], minlength=size_of_grid).reshape(shape)
    else:
        by_last = np.zeros(shape, dtype=np.int64)
    return np.cumsum(by_last[:, :, ::-1], axis=2)[:, :, ::-1]


def _capped_revenue(
    pair_cust: np.ndarray,
    pair_k: np.ndarray,
    pair_revenue: np.ndarray,
    cells: np.ndarray,
    n_cust: int,
    shape: tuple[int, int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """Revenue per cell, and the same with each customer's revenue capped at its own period-0 revenue."""
    size_of_grid = shape[0] * shape[1] * shape[2]
    base = np.zeros(n_cust)
    at_zero = pair_k == 0
    base[pair_cust[at_zero]] = pair_revenue[at_zero]
    revenue = np.bincount(cells, weights=pair_revenue, minlength=size_of_grid).reshape(shape)
    capped_pair = np.minimum(pair_revenue, base[pair_cust])
    capped = np.bincount(cells, weights=capped_pair, minlength=size_of_grid).reshape(shape)
    return revenue, capped


def _from_events(
    events: pd.DataFrame,
    customers: pd.DataFrame | None,
    grid: _Grid,
    segment: str | None,
    *,
    need_revenue: bool,
    need_capped: bool,
) -> _Raw:
    """Activity per (customer, period) from events, aggregated to cohort cells.

    Revenue per cell is summed when ``need_revenue``; revenue capped at each customer's
    period-0 revenue (which needs a per-customer pass) only when ``need_capped``.
    """
    days, cust, n_cust, amount, start, member, unmatched = _event_rows(events, customers, grid, need_revenue)
    before_start = 0
    period = _lookup(days, int(days.min()), grid.asof_day, grid.period) if len(days) else days
    # int32 halves the memory traffic of the passes below
    period = period.astype(np.int32, copy=False)
    cust = cust.astype(np.int32, copy=False) if n_cust < 2**31 else cust.astype(np.int64, copy=False)
    cohort_abs, member = _event_cohorts(period, cust, n_cust, start, member)
    first = int(cohort_abs[member].min())
    n_c = n_k = grid.now - first + 1
    k = period - cohort_abs[cust]
    early = k < 0
    if early.any():
        before_start = int(early.sum())
        k, cust = k[~early], cust[~early]
        amount = None if amount is None else amount[~early]

    group, groups = _groups(customers, segment, n_cust)
    n_g = len(groups)
    size_of_grid = n_g * n_c * n_k
    # (group, cohort) row of each customer
    cell_row = group * n_c + np.where(member, cohort_abs.astype(np.int64), first) - first
    # one entry per (customer, k) pair with activity, sorted by customer then k
    grid_cells = n_cust * n_k
    key = (cust if grid_cells < 2**31 else cust.astype(np.int64)) * n_k + k
    pairs, pair_revenue = _active_pairs(key, amount, grid_cells, need_capped)
    del key
    pair_cust, pair_k = np.divmod(pairs, n_k)
    cells = cell_row[pair_cust] * n_k + pair_k
    active = np.bincount(cells, minlength=size_of_grid).reshape(n_g, n_c, n_k)
    active_after = _active_after(pair_cust, cells, (n_g, n_c, n_k))
    sizes = np.bincount(cell_row[member], minlength=n_g * n_c).reshape(n_g, n_c)
    revenue = capped = None
    if pair_revenue is not None:  # GRR: each customer's revenue capped at its own period-0 revenue
        revenue, capped = _capped_revenue(pair_cust, pair_k, pair_revenue, cells, n_cust, (n_g, n_c, n_k))
    elif amount is not None:  # NRR needs cell sums only: one small bincount over the events
        event_cells = cell_row[cust] * n_k + k
        revenue = np.bincount(event_cells, weights=amount, minlength=size_of_grid).reshape(n_g, n_c, n_k)
    return _Raw(first, n_k, sizes, active, active_after, revenue, capped, groups, unmatched, before_start)
