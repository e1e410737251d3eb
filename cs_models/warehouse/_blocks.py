"""Sums of the streamed engine (:mod:`cs_models.warehouse.stream`) over blocks of customers.

Events sorted by block (:class:`_Buckets`), and the statistics added up block by block: the cells
of an events-only cohort table (:class:`_CohortSums`) and the per-month revenue movements
(:class:`_MovementSums`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from cs_models.cohorts.raw import _Raw
from cs_models.revenue import TRAILING_MONTHS, RevenueMovements, months_frame, trends_frame


class _Buckets:
    """Events per block of customers: slices of their cells (and amounts) in the order read.

    The cells are those of the block's period-major grid (:meth:`_Coded.blocks`).
    """

    def __init__(self, width: int, n_cust: int, amounts: bool) -> None:
        self.width, self.n_cust = width, n_cust
        self._codes: list[list[np.ndarray]] = [[] for _ in range(width)]
        self._amounts: list[list[np.ndarray]] | None = [[] for _ in range(width)] if amounts else None

    @property
    def has_amounts(self) -> bool:
        """Whether amounts were kept."""
        return self._amounts is not None

    def add(self, m: int, code: np.ndarray, amount: np.ndarray | None) -> None:
        """Append events of period ``m``."""
        self._codes[m].append(code)
        if self._amounts is not None and amount is not None:
            self._amounts[m].append(amount)

    def money(self, m: int, out: np.ndarray | None = None) -> np.ndarray:
        """Period ``m``'s amounts summed per customer (a dense row; events summed in their order).

        ``out`` (``n_cust`` floats) is overwritten and returned when given.
        """
        assert self._amounts is not None
        row = np.zeros(self.n_cust) if out is None else out
        if out is not None:
            row.fill(0.0)
        for code, amount in zip(self._codes[m], self._amounts[m], strict=True):
            np.add.at(row, code, amount)
        return row

    def parts(self, m: int) -> list[np.ndarray]:
        """The slices of codes of bucket ``m``."""
        return self._codes[m]

    def release(self, m: int) -> None:
        """Forget period ``m``'s events."""
        self._codes[m] = []
        if self._amounts is not None:
            self._amounts[m] = []


def _total(values: np.ndarray) -> float:
    return float(values.sum())


def _labels(value: np.ndarray, before: np.ndarray, first: np.ndarray,
            billed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cs_models.revenue.movement_labels` in fewer passes (``billed`` is ``value > 0``).

    The label is counted down from 4 in bytes: 2 for expansion, 3 for contraction, 1 for
    reactivation and 0 for new; the change is the same arrays' difference or the value.
    """
    was = before > 0
    up = value > before
    up &= was
    label = up.view(np.uint8) * np.uint8(2)
    down = value < before
    down &= was
    down &= billed
    label += down.view(np.uint8)
    fresh = before == 0
    fresh &= billed
    label += fresh.view(np.uint8) * np.uint8(3)
    fresh &= first
    label += fresh.view(np.uint8)
    np.subtract(np.uint8(4), label, out=label)
    change = value - before
    np.copyto(change, value, where=label < 2)
    return label, change


class _MovementSums:
    """The per-month sums of revenue movements, added up over blocks of customers."""

    def __init__(self, width: int) -> None:
        self.sums, self.counts = np.zeros((width, 5)), np.zeros((width, 5), dtype=np.int64)
        self.churned, self.churned_customers = np.zeros(width), np.zeros(width, dtype=np.int64)
        self.end_mrr, self.customers_end = np.zeros(width), np.zeros(width, dtype=np.int64)
        self.den, self.capped, self.net = np.zeros(width), np.zeros(width), np.zeros(width)

    def add(self, rows: Iterable[np.ndarray], n: int) -> None:
        """Add the movements of ``n`` customers whose MRR rows (one per month) are handed over in order.

        Only the month before is kept whole; of the earlier months, the customers billed and what
        they were billed (for the churned and the trailing retention).
        """
        ever = np.zeros(n, dtype=bool)
        previous = np.zeros(n)
        billed_keys: list[np.ndarray] = []  # customers billed in each month (ascending codes)
        billed_values: list[np.ndarray] = []  # and their MRR then
        for m, current in enumerate(rows):
            keys = np.flatnonzero(current != 0)
            value = current[keys]
            billed = value > 0
            label, change = _labels(value, previous[keys], billed & ~ever[keys], billed)
            self.sums[m] += np.bincount(label, change, minlength=5)
            self.counts[m] += np.bincount(label, minlength=5)
            self.end_mrr[m] += _total(value)
            self.customers_end[m] += int(billed.sum())
            if m:  # churned: billed the month before, nothing now
                gone = current[billed_keys[m - 1]] == 0
                self.churned[m] += _total(-billed_values[m - 1][gone])
                self.churned_customers[m] += int(gone.sum())
            billed_keys.append(keys[billed])
            billed_values.append(value[billed])
            ever[billed_keys[m]] = True
            if m >= TRAILING_MONTHS:  # trailing retention of the customers billed TRAILING_MONTHS ago
                base, now = billed_values[m - TRAILING_MONTHS], current[billed_keys[m - TRAILING_MONTHS]]
                self.den[m] += _total(base)
                self.capped[m] += _total(np.minimum(now, base))
                self.net[m] += _total(now)
                billed_keys[m - TRAILING_MONTHS] = billed_keys[m - TRAILING_MONTHS][:0]  # no longer needed
                billed_values[m - TRAILING_MONTHS] = billed_values[m - TRAILING_MONTHS][:0]
            previous = current

    def result(self, months: pd.DatetimeIndex, as_of: date, alpha: float) -> RevenueMovements:
        """The movements framed as :func:`cs_models.revenue.revenue_movements` frames them."""
        frame = months_frame(months, self.sums, self.counts, self.churned, self.churned_customers, self.end_mrr,
                             self.customers_end)
        return RevenueMovements(as_of=as_of, months=frame,
                                trends=trends_frame(frame, self.den, self.capped, self.net, alpha), alpha=alpha)


class _CohortSums:
    """The cell sums of an events-only cohort table, added up over blocks of customers.

    A customer's cohort is its first active period; in period ``m`` each active customer adds 1
    (and its revenue, and that capped at its cohort-period revenue) to cell ``(cohort, m - cohort)``;
    its last active period counts it in every ``k`` up to it (``on_or_after``). These are the sums
    :func:`cs_models.cohorts.raw._from_events` makes over (customer, k) pairs; the revenue of a cell
    is added customer by customer in the order of their codes, as the frame path adds it.
    """

    def __init__(self, width: int, revenue: bool, capped: bool) -> None:
        self.width = width
        self.sizes = np.zeros(width, dtype=np.int64)
        self.by_last = np.zeros(width * width, dtype=np.int64)
        self.counts = np.zeros(width * width, dtype=np.int64)
        self.revenue = np.zeros(width * width) if revenue else None
        self.capped = np.zeros(width * width) if revenue and capped else None

    def add(self, active: np.ndarray, money: np.ndarray | None) -> None:
        """Add a block: its (periods, customers) activity and, for revenue, summed amounts."""
        width = self.width
        seen = active.any(axis=0)
        cohort = active.argmax(axis=0)
        last = width - 1 - active[::-1].argmax(axis=0)
        self.sizes += np.bincount(cohort[seen], minlength=width)
        self.by_last += np.bincount(cohort[seen] * width + (last - cohort)[seen], minlength=width * width)
        period, customer = np.nonzero(active)  # by period, then customer
        c = cohort[customer]
        cell = c * width + (period - c)
        np.add.at(self.counts, cell, 1)
        if self.revenue is not None and money is not None:
            value = money[period, customer]
            np.add.at(self.revenue, cell, value)
            if self.capped is not None:
                base = money[cohort, np.arange(active.shape[1])]  # revenue in the cohort period
                np.add.at(self.capped, cell, np.minimum(value, base[customer]))

    def raw(self, first: int) -> _Raw:
        """The sums as :class:`~cs_models.cohorts.raw._Raw`."""
        width = self.width
        shape = (1, width, width)
        by_last = self.by_last.reshape(shape)
        active_after = np.cumsum(by_last[:, :, ::-1], axis=2)[:, :, ::-1]
        return _Raw(first, width, self.sizes.reshape(1, width), self.counts.reshape(shape), active_after,
                    None if self.revenue is None else self.revenue.reshape(shape),
                    None if self.capped is None else self.capped.reshape(shape), pd.Index([None], dtype=object))
