"""Survival figures: thinning keeps the curve, payload stays small, tables and colours are right."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from cs_models import survival as sv
from cs_models.charts.survival import (
    MAX_POINTS,
    churn_rate_figure,
    hazard_ratio_figure,
    km_figure,
    thin_steps,
)
from cs_models.charts.theme import NEUTRAL, POSITIVE

LABELS = {key: key for key in ("x_title", "y_title", "at_risk_title", "hover_month", "hover_survival",
                               "hover_at_risk", "censored", "median", "hover_hr", "hover_p", "less", "more",
                               "hover_rate", "hover_events", "events_so_far", "censored_so_far")}


def _frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    seg = rng.choice(np.array(["a", "b", "c", "d", "e"], dtype=object), n)
    t = np.floor(rng.exponential(500, n)).clip(max=1800)
    censor = rng.integers(0, 1800, n)
    return pd.DataFrame({"duration_days": np.minimum(t, censor).astype(float), "event": t <= censor, "seg": seg})


def test_thin_steps_keeps_ends_and_never_moves_a_step_by_more_than_a_bin():
    x = np.sort(np.random.default_rng(1).random(20_000)) * 36
    keep = thin_steps(x, 600)
    assert len(keep) <= 600
    assert keep[0] == 0
    assert keep[-1] == len(x) - 1
    # every dropped step is merged into a kept one at most one bin (36/598 months) later
    kept_x = x[keep]
    next_kept = kept_x[np.searchsorted(kept_x, x, side="left")]
    assert (next_kept - x).max() <= 36 / 598 + 1e-9
    np.testing.assert_array_equal(thin_steps(x[:50], 600), np.arange(50))


def test_km_figure_payload_and_at_risk_table():
    """200k customers in 5 groups: curves thinned to MAX_POINTS, chart JSON far below 300 KB,
    and the at-risk row equals the model's table."""
    km = sv.kaplan_meier(_frame(200_000), "seg")
    fig = km_figure(km, LABELS, {g: g for g in km.groups}, annotation="p < 0.001")
    assert len(fig.to_json()) < 200_000
    curves = [tr for tr in fig.data if tr.mode == "lines" and tr.showlegend is not False]
    assert [tr.name for tr in curves] == list(km.groups)
    assert all(len(tr.x) <= MAX_POINTS for tr in curves)
    # the drawn curve ends at the last observed time and value
    last = km.curves[km.curves["group"] == "a"].iloc[-1]
    assert float(curves[0].y[-1]) == np.float32(last["survival"])
    table = [tr for tr in fig.data if tr.mode == "text"]
    expected = km.at_risk_table[km.at_risk_table["group"] == km.groups[0]]["at_risk"]
    assert list(table[0].text) == [f"{v:,}" for v in expected]


def test_forest_colours_and_churn_rate_hide_small_months():
    rng = np.random.default_rng(2)
    n = 3000
    x = rng.integers(0, 2, n)
    noise = rng.normal(size=n)
    t = np.floor(rng.exponential(400 * np.exp(0.7 * x), n))
    frame = pd.DataFrame({"duration_days": t, "event": t < 900, "x": x, "noise": noise})
    frame["duration_days"] = frame["duration_days"].clip(upper=900)
    fit = sv.cox(frame, ["x", "noise"])
    fig = hazard_ratio_figure(fit, LABELS, {})
    colours = dict(zip(fig.data[0].y, fig.data[0].marker.color, strict=True))
    assert colours["x0"] == POSITIVE  # x protects (HR ≈ exp(-0.7)), CI excludes 1
    if fit.table.set_index("column").loc["noise", "p"] > 0.05:
        assert colours["x1"] == NEUTRAL
    life = sv.life_table(frame, months=40)
    fig = churn_rate_figure(life, LABELS, {sv.ALL: "all"})
    shown = life.table[life.table["at_risk"] >= 10]
    assert len(fig.data[0].x) == len(shown)


def test_user_text_is_escaped_in_every_figure():
    """A segment value and a Cox term name written as HTML with a Plotly ``%{…}`` reach the
    chart JSON only escaped (shown literally: no link, no template substitution)."""
    evil = '<a href="http://x">y</a>%{x}'
    frame = _frame(2_000)
    frame["seg"] = np.where(frame["seg"] == "a", evil, frame["seg"])
    km = sv.kaplan_meier(frame, "seg")
    names = {g: g for g in km.groups}
    cox = sv.cox(frame, ["seg"])
    figures = (
        km_figure(km, LABELS, names),
        churn_rate_figure(sv.life_table(frame, "seg"), LABELS, names),
        hazard_ratio_figure(cox, LABELS, {term: evil for term in cox.table["term"]}),
    )
    for fig in figures:
        js = json.dumps(json.loads(fig.to_json()), ensure_ascii=False)  # plotly writes "/" as \u002f
        assert '&lt;a href=\\"http://x\\"&gt;y&lt;/a&gt;%&#123;x}' in js
        assert "<a href" not in js
    assert "%{x}" not in json.dumps(json.loads(figures[0].to_json()))  # (the churn-rate hover uses %{x} itself)
