"""The fast path of ``cs_models.revenue`` (one ``bincount`` over integer codes, movements from the billed
cells only) against the straightforward one it replaced, written out here: a pandas ``pivot_table`` of
customer × month and the movements as whole-matrix comparisons of each month with the one before.
Compared on the sample, on Hypothesis-generated logs (refunds, zero sums, categorical ids) and with
the benchmark's generator."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_cohorts import synthetic_events
from cs_models.revenue import TRAILING_MONTHS, monthly_mrr, revenue_movements
from cs_models.sample import load_sample


def pivot_mrr(events: pd.DataFrame, as_of: date) -> pd.DataFrame:
    last = (pd.Timestamp(as_of) + pd.Timedelta(days=1)).to_period("M") - 1
    known = events.dropna(subset=["customer_id", "date", "amount"])
    known = known.loc[known["date"].dt.to_period("M") <= last]
    table = known.pivot_table(index="customer_id", columns=known["date"].dt.to_period("M"), values="amount",
                              aggfunc="sum", fill_value=0.0, observed=True)
    periods = pd.period_range(table.columns.min(), last, freq="M")
    table = table.reindex(columns=periods, fill_value=0.0)
    table.columns = periods.to_timestamp()
    return table.astype(float)


def dense_movements(mrr: pd.DataFrame) -> pd.DataFrame:
    now = mrr.to_numpy()
    before = np.hstack([np.zeros((len(mrr), 1)), now[:, :-1]])
    seen = np.maximum.accumulate(before > 0, axis=1)
    grew, up, down = now - before, (before > 0) & (now > before), (before > 0) & (now > 0) & (now < before)
    parts = {"new": np.where((before == 0) & (now > 0) & ~seen, now, 0.0),
             "reactivation": np.where((before == 0) & (now > 0) & seen, now, 0.0),
             "expansion": np.where(up, grew, 0.0), "contraction": np.where(down, grew, 0.0),
             "churned": np.where((before > 0) & (now == 0), -before, 0.0)}
    out = pd.DataFrame({"month": mrr.columns, "start_mrr": before.sum(axis=0),
                        **{k: v.sum(axis=0) for k, v in parts.items()}, "end_mrr": now.sum(axis=0),
                        "customers_start": (before > 0).sum(axis=0), "new_customers": (parts["new"] > 0).sum(axis=0),
                        "reactivated_customers": (parts["reactivation"] > 0).sum(axis=0),
                        "churned_customers": (parts["churned"] < 0).sum(axis=0),
                        "customers_end": (now > 0).sum(axis=0)})
    grr, nrr = np.full(now.shape[1], np.nan), np.full(now.shape[1], np.nan)
    for j in range(TRAILING_MONTHS, now.shape[1]):
        base = now[:, j - TRAILING_MONTHS]
        kept = base > 0
        if kept.any():
            grr[j] = np.minimum(now[kept, j], base[kept]).sum() / base[kept].sum()
            nrr[j] = now[kept, j].sum() / base[kept].sum()
    return out.assign(grr=grr, nrr=nrr)


def check(events: pd.DataFrame, as_of: date) -> None:
    fast = monthly_mrr(events, as_of)
    slow = pivot_mrr(events, as_of)
    assert list(fast.index) == list(slow.index)
    assert list(fast.columns) == list(slow.columns)
    np.testing.assert_allclose(fast.to_numpy(), slow.to_numpy(), rtol=1e-12, atol=1e-6)
    result = revenue_movements(events, as_of)
    expected = dense_movements(slow)
    months = result.months.assign(grr=result.trends["grr"], nrr=result.trends["nrr"])
    assert list(months.columns) == list(expected.columns)
    for column in expected.columns[1:]:
        np.testing.assert_allclose(months[column].to_numpy(float), expected[column].to_numpy(float),
                                   rtol=1e-12, atol=1e-6, err_msg=column)


def test_sample_equals_the_pivot_and_dense_path():
    datasets = load_sample("en")
    check(datasets.events, datasets.latest_date())


def test_benchmark_generator_with_categorical_ids():
    check(synthetic_events(300_000), date(2026, 10, 31))


AMOUNTS = [0, 1000, -1000, 2500, 9800, -300]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 29), st.sampled_from(AMOUNTS)),
                min_size=1, max_size=150), st.booleans(), st.integers(0, 2))
def test_random_logs_equal_the_pivot_and_dense_path(rows, categorical, blanks):
    """Refunds (negative amounts), months summing to zero, blank ids/dates/amounts, ids categorical or text."""
    events = pd.DataFrame({"customer_id": [f"C{c}" for c, _, _ in rows],
                           "date": [pd.Timestamp("2023-01-10") + pd.DateOffset(months=m) for _, m, _ in rows],
                           "amount": [float(a) for _, _, a in rows]})
    column = ("customer_id", "date", "amount")[blanks]
    events.loc[events.index[::7], column] = None
    if categorical:
        events["customer_id"] = events["customer_id"].astype("category")
    as_of = date(2025, 3, 31)
    if events.dropna()["date"].le(pd.Timestamp("2025-03-31")).sum() == 0:
        return  # nothing billed before the as-of date: both raise revenue_no_months
    check(events, as_of)
