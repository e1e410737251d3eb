"""Figure builders of the gaps page: traces from the results, text only from the given labels."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cs_models import gaps
from cs_models.catalogue import catalogue
from cs_models.charts import gaps as charts
from cs_models.charts.theme import NEGATIVE, POSITIVE
from cs_models.sample import load_sample


@pytest.fixture(scope="module")
def results():
    sample = load_sample("en")
    answers = gaps.read_gaps(sample.gaps)
    churn = gaps.gap_churn(answers, sample.customers, as_of=sample.latest_date())
    return gaps.analyse_gaps(answers), gaps.importance_performance(answers), churn


@pytest.fixture(scope="module")
def labels():
    """Every label a builder may use, marked so the test can tell them from built-in text."""
    return {k[5:]: f"«{v}»" for k, v in catalogue("en").items() if k.startswith("gaps.")}


def test_dumbbell_colours_by_sign_and_orders_by_gap(results, labels):
    analysis, _, _ = results
    fig = charts.dumbbell(analysis, labels, scale="1-5")
    markers = {t.name: t for t in fig.data if t.mode == "markers"}
    below = markers[labels["satisfaction_below"]]
    above = markers[labels["satisfaction_above"]]
    assert below.marker.color == NEGATIVE
    assert above.marker.color == POSITIVE
    assert set(below.y) == {"Onboarding", "Product features"}
    assert list(fig.layout.yaxis.categoryarray)[-1] == "Study sessions"  # largest gap on top
    assert fig.layout.xaxis.title.text == labels["score_title"]


def test_gap_bars_show_interval_and_verdict(results, labels):
    analysis, _, _ = results
    fig = charts.gap_bars(analysis, labels)
    bars = {t.name: t for t in fig.data if t.type == "bar"}
    disappoints = bars[labels["verdict_disappoints"]]
    row = analysis.items.loc["Onboarding"]
    assert disappoints.x[0] == pytest.approx(row["mean_gap"])
    assert disappoints.error_x.arrayminus[0] == pytest.approx(row["mean_gap"] - row["ci_low"])
    assert "n = 600" in disappoints.hovertext[0]


def test_share_bars_add_up_to_100(results, labels):
    analysis, _, _ = results
    fig = charts.share_bars(analysis, labels)
    total = np.sum([np.asarray(t.x, dtype=float) for t in fig.data], axis=0)
    np.testing.assert_allclose(total, 100.0)


def test_quadrant_map_and_churn_curves(results, labels):
    _, ipa, churn = results
    fig = charts.importance_performance_map(ipa, labels)
    texts = {a.text for a in fig.layout.annotations}
    assert f"<b>{labels['quadrant_concentrate_here']}</b>" in texts
    km = charts.churn_curves(churn, labels)
    lines = [t for t in km.data if t.mode == "lines"]
    assert {t.name for t in lines} == {labels["group_negative_gap"], labels["group_non_negative_gap"]}
    assert all(t.y[0] == 100 for t in lines)  # every curve starts at 100% at month 0


def test_degenerate_results_draw_without_warnings(labels):
    """No variation at all: intervals are NaN; the figures still draw (warnings are errors here)."""
    frame = pd.DataFrame({"exp_x": [3] * 4, "sat_x": [3] * 4})
    answers = gaps.read_gaps(frame)
    analysis = gaps.analyse_gaps(answers)
    for fig in (
        charts.dumbbell(analysis, labels, scale=answers.scale),
        charts.gap_bars(analysis, labels),
        charts.share_bars(analysis, labels),
        charts.importance_performance_map(gaps.importance_performance(answers), labels),
    ):
        assert fig.to_json()


def test_segment_dots_one_trace_per_segment_value(labels):
    answers = gaps.read_gaps(load_sample("en").gaps)
    comparison = gaps.compare_segments(answers, "plan")
    order = list(answers.items)
    fig = charts.segment_dots(comparison, labels, order)
    assert sorted(t.name for t in fig.data) == ["Light", "Pro", "Standard"]
    light = next(t for t in fig.data if t.name == "Light")
    expected = comparison.table.query("segment_value == 'Light'").set_index("item")["mean_gap"]
    np.testing.assert_allclose(light.x, expected.loc[list(light.y)].to_numpy())


def test_user_text_is_escaped_in_every_figure(labels):
    """An item and a segment value written as HTML with a Plotly ``%{…}`` reach the chart JSON
    only escaped (shown literally: no link, no template substitution)."""
    evil = '<a href="http://x">y</a>%{x}'
    rng = np.random.default_rng(3)
    n = 40
    frame = pd.DataFrame({
        "respondent_id": np.repeat(np.arange(n), 2),
        "item": [evil, "Support"] * n,
        "expectation": rng.integers(1, 6, 2 * n),
        "satisfaction": rng.integers(1, 6, 2 * n),
        "importance": rng.integers(1, 6, 2 * n),
        "plan": np.repeat([evil, "Pro"] * (n // 2), 2),
    })
    answers = gaps.read_gaps(frame)
    analysis = gaps.analyse_gaps(answers)
    comparison = gaps.compare_segments(answers, "plan")
    for fig in (
        charts.dumbbell(analysis, labels, scale=answers.scale),
        charts.gap_bars(analysis, labels),
        charts.share_bars(analysis, labels),
        charts.importance_performance_map(gaps.importance_performance(answers), labels),
        charts.segment_dots(comparison, labels, list(answers.items)),
    ):
        js = json.dumps(json.loads(fig.to_json()), ensure_ascii=False)  # plotly writes "/" as \u002f
        assert '&lt;a href=\\"http://x\\"&gt;y&lt;/a&gt;%&#123;x}' in js
        assert "<a href" not in js
        assert "%{x}" not in js
