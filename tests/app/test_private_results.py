"""Results computed on a session's uploaded data stay in that session (``ui.caching``): never in a
cache another session reads (even for identical bytes), gone with the session; the sample's results
are still computed once for everyone."""

from __future__ import annotations

import functools
import gc
import weakref
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from cs_models import survival
from cs_models.datasets import Datasets
from tests.app.util import assert_clean, run_app
from ui import caching

CHURN = "pages/churn.py"


@pytest.fixture
def analyses(monkeypatch):
    """Counts of the Churn page's survival analyses (the real ones still run)."""
    counts: Counter[str] = Counter()
    original = survival.analyse

    @functools.wraps(original)
    def counted(*args, **kwargs):
        counts["analyse"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(survival, "analyse", counted)
    caching.shared.cache_clear()  # the wrappers hold the function they were made with
    caching.cached.cache_clear()
    yield counts
    caching.shared.cache_clear()
    caching.cached.cache_clear()


def _upload(seed: int = 1) -> Datasets:
    rng = np.random.default_rng(seed)
    n = 400
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    end = (start + pd.to_timedelta(rng.integers(20, 500, n), unit="D")).where(rng.random(n) < 0.5)
    customers = pd.DataFrame({"customer_id": [f"C{i}" for i in range(n)], "start_date": start,
                              "end_date": end.where(end <= pd.Timestamp("2025-06-30")),
                              "plan": rng.choice(["Light", "Pro"], n), "mrr": 1000.0})
    return Datasets(customers=customers, source="upload")


def test_identical_uploads_in_two_sessions_are_analysed_twice_and_kept_apart(analyses):
    first = run_app(CHURN, lang="en", uploaded=_upload())
    second = run_app(CHURN, lang="en", uploaded=_upload())
    assert_clean(first)
    assert_clean(second)
    assert analyses["analyse"] == 2  # no shared entry for per-user data
    mine, theirs = first.session_state[caching.PRIVATE_KEY], second.session_state[caching.PRIVATE_KEY]
    assert mine
    assert theirs
    assert not {id(v) for v in mine.values()} & {id(v) for v in theirs.values()}
    first.run()
    assert analyses["analyse"] == 2  # a rerun reads the session's own result


def test_the_sample_is_still_analysed_once_for_everyone(analyses):
    run_app(CHURN, lang="en")
    other = run_app(CHURN, lang="en")
    assert_clean(other)
    assert analyses["analyse"] == 1
    assert caching.PRIVATE_KEY not in other.session_state


def test_results_of_an_upload_go_with_the_session(analyses):
    upload = _upload(3)
    frame = weakref.ref(upload.customers)
    at = run_app(CHURN, lang="en", uploaded=upload)
    assert_clean(at)
    result = weakref.ref(next(iter(at.session_state[caching.PRIVATE_KEY].values())))
    del upload, at
    gc.collect()
    assert frame() is None
    assert result() is None


def test_the_private_memo_is_bounded_and_copies_what_cached_returns():
    memo: caching.OrderedDict = caching.OrderedDict()
    made = []

    def make(x):
        made.append(x)
        return {"x": [x]}

    for x in range(caching.PRIVATE_ENTRIES + 5):
        caching._remember(memo, make, True, (x,), {})
    assert len(memo) == caching.PRIVATE_ENTRIES
    first = caching._remember(memo, make, True, (caching.PRIVATE_ENTRIES,), {})
    first["x"].append("changed")
    assert caching._remember(memo, make, True, (caching.PRIVATE_ENTRIES,), {}) == {"x": [caching.PRIVATE_ENTRIES]}
    assert made.count(caching.PRIVATE_ENTRIES) == 1
