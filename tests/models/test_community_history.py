"""The role history month by month (``Roles.history``) equals the straightforward computation.

Issue 15 (cold start): :func:`cs_models.community.log._history` counts every month's window in one
pass over per-member codes; the reference below is the former loop, :func:`community.log.counts` and
:func:`community.log.assign_roles` on each month's window, which the page showed before.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cs_models import community
from cs_models.community import log as community_log
from cs_models.sample import load_sample


def _reference(frame: pd.DataFrame, as_of: date, rule: community.RoleRule) -> pd.DataFrame:
    first = frame["date"].min().to_period("M")
    months = pd.period_range(first, pd.Timestamp(as_of).to_period("M"), freq="M")
    rows = []
    for month in months:
        end = min(month.end_time.normalize(), pd.Timestamp(as_of)) + pd.Timedelta(days=1)
        table = community_log.counts(frame, end - pd.Timedelta(days=rule.window_days), end)
        roles = community_log.assign_roles(table, rule)
        rows.append({"month": month.start_time, **{r: int((roles == r).sum()) for r in community_log.ROLES}})
    return pd.DataFrame(rows, columns=["month", *community_log.ROLES])


def _random_log(seed: int) -> pd.DataFrame:
    """Members joining over a year, actions of every kind (some in Japanese), times of day included."""
    rng = np.random.default_rng(seed)
    n = 400
    member = rng.integers(0, 60, n)
    day = rng.integers(0, 365, n)
    hours = rng.integers(0, 24, n)
    action = rng.choice(["post", "投稿", "comment", "コメント", "reaction", "view", "join", "event"], n)
    return pd.DataFrame({"member_id": [f"M{m}" for m in member],
                         "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(day, unit="D")
                         + pd.to_timedelta(hours, unit="h"), "action": action})


CASES = {
    "sample": (lambda: load_sample("en").community, None),
    "sample_ja_early": (lambda: load_sample("ja").community, date(2025, 9, 15)),
    "random_1": (lambda: _random_log(1), date(2025, 12, 31)),
    "random_2_mid_month": (lambda: _random_log(2), date(2025, 8, 17)),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("rule", [community.RoleRule(90, 3, 3), community.RoleRule(30, 1, 2),
                                  community.RoleRule(7, 5, 1)])
def test_history_equals_the_month_by_month_tables(case: str, rule: community.RoleRule) -> None:
    make, as_of = CASES[case]
    log = make()
    as_of = as_of or pd.Timestamp(log["date"].max()).date()
    frame = community_log.prepared(log, as_of)
    pd.testing.assert_frame_equal(community_log._history(frame, as_of, rule), _reference(frame, as_of, rule),
                                  check_exact=True)
    roles = community.community_roles(log, as_of, window_days=rule.window_days, leader_posts=rule.leader_posts,
                                      follower_actions=rule.follower_actions)
    pd.testing.assert_frame_equal(roles.history, _reference(frame, as_of, rule), check_exact=True)
