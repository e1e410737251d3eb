"""The Datasets container."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest

from cs_models import Datasets


def test_available_counts_and_latest_date():
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "start_date": pd.to_datetime(["2024-01-01", "2024-02-01"]),
            "end_date": pd.to_datetime([None, "2024-05-03"]),
        }
    )
    events = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2024-04-30"])})
    data = Datasets(customers=customers, events=events)
    assert data.available() == ["customers", "events"]
    assert data.row_counts() == {"customers": 2, "events": 1}
    assert data.latest_date() == date(2024, 5, 3)
    assert Datasets().latest_date() is None


def test_frozen_and_with_frames():
    data = Datasets()
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.customers = pd.DataFrame()  # type: ignore[misc]
    survey = pd.DataFrame({"q": ["x"]})
    assert data.with_frames(survey=survey).available() == ["survey"]
    with pytest.raises(KeyError):
        data.get("nope")
