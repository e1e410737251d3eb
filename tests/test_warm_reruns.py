"""Warm reruns cost O(1) in the data size (issue 15): what a rerun reads of the loaded data is
computed once per datasets object."""

from __future__ import annotations

import gc
from datetime import date

import pandas as pd

from cs_models.datasets import Datasets
from ui import caching


def test_latest_date_is_scanned_once_per_datasets(monkeypatch) -> None:
    """The as-of date's scan runs once however often a rerun asks; the value is the scan's
    (second method: the maximum computed by hand)."""
    events = pd.DataFrame({"customer_id": ["C1", "C2"], "date": pd.to_datetime(["2024-03-01", "2024-05-31"])})
    datasets = Datasets(events=events)
    calls = []
    original = Datasets.latest_date
    monkeypatch.setattr(Datasets, "latest_date", lambda self: calls.append(1) or original(self))
    for _ in range(5):
        assert caching.latest_date(datasets) == date(2024, 5, 31)
    assert calls == [1]
    other = Datasets(events=events.iloc[:1])
    assert caching.latest_date(other) == date(2024, 3, 1)
    assert calls == [1, 1]


def test_a_remembered_latest_date_dies_with_its_datasets() -> None:
    """The memo keeps no datasets alive and no stale entry outlives them (ids are reused)."""
    datasets = Datasets(events=pd.DataFrame({"customer_id": ["C1"], "date": pd.to_datetime(["2024-01-01"])}))
    caching.latest_date(datasets)
    key = id(datasets)
    assert key in caching._LATEST
    del datasets
    gc.collect()
    assert key not in caching._LATEST
