"""Churn risk on degenerate data (issue 16): with no churn event there is nothing to learn from, so the
result says so instead of "the riskiest 4 customers are expected to lose 0.0 accounts"."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from cs_models import risk
from cs_models.catalogue import translate


def _customers(n: int = 40, churned: int = 0) -> pd.DataFrame:
    end = [pd.Timestamp("2024-03-01")] * churned + [pd.NaT] * (n - churned)
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(n)],
        "start_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(np.arange(n) * 7, unit="D"),
        "end_date": pd.to_datetime(end), "plan": ["a", "b"] * (n // 2), "mrr": 100.0,
    })


def test_no_churn_event_gives_a_note_and_one_explaining_finding():
    """Everyone censored: the Cox partial likelihood has no event term, so every risk is 0 (hand
    calculation: with no event the fitted cumulative hazard is 0)."""
    result = risk.risk_scores(_customers(), date(2024, 6, 30))
    assert result.notes == ("risk_no_events",)
    assert (result.customers["risk"] == 0).all()
    found = risk.findings(result)
    assert [f.code for f in found] == ["risk.no_events"]
    for lang in ("ja", "en"):
        text = found[0].text(lang)
        assert "0.0" not in text
        assert "40" in text
    assert "risk_no_events" in result.to_dict()["notes"]


def test_churn_after_the_as_of_date_does_not_count():
    result = risk.risk_scores(_customers(churned=3), date(2024, 2, 1))
    assert result.notes == ("risk_no_events",)


def test_with_churn_events_the_revenue_finding_stays():
    result = risk.risk_scores(_customers(churned=6), date(2024, 6, 30))
    assert result.notes == ()
    assert "risk.revenue_at_risk" in [f.code for f in risk.findings(result)]
    assert translate("en", "findings.risk.no_events", n=1, as_of="x")
