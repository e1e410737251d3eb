"""The embedded engine (DuckDB over private Parquet) gives the pandas results exactly.

The reference is the pandas path of the same frames (:func:`cs_models.cohorts.cohort_table`,
:func:`cs_models.revenue.revenue_movements`, :func:`cs_models.survival.durations`), on the sample
data and on seeded random data with gaps, negative and zero amounts, unknown customers and events
before a customer's start.
"""

from __future__ import annotations

import os
import stat
from datetime import date

import numpy as np
import pandas as pd
import pytest

from cs_models.cohorts import cohort_table
from cs_models.errors import DataError
from cs_models.pipeline import load_files
from cs_models.revenue import revenue_movements
from cs_models.survival import durations
from cs_models.warehouse.cohorts import cohort_table_sql
from cs_models.warehouse.connection import embedded
from cs_models.warehouse.revenue import revenue_movements_sql
from cs_models.warehouse.survival import durations_sql

from .conftest import SAMPLE, sample_frames, text_ids

AS_OF = date(2024, 12, 15)


def random_data(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers and events with the awkward cases (seeded)."""
    rng = np.random.default_rng(seed)
    n = 300
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1100, n), unit="D")
    end = start + pd.to_timedelta(rng.integers(10, 900, n), unit="D")
    end = end.where(rng.random(n) < 0.5, pd.NaT)
    customers = pd.DataFrame({"customer_id": [f"C{i:04d}" for i in range(n)], "start_date": start, "end_date": end,
                              "plan": rng.choice(["A", "B", "C"], n), "seats": rng.integers(1, 50, n)})
    m = 6000
    who = rng.integers(0, n + 20, m)  # some unknown customers
    day = start[np.minimum(who, n - 1)] + pd.to_timedelta(rng.integers(-40, 700, m), unit="D")  # some before start
    amount = rng.choice([0.0, -500.0, 1000.0, 2500.0, 9800.0, 12000.0], m, p=[.05, .05, .3, .3, .2, .1])
    events = pd.DataFrame({"customer_id": [f"C{i:04d}" for i in who], "date": day, "amount": amount})
    return customers, events


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("options", [{}, {"metric": "grr"}, {"metric": "nrr", "period": "quarter"},
                                     {"mode": "on_or_after", "period": "week", "segment": "plan"},
                                     {"period": "day", "max_k": 40}])
def test_cohorts_from_sql_equal_pandas_on_random_data(seed, options):
    customers, events = random_data(seed)
    expected = cohort_table(events, customers=customers, as_of=AS_OF, **options)
    assert expected.unmatched_events > 0
    assert expected.events_before_start > 0
    with embedded({"customers": customers, "events": events}) as wh:
        got = cohort_table_sql(wh, as_of=AS_OF, **options)
    assert got.to_dict() == expected.to_dict()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_events_only_cohorts_movements_and_durations_equal_pandas(seed):
    customers, events = random_data(seed)
    with embedded({"customers": customers, "events": events}) as wh:
        uploaded = load_files([("customers.csv", customers.to_csv(index=False).encode())])[0].customers
        pd.testing.assert_frame_equal(text_ids(durations_sql(wh, AS_OF)), text_ids(durations(uploaded, AS_OF)))
    with embedded({"events": events}) as wh:
        got = cohort_table_sql(wh, as_of=AS_OF, metric="grr")
        assert got.to_dict() == cohort_table(events, as_of=AS_OF, metric="grr").to_dict()
        moves = revenue_movements_sql(wh, AS_OF)
    expected = revenue_movements(events, AS_OF)
    pd.testing.assert_frame_equal(moves.months, expected.months, rtol=1e-12)
    pd.testing.assert_frame_equal(moves.trends, expected.trends, rtol=1e-12)


def test_sample_data_through_the_embedded_engine_equals_the_upload_path():
    files = [(f"{k}.csv", (SAMPLE / f"{k}.csv").read_bytes()) for k in ("customers", "events")]
    datasets = load_files(files)[0]
    as_of = datasets.latest_date()
    frames = sample_frames()
    with embedded({"customers": frames["customers"], "events": frames["events"]}) as wh:
        for metric in ("logo", "nrr", "grr"):
            expected = cohort_table(datasets.events, customers=datasets.customers, as_of=as_of, metric=metric)
            assert cohort_table_sql(wh, as_of=as_of, metric=metric).to_dict() == expected.to_dict()
        assert revenue_movements_sql(wh, as_of).to_dict() == revenue_movements(datasets.events, as_of).to_dict()


def test_the_private_dir_is_0700_and_deleted_on_close():
    _customers, events = random_data(1)
    with embedded({"events": events}) as wh:
        path = wh.tempdir
        assert path is not None
        assert os.path.isdir(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
        assert os.listdir(path) == ["events.parquet"]
    assert not os.path.exists(path)
    wh.close()  # idempotent


def test_row_limit_refuses_a_large_result_but_not_the_aggregates():
    customers, events = random_data(2)
    with embedded({"customers": customers, "events": events}, max_rows=1000) as wh:
        with pytest.raises(DataError) as info:
            wh.fetch(wh.table("events"), "events")
        assert info.value.code == "warehouse_too_many_rows"
        assert info.value.params == {"table": "events", "rows": 6000, "limit": 1000}
        cohort_table_sql(wh, as_of=AS_OF)  # the cells are few


def test_no_events_before_the_as_of_date_is_the_pandas_error():
    _, events = random_data(1)
    with embedded({"events": events}) as wh, pytest.raises(DataError) as info:
        cohort_table_sql(wh, as_of=date(2000, 1, 1))
    assert info.value.code == "cohorts_no_events"
