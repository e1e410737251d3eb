"""The Overview card's light journey summary (``journey.card_summary``) equals the full analysis.

Issue 15 (cold start < 3 s): the card computes only what it draws and what the findings read; the
typical paths, their LTV and the time in stage are left to the page. Every field of the summary must
equal the field of the same name of ``analyse_journey`` on the same data, and the findings of both
must be the same, so the card and the page never show different numbers.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from cs_models import journey
from cs_models.sample import load_sample

AS_OF = date(2025, 12, 31)


def _no_upgrades_no_amounts() -> tuple[pd.DataFrame, pd.DataFrame, date, tuple[str, ...]]:
    """Two entry stages, nobody moves, no MRR: no upgrade model and the value in months."""
    rng = np.random.default_rng(3)
    n = 300
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    end = start + pd.to_timedelta(np.ceil(rng.exponential(700, n)), unit="D")
    ids = [f"S{i}" for i in range(n)]
    customers = pd.DataFrame({"customer_id": ids, "start_date": start,
                              "end_date": end.where(end <= pd.Timestamp(AS_OF))})
    history = pd.DataFrame({"customer_id": ids, "date": start, "plan": ["mid"] * 100 + ["beginner"] * (n - 100)})
    return history, customers, AS_OF, ("beginner", "mid")


def _cases() -> dict[str, tuple[pd.DataFrame, pd.DataFrame, date, tuple[str, ...] | None]]:
    sample = load_sample("en")
    sample_ja = load_sample("ja")
    return {
        "sample_en": (sample.plan_history, sample.customers, sample.latest_date(), None),
        "sample_ja": (sample_ja.plan_history, sample_ja.customers, sample_ja.latest_date(), None),
        "sample_early_as_of": (sample.plan_history, sample.customers, date(2025, 6, 30), None),
        "no_upgrades_no_amounts": _no_upgrades_no_amounts(),
    }


def _equal(a: object, b: object) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)  # type: ignore[arg-type]
    elif dataclasses.is_dataclass(a):
        assert dataclasses.asdict(a) == dataclasses.asdict(b)  # type: ignore[arg-type]
    else:
        assert a == b


@pytest.mark.parametrize("case", list(_cases()))
def test_card_summary_equals_the_full_analysis(case: str) -> None:
    history, customers, as_of, order = _cases()[case]
    full = journey.analyse_journey(history, customers, as_of, order=order)
    light = journey.card_summary(history, customers, as_of, order=order)
    for field in dataclasses.fields(light):
        _equal(getattr(light, field.name), getattr(full, field.name))
    assert journey.findings(light) == journey.findings(full)
    assert [f.text("en") for f in journey.findings(light)] == [f.text("en") for f in journey.findings(full)]


def test_the_cases_cover_both_kinds_of_result() -> None:
    """One case with an upgrade model and money, one without either (the card's two shapes)."""
    upgrades = {case: journey.card_summary(h, c, a, order=o) for case, (h, c, a, o) in _cases().items()}
    assert upgrades["sample_en"].upgrade is not None
    assert upgrades["sample_en"].mrr_source != "months"
    assert upgrades["no_upgrades_no_amounts"].upgrade is None
    assert upgrades["no_upgrades_no_amounts"].mrr_source == "months"
