"""Issue 14, second part: plan changes derived from events with a plan column, and the LTV by path.

References: hand-built tables (the collapse of billing rows into plan changes), a hand calculation of
the path value on a 2-stage chain, and a Monte Carlo simulation of the same chain conditioned on the
path (the formula's value must lie within the simulation's 99% confidence interval).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cs_models import journey
from cs_models.journey import ltv as mk
from cs_models.pipeline import load_files
from cs_models.sample import SAMPLE_DIR, load_sample
from cs_models.schema import detect_kind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plan_history"
BILLING = FIXTURES / "billing_with_plan_ja.csv"


@pytest.fixture(scope="module")
def sample_result():
    data = load_sample("en")
    return journey.analyse_journey(data.plan_history, data.customers, data.latest_date())


def _events(rows: list[tuple[str, str, str | None, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "plan", "amount"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_plan_changes_from_billing_rows_by_hand():
    """Unsorted monthly bills. By hand, after sorting by customer and date and dropping blank plans:
    a: Jan A 10, Feb A 10, Mar B 20, (Apr blank), May A 10, Jun A 12 → A from Jan (mean 10), B from Mar
    (20), A again from May (mean 11); b: (Jan blank), Feb Pro 50, Mar Pro 50 → Pro from Feb;
    c: only blanks → no row; d: Jan A, (Feb blank), Mar B → A from Jan, B from Mar (the blank is no
    change). The bills are a month apart, so the run means are the monthly revenue."""
    events = _events([
        ("a", "2024-03-01", "B", 20), ("b", "2024-03-01", "Pro", 50), ("a", "2024-01-01", "A", 10),
        ("d", "2024-02-15", None, 30), ("a", "2024-06-01", "A", 12), ("a", "2024-04-01", None, 20),
        ("c", "2024-01-10", None, 5), ("a", "2024-02-01", "A", 10), ("b", "2024-01-01", None, 50),
        ("d", "2024-01-15", "A", 10), ("a", "2024-05-01", "A", 10), ("d", "2024-03-15", "B", 40),
        ("b", "2024-02-01", "Pro", 50), ("c", "2024-02-10", None, 5),
    ])
    got = journey.plan_history_from_events(events)
    hand = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "d", "d"],
        "date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-05-01", "2024-02-01", "2024-01-15", "2024-03-15"]),
        "plan": ["A", "B", "A", "Pro", "A", "B"],
        "mrr": [10.0, 20.0, 11.0, 50.0, 10.0, 40.0],
    })
    pd.testing.assert_frame_equal(got, hand)


def test_no_amount_or_no_monthly_bills_give_no_revenue_column():
    """Without amounts, or with quarterly bills (a run's mean bill is not a monthly revenue), no ``mrr``."""
    quarterly = _events([("a", "2024-01-01", "A", 30), ("a", "2024-04-01", "A", 30), ("a", "2024-07-01", "B", 60)])
    got = journey.plan_history_from_events(quarterly)
    assert list(got.columns) == ["customer_id", "date", "plan"]
    assert got["plan"].tolist() == ["A", "B"]
    assert list(journey.plan_history_from_events(quarterly.drop(columns="amount")).columns) == [
        "customer_id", "date", "plan"]


def test_a_billing_file_with_a_plan_is_events_and_a_plan_list_stays_plan_history():
    """ID, date, amount and plan: a billing export (events); ID, date and plan only: a plan history."""
    billing = pd.DataFrame({"顧客ID": ["C1", "C1", "C2"], "請求日": ["2024/1/1", "2024/2/1", "2024/1/5"],
                            "請求額": [9800, 9800, 19800], "プラン": ["ライト", "ライト", "スタンダード"]})
    guess = detect_kind(billing)
    assert guess.kind == "events"
    assert guess.scores["events"] > guess.scores["plan_history"]
    assert detect_kind(billing.drop(columns="請求額")).kind == "plan_history"
    path = FIXTURES / "stages_ja.csv"
    assert detect_kind(pd.read_csv(path)).kind == "plan_history"


def test_billing_fixture_is_read_as_events_with_a_plan_and_gives_the_journey():
    """The fixture (sample customers' monthly bills naming the plan billed) is detected as events with
    ``plan`` mapped; the journey and the report section use the changes derived from it."""
    customers = SAMPLE_DIR / "ja" / "customers.csv"
    datasets, reports = load_files([(BILLING.name, BILLING.read_bytes()), (customers.name, customers.read_bytes())])
    report = next(r for r in reports if r.file == BILLING.name)
    assert report.kind == "events"
    assert dict(report.mapping.fields) == {"customer_id": "顧客ID", "date": "請求日", "amount": "請求額",
                                           "plan": "プラン"}
    assert datasets.plan_history is None
    history, source = journey.journey_history(datasets)
    assert source == "events"
    pd.testing.assert_frame_equal(history, journey.plan_history_from_events(datasets.events))
    section = journey.report_section(datasets, as_of=datasets.latest_date())
    assert section["stages_from"] == "events"
    assert section["stages"] == ["ライト", "スタンダード", "プロ"]
    assert section["mrr_source"] == "history"  # the billed amounts
    assert section["ltv_by_path"]
    assert section["results"]["journey"]["ltv_by_path"]


def test_path_value_by_hand_on_a_two_stage_chain():
    """Q = [[0.8, 0.1], [0.05, 0.9]], churn 0.1 / 0.05, revenue 10 and 30, no discounting.
    N = (I − Q)^-1 = [[0.1, 0.1], [0.05, 0.2]] / 0.015, so (N m)_A = (1 + 3) / 0.015 = 266.67 and
    (N m)_B = (0.5 + 6) / 0.015 = 433.33. Path A → B: 10 / (1 − 0.8) = 50 in A, then (N m)_B: 483.33.
    Path B → A: 30 / 0.1 + 266.67 = 566.67. A one-stage path is the entry LTV. Chance of A → B: 0.1 / 0.2.
    Discounted (d = 0.99): A is worth 10 / 0.208 = 48.0769 and carries 0.99 × 0.2 / 0.208 = 0.951923
    to B, whose LTV is (0.0495 × 10 + 0.208 × 30) / (0.208 × 0.109 − 0.099 × 0.0495) = 378.9776."""
    matrix = np.array([[0.8, 0.1, 0.1], [0.05, 0.9, 0.05]])
    mrr = np.array([10.0, 30.0])
    assert mk.path_ltv(matrix, [0, 1], mrr, 1.0) == pytest.approx(50 + 6.5 / 0.015)
    assert mk.path_ltv(matrix, [1, 0], mrr, 1.0) == pytest.approx(300 + 4 / 0.015)
    assert mk.path_ltv(matrix, [0], mrr, 1.0) == pytest.approx(4 / 0.015)
    assert mk.path_chance(matrix, [0, 1]) == pytest.approx(0.5)
    b = (0.0495 * 10 + 0.208 * 30) / (0.208 * 0.109 - 0.099 * 0.0495)
    assert b == pytest.approx(378.9776, abs=1e-3)
    assert mk.path_ltv(matrix, [0, 1], mrr, 0.99) == pytest.approx(10 / 0.208 + 0.99 * 0.2 / 0.208 * b)
    assert np.isnan(mk.path_ltv(np.array([[0.9, 0.0, 0.1], [0.05, 0.9, 0.05]]), [0, 1], mrr, 1.0))


def _simulate_paths(matrix: np.ndarray, mrr: np.ndarray, d: float, entry: int, n: int, seed: int,
                    steps: int = 3, horizon: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Simulated customers of the chain: discounted revenue until churn and the first ``steps``
    distinct stages visited (-1 when fewer)."""
    rng = np.random.default_rng(seed)
    k = matrix.shape[0]
    cumulative = np.cumsum(matrix, axis=1)
    state, value = np.full(n, entry), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    seq = np.full((n, steps), -1)
    seq[:, 0], filled = entry, np.ones(n, dtype=int)
    for month in range(horizon):
        if not alive.any():
            break
        idx = np.flatnonzero(alive)
        value[idx] += d**month * mrr[state[idx]]
        nxt = (rng.random(len(idx))[:, None] > cumulative[state[idx]]).sum(axis=1)
        nxt = np.minimum(nxt, k)
        moved = (nxt < k) & (nxt != state[idx]) & (filled[idx] < steps)
        seq[idx[moved], filled[idx[moved]]] = nxt[moved]
        filled[idx[moved]] += 1
        alive[idx[nxt == k]] = False
        state[idx[nxt < k]] = nxt[nxt < k]
    return value, seq


def test_path_value_equals_a_monte_carlo_of_the_chain_conditioned_on_the_path(sample_result):
    """For every typical path of the sample: the mean discounted revenue of simulated customers whose
    first stages follow the path lies within 2.576 standard errors of the formula; the share of the
    entrants who follow it matches the chance."""
    r = sample_result
    matrix, mrr = r.matrix.to_numpy(float), r.mrr.to_numpy(float)
    d = mk.monthly_discount(r.discount_rate)
    index = {s: i for i, s in enumerate(r.order)}
    sims = {i: _simulate_paths(matrix, mrr, d, i, 60_000, seed=100 + i) for i in range(len(r.order))}
    assert len(r.ltv_by_path) >= 4
    for row in r.ltv_by_path.itertuples():
        coded = [index[s] for s in row.path]
        value, seq = sims[coded[0]]
        follows = (seq[:, :len(coded)] == coded).all(axis=1)
        picked = value[follows]
        se = picked.std(ddof=1) / np.sqrt(len(picked))
        assert abs(row.ltv - picked.mean()) < 2.576 * se, row.path
        assert follows.mean() == pytest.approx(row.chance, abs=2.576 * np.sqrt(row.chance * (1 - row.chance)
                                                                                 / len(follows)) + 1e-9)


def test_paths_of_the_sample_and_their_intervals(sample_result):
    """Typical paths start at an entry stage; a one-stage path is exactly the entry LTV with the same
    bootstrap interval (same customer resamples); intervals hold the estimate."""
    table = sample_result.ltv_by_path
    paths = list(table["path"])
    assert ("Light", "Standard") in paths
    assert ("Light", "Standard", "Pro") in paths
    assert (table["customers"] >= 10).all()
    assert ((table["low"] < table["ltv"]) & (table["ltv"] < table["high"])).all()
    for row in table.itertuples():
        if len(row.path) == 1:
            entry = sample_result.ltv.loc[row.path[0]]
            assert (row.ltv, row.low, row.high) == pytest.approx((entry["ltv"], entry["low"], entry["high"]))
            assert row.chance == 1.0
    light = table.set_index("path")["ltv"]
    assert light[("Light", "Standard", "Pro")] > light[("Light", "Standard")] > light[("Light",)]


def test_report_has_the_ltv_by_path(tmp_path):
    """`python -m cs_models report` on the billing fixture and the customers: the journey section is
    built from the events, with ``ltv_by_path`` records."""
    files = [BILLING, SAMPLE_DIR / "ja" / "customers.csv"]
    done = subprocess.run([sys.executable, "-m", "cs_models", "report", *map(str, files), "--lang", "ja"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    section = json.loads(done.stdout)["journey"]
    assert section["stages_from"] == "events"
    first = section["ltv_by_path"][0]
    assert set(first) == {"path", "customers", "chance", "ltv", "ci"}
    assert first["path"] == ["ライト"]


def test_story_tells_the_journey_from_events_with_a_plan():
    """No plan history loaded, but the events name the plan: the story's journey step is told."""
    from cs_models.story import build_story

    customers = SAMPLE_DIR / "ja" / "customers.csv"
    datasets, _ = load_files([(BILLING.name, BILLING.read_bytes()), (customers.name, customers.read_bytes())])
    story = build_story(datasets, as_of=datasets.latest_date(), lang="ja", steps=("journey",))
    assert [s.key for s in story.steps] == ["journey"]
    assert story.skipped == ()
    bare = build_story(datasets.with_frames(events=datasets.events.drop(columns="plan")),
                       as_of=datasets.latest_date(), lang="ja", steps=("journey",))
    assert bare.skipped == (("journey", "missing_plan_history"),)


def test_path_chart_draws_each_path_with_its_interval(sample_result):
    """One horizontal bar per typical path, named by its stages, with the bootstrap interval as error bars."""
    from cs_models.charts import labels
    from cs_models.charts.journey import path_ltv_bars

    fig = path_ltv_bars(sample_result, labels.journey_labels("en"), {}, "en")
    bar = fig.data[0]
    table = sample_result.ltv_by_path
    assert list(bar.y) == [" → ".join(p) for p in table["path"]]
    np.testing.assert_allclose(bar.x, table["ltv"])
    np.testing.assert_allclose(np.asarray(bar.x) + np.asarray(bar.error_x.array), table["high"])
    np.testing.assert_allclose(np.asarray(bar.x) - np.asarray(bar.error_x.arrayminus), table["low"])
