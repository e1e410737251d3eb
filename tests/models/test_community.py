"""Community analysis (``cs_models.community``) against independent references.

References: a direct count of the role rule over a hand-made log (plain Python loops);
``scipy.stats.wilcoxon`` for the paired test and its exact p-values, inverted over a grid of
shifts, for the Hodges–Lehmann interval (test inversion as a second method); a hand calculation
of the difference in differences; lifelines ``CoxTimeVaryingFitter`` on a start/stop table built
row by row.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxTimeVaryingFitter
from scipy import stats

from cs_models import community
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.pipeline import load_files
from cs_models.sample import load_sample

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "community"
AS_OF = date(2026, 3, 31)


def _log(seed: int = 5, n: int = 40) -> pd.DataFrame:
    """Random activity of ``n`` members over six months (actions in mixed ja/en words)."""
    rng = np.random.default_rng(seed)
    rows = []
    words = {"post": ["post", "投稿"], "comment": ["comment", "コメント"], "reaction": ["いいね"], "view": ["view"]}
    for i in range(n):
        for action, rate in (("post", rng.gamma(0.6, 3)), ("comment", rng.gamma(0.8, 3)), ("reaction", 4),
                             ("view", 8)):
            k = rng.poisson(rate)
            days = rng.integers(0, 182, k)
            rows += [(f"M{i:02d}", pd.Timestamp("2025-10-01") + pd.Timedelta(days=int(d), hours=10),
                      words[action][j % len(words[action])]) for j, d in enumerate(days)]
    return pd.DataFrame(rows, columns=["member_id", "date", "action"])


def test_roles_by_the_default_rule_equal_a_direct_count():
    """Direct count: posts and comments of each member in the 90 days up to the as-of day, then
    leader = posts >= 3, follower = otherwise posts + comments >= 3, audience = the rest."""
    log = _log()
    result = community.community_roles(log, AS_OF)
    start = pd.Timestamp(AS_OF) - pd.Timedelta(days=89)  # the window holds the as-of day and 89 before
    expected = {"leader": 0, "follower": 0, "audience": 0}
    for member in sorted(set(log["member_id"])):
        mine = [r for r in log.itertuples() if r.member_id == member and start <= r.date.normalize()
                and r.date.normalize() <= pd.Timestamp(AS_OF)]
        posts = sum(r.action in ("post", "投稿") for r in mine)
        comments = sum(r.action in ("comment", "コメント") for r in mine)
        expected["leader" if posts >= 3 else "follower" if posts + comments >= 3 else "audience"] += 1
    assert dict(result.counts) == expected
    assert result.members == 40
    assert sum(expected.values()) == 40
    assert result.rule == community.RoleRule(90, 3, 3)
    stricter = community.community_roles(log, AS_OF, leader_posts=6, follower_actions=5, window_days=30)
    assert stricter.rule.to_dict() == {"window_days": 30, "leader_posts": 6, "follower_actions": 5}
    assert stricter.counts["leader"] <= expected["leader"]


def test_concentration_of_posts():
    """Hand calculation: posts 0, 0, 1, 1, 2, 2, 3, 3, 8, 20 (40 in all) over ten members: the top
    10% (one member) wrote 20/40 = 50%; Lorenz curve ends at (1, 1); Gini = 1 − 2·area."""
    posts = np.array([0, 0, 1, 1, 2, 2, 3, 3, 8, 20])
    assert community.top_share(posts) == pytest.approx(0.5)
    curve = community.lorenz(posts)
    assert curve.iloc[-1].tolist() == [1.0, 1.0]
    assert curve.iloc[0].tolist() == [0.0, 0.0]
    assert curve["posts"].iloc[9] == pytest.approx(20 / 40)
    cumulative = np.cumsum(np.sort(posts)) / 40
    area = sum((a + b) / 2 * 0.1 for a, b in zip(np.r_[0, cumulative[:-1]], cumulative, strict=True))
    assert np.trapezoid(curve["posts"], curve["members"]) == pytest.approx(area)
    assert np.isnan(community.top_share(np.zeros(5)))


def test_action_words_of_the_exports():
    for word, code in (("投稿", "post"), ("Comment", "comment"), ("いいね！", "reaction"), ("イベント参加", "event"),
                       ("閲覧", "view"), ("参加登録", "join"), ("Liked", "reaction"), ("reply", "comment"),
                       ("message", "post"), ("shouted", None), (None, None)):
        assert community.action_code(word) == code


def test_hodges_lehmann_interval_inverts_the_exact_signed_rank_test():
    """Second method: the CI is the set of shifts d for which scipy's exact Wilcoxon test of
    (x − d) does not reject at 5% (checked on a grid just inside and outside the endpoints);
    the estimate is the median of the Walsh averages."""
    d = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]) - np.array(
        [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])  # Hollander & Wolfe's depression data
    estimate, low, high = community.hodges_lehmann(d, 0.05)
    i, j = np.triu_indices(len(d))
    assert estimate == pytest.approx(np.median((d[i] + d[j]) / 2))

    def p(shift: float) -> float:
        return float(stats.wilcoxon(d - shift, method="exact").pvalue)

    eps = 1e-6
    assert p(low + eps) > 0.05
    assert p(high - eps) > 0.05
    assert p(low - eps) <= 0.05
    assert p(high + eps) <= 0.05
    cdf = community.signed_rank_cdf(9)
    five = np.array([-1, -2, -3, -4, 5, -6, -7, -8, -9])  # T+ = 5: P(T+ <= 5) is scipy's one-sided p
    assert cdf[-1] == pytest.approx(1.0)
    assert cdf[5] == pytest.approx(stats.wilcoxon(
        five, alternative="less", method="exact").pvalue)


def _event_log() -> pd.DataFrame:
    """Five attendees (first event 2026-02-02) and two non-attendees, all members from 2026-01-01."""
    rows = [(m, "2026-01-01", "join") for m in ("A1", "A2", "A3", "A4", "A5", "C1", "C2")]
    before = {"A1": 0, "A2": 1, "A3": 0, "A4": 2, "A5": 0, "C1": 1, "C2": 0}
    after = {"A1": 4, "A2": 3, "A3": 2, "A4": 2, "A5": 6, "C1": 2, "C2": 3}
    for member, k in before.items():
        rows += [(member, f"2026-01-{20 + i}", "post") for i in range(k)]  # inside the 2 weeks before
    for member, k in after.items():
        rows += [(member, f"2026-02-{3 + i}", "comment") for i in range(k)]  # inside the 2 weeks after
    rows += [(m, "2026-02-02", "event") for m in ("A1", "A2", "A3", "A4", "A5")]
    rows += [("C1", "2026-01-03", "post")]  # outside both windows
    frame = pd.DataFrame(rows, columns=["member_id", "date", "action"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_event_effect_paired_test_and_difference_in_differences():
    """Hand calculation with 2-week windows: attendees' changes (posts/week) are 2, 1, 1, 0, 3
    (mean 1.4); non-attendees' are (2−1)/2 = 0.5 and 1.5 (mean 1.0); DiD = 1.4 − 1.0 = 0.4.
    The paired test equals scipy.stats.wilcoxon(after, before)."""
    effect = community.event_effect(_event_log(), date(2026, 3, 31), weeks=2)
    pairs = effect.pairs.set_index("member_id")
    assert pairs["change"].tolist() == [2.0, 1.0, 1.0, 0.0, 3.0]
    assert pairs["control_change"].tolist() == pytest.approx([1.0] * 5)
    assert effect.did == pytest.approx(0.4)
    reference = stats.wilcoxon(pairs["after"], pairs["before"])
    assert (effect.wilcoxon_stat, effect.wilcoxon_p) == (pytest.approx(reference.statistic),
                                                         pytest.approx(reference.pvalue))
    # Walsh averages of 2, 1, 1, 3 (zero dropped): 1, 1, 1, 1.5, 1.5, 2, 2, 2, 2.5, 3 -> median 1.75
    assert effect.hl == pytest.approx(1.75)
    assert effect.did_low <= effect.did <= effect.did_high
    again = community.event_effect(_event_log(), date(2026, 3, 31), weeks=2)
    assert (again.did_low, again.did_high) == (effect.did_low, effect.did_high)  # seeded bootstrap


def test_event_effect_needs_attendees():
    log = _log()
    effect = community.event_effect(log, AS_OF)
    assert effect.notes == ("no_events",)
    assert np.isnan(effect.did)
    assert community.event_findings(effect) == []


def _customers(n: int = 60, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    life = pd.to_timedelta(rng.exponential(500, n).round() + 1, unit="D")
    end = (start + life).where(start + life <= pd.Timestamp(AS_OF))
    return pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(n)], "start_date": start, "end_date": end})


def test_time_varying_cox_matches_lifelines_on_a_hand_built_table():
    """lifelines CoxTimeVaryingFitter on a start/stop table written row by row: a customer who
    took part on day t of their life has a row [0, t) with participating 0 and [t, end) with 1."""
    customers = _customers()
    rng = np.random.default_rng(9)
    log_rows, hand = [], []
    for c in customers.itertuples():
        end = (c.end_date if pd.notna(c.end_date) else pd.Timestamp(AS_OF))
        dur = (end - c.start_date).days
        took = int(rng.integers(1, 400)) if rng.random() < 0.6 else None
        if took is not None:
            log_rows.append((c.customer_id, c.start_date + pd.Timedelta(days=took), "post"))
        churned = pd.notna(c.end_date)
        if took is not None and took < dur:
            hand += [(c.customer_id, 0.0, float(took), 0, False), (c.customer_id, float(took), float(dur), 1, churned)]
        else:
            hand.append((c.customer_id, 0.0, float(dur), 0, churned))
    log = pd.DataFrame(log_rows, columns=["member_id", "date", "action"])
    table = pd.DataFrame(hand, columns=["id", "start", "stop", "participating", "event"])
    fitter = CoxTimeVaryingFitter().fit(table, id_col="id", start_col="start", stop_col="stop", event_col="event")
    result = community.participation_churn(log, customers, AS_OF)
    assert result.hazard_ratio == pytest.approx(float(fitter.summary.loc["participating", "exp(coef)"]), rel=1e-5)
    assert result.hr_p == pytest.approx(float(fitter.summary.loc["participating", "p"]), rel=1e-4)
    assert result.episodes == len(table)
    assert result.hr_lower < result.hazard_ratio < result.hr_upper


def test_participation_churn_needs_a_link():
    with pytest.raises(DataError) as err:
        community.participation_churn(_log(), _customers(), AS_OF)
    assert err.value.code == "community_no_match"


def test_leader_candidates_keep_missing_links_missing():
    """m1 is a customer with payments and a survey answer, m3 is not a customer: its results and
    fandom stay missing (NaN, source None), never zero."""
    log = pd.DataFrame({"member_id": ["m1"] * 3 + ["m3"] * 5, "customer_id": ["C1"] * 3 + [None] * 5,
                        "date": pd.to_datetime(["2026-03-01"] * 8), "action": ["post"] * 8})
    events = pd.DataFrame({"customer_id": ["C1", "C1"], "date": pd.to_datetime(["2025-01-10", "2026-03-10"]),
                           "amount": [10_000.0, 15_000.0]})
    gaps = pd.DataFrame({"respondent_id": ["R1"], "customer_id": ["C1"], "item": ["support"],
                         "expectation": [3], "satisfaction": [5]})
    roles = community.community_roles(log, AS_OF)
    table = community.leader_candidates(roles, events=events, gaps=gaps).set_index("member_id")
    assert table.loc["m1", "results"] == pytest.approx(0.5)
    assert table.loc["m1", "fandom"] == 5
    assert np.isnan(table.loc["m3", "results"])
    assert np.isnan(table.loc["m3", "fandom"])
    assert table.loc["m3", "results_source"] is None
    assert table.loc["m1", "fandom_source"] == "gaps"
    assert table.loc["m1", "criteria"] == 3
    assert table.loc["m3", "criteria"] == 1
    assert table.loc["m1", "rank"] == 1  # judged on all three criteria, ahead of m3 who posted more


@pytest.mark.parametrize("name", ["slack_en.csv", "commmune_ja.csv"])
def test_exports_are_detected_and_unknown_actions_left_out(name):
    datasets, (report,) = load_files([(name, (FIXTURES / name).read_bytes())])
    assert report.kind == "community"
    log = datasets.community
    assert log is not None
    assert set(log["action"]) <= set(community.ACTIONS)
    if name == "slack_en.csv":
        assert len(log) == 5
        assert "shouted" not in set(log["action"])
    else:
        assert log["customer_id"].tolist()[:2] == ["C001", "C002"]


@pytest.fixture(scope="module")
def sample_ja() -> Datasets:
    return load_sample("ja")


def test_sample_group_comes_alive_after_study_sessions(sample_ja):
    """The sample story: almost nobody but the CS team posts in the first months; after the offline
    study sessions attendees post more than the general trend (DiD interval above 0)."""
    as_of = sample_ja.latest_date()
    log = sample_ja.community
    roles = community.community_roles(log, as_of)
    first = roles.history.iloc[2]
    assert first["leader"] + first["follower"] <= 3
    assert roles.counts["leader"] >= 5
    effect = community.event_effect(log, as_of)
    assert effect.did_low > 0
    members = set(log["member_id"])
    assert len(members & set(sample_ja.customers["customer_id"])) >= 0.9 * len(members)
    en = load_sample("en").community
    pd.testing.assert_series_equal(en["date"], log["date"])
    assert (en["action"] == log["action"]).all()


def test_report_section(sample_ja):
    as_of = sample_ja.latest_date()
    section = community.report_section(sample_ja, as_of=as_of)
    assert section is not None
    assert set(section) >= {"members", "roles", "rule", "top10_post_share", "leader_candidates", "event_effect",
                            "churn", "findings"}
    assert set(section["roles"]) == {"leader", "follower", "audience"}
    assert sum(section["roles"].values()) == section["members"]
    assert section["churn"]["hazard_ratio"] > 0
    alone = community.report_section(Datasets(community=sample_ja.community), as_of=as_of)
    assert alone is not None
    assert alone["churn"] is None
    assert community.report_section(Datasets(customers=sample_ja.customers), as_of=as_of) is None


def test_report_command_on_a_community_log_alone():
    """``python -m cs_models report community.csv --kind community``: the section is there, churn is null."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "cs_models", "report", "sample_data/en/community.csv", "--kind",
                           "community", "--lang", "en"], cwd=root, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    section = json.loads(done.stdout)["community"]
    assert section["churn"] is None
    assert set(section["roles"]) == {"leader", "follower", "audience"}
    assert section["rule"] == {"window_days": 90, "leader_posts": 3, "follower_actions": 3}


def test_hodges_lehmann_normal_approximation_is_close_to_the_exact_interval():
    """Beyond 50 differences (or with ties) the critical rank comes from the normal approximation
    of T+ (mean n(n+1)/4, variance n(n+1)(2n+1)/24); at n = 60 it is within one rank of the exact
    critical value computed from the full null distribution."""
    rng = np.random.default_rng(1)
    d = rng.normal(0.3, 1, 60)
    estimate, low, high = community.hodges_lehmann(d, 0.05)
    cdf = community.signed_rank_cdf(60)
    exact = int(np.searchsorted(cdf, 0.025, side="right"))
    i, j = np.triu_indices(60)
    walsh = np.sort((d[i] + d[j]) / 2)
    assert low in (walsh[exact - 2], walsh[exact - 1], walsh[exact])
    assert high in (walsh[len(walsh) - exact - 1], walsh[len(walsh) - exact], walsh[len(walsh) - exact + 1])
    assert low < estimate < high
