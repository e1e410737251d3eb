"""The risk model's fast paths against the straightforward ones.

- ``cs_models.risk_cox.fit_cox`` (vectorised Efron Newton–Raphson) against lifelines'
  ``CoxPHFitter(penalizer=…)``: coefficients, Breslow baseline and partial hazards, on the sample
  customers and on data with heavy ties;
- the fit on a sample of rows against lifelines fitted on the same rows, its baseline against the
  Breslow formula written out with pandas (``ΔH(t) = d(t) / Σ_{T ≥ t} exp(x·β)``);
- the vectorised drivers against the row-by-row loop they replaced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from cs_models import risk
from cs_models.risk_cox import fit_cox
from cs_models.sample import load_sample
from cs_models.survival import default_covariates, durations


def lifelines_fit(x: pd.DataFrame, duration: np.ndarray, event: np.ndarray) -> CoxPHFitter:
    return CoxPHFitter(penalizer=risk.PENALIZER).fit(x.assign(T=duration, E=event), "T", "E")


def sample_design():
    datasets = load_sample("en")
    frame = durations(datasets.customers, datasets.latest_date())
    columns = default_covariates(frame)
    x, levels, terms = risk._design(frame, columns)
    return frame, columns, x, levels, terms


def assert_same(ours, theirs: CoxPHFitter, x: pd.DataFrame) -> None:
    np.testing.assert_allclose(ours.params, theirs.params_.to_numpy(), rtol=1e-6, atol=1e-8)
    base = theirs.baseline_cumulative_hazard_.iloc[:, 0]
    at = np.searchsorted(ours.times, base.index.to_numpy(float))
    assert np.array_equal(ours.times[at], base.index.to_numpy(float))
    np.testing.assert_allclose(ours.cumulative_hazard[at], base.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.partial_hazard(x.to_numpy(float)), theirs.predict_partial_hazard(x).to_numpy(),
                               rtol=1e-6)


def test_fit_equals_lifelines_on_the_sample():
    frame, _, x, _, terms = sample_design()
    duration, event = frame["duration_days"].clip(lower=0.5).to_numpy(float), frame["event"].to_numpy(bool)
    x = x[[t[0] for t in terms]]
    assert_same(fit_cox(x.to_numpy(float), duration, event, penalizer=risk.PENALIZER),
                lifelines_fit(x, duration, event), x)


def test_fit_equals_lifelines_with_heavy_ties():
    """Whole-month durations: up to ~60 churns share a time, so Efron's correction matters."""
    rng = np.random.default_rng(5)
    n = 3_000
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(0, 2, n).astype(float), "c": rng.poisson(3, n) * 1.0})
    lifetime = rng.exponential(20 / np.exp(0.5 * x["a"] - 0.7 * x["b"] + 0.1 * x["c"]))
    duration = np.minimum(np.ceil(lifetime), 36.0)
    event = lifetime < 36
    assert pd.Series(duration[event]).value_counts().max() > 30
    assert_same(fit_cox(x.to_numpy(), duration, event, penalizer=risk.PENALIZER), lifelines_fit(x, duration, event), x)


def test_fit_on_a_sample_of_rows_keeps_every_row_in_the_baseline():
    frame, _, x, _, terms = sample_design()
    x = x[[t[0] for t in terms]]
    duration, event = frame["duration_days"].clip(lower=0.5).to_numpy(float), frame["event"].to_numpy(bool)
    rows = risk._fit_rows(event, max_rows=800)
    assert len(rows) == pytest.approx(800, abs=1)
    assert event[rows].mean() == pytest.approx(event.mean(), abs=0.002)  # stratified in proportion
    ours = fit_cox(x.to_numpy(float), duration, event, penalizer=risk.PENALIZER, fit_rows=rows)
    theirs = lifelines_fit(x.iloc[rows], duration[rows], event[rows])
    # lifelines stops once its step is below 1e-7 on the standardised scale (ours: 1e-10)
    np.testing.assert_allclose(ours.params, theirs.params_.to_numpy(), atol=2e-5)
    phi = np.exp((x.to_numpy(float) - ours.mean) @ ours.params)
    by_time = pd.DataFrame({"t": duration, "d": event, "phi": phi}).groupby("t").agg(d=("d", "sum"), phi=("phi", "sum"))
    breslow = (by_time["d"] / by_time["phi"][::-1].cumsum()[::-1]).cumsum()
    np.testing.assert_allclose(ours.times, breslow.index.to_numpy())
    np.testing.assert_allclose(ours.cumulative_hazard, breslow.to_numpy(), rtol=1e-10)
    assert risk._fit_rows(event, max_rows=len(event)) is None


def test_vectorised_drivers_equal_the_row_by_row_loop():
    frame, columns, _, levels, _ = sample_design()
    fit, levels, terms = risk._fit(frame, columns)
    active = frame.loc[~frame["event"].to_numpy(bool)]
    x = risk._design(active, columns, levels)[0][[t[0] for t in terms]].to_numpy(float)
    effect = (x - x.mean(axis=0)) * fit.params
    used = list(dict.fromkeys(c for _, c, _ in terms))
    by_column = np.column_stack([effect[:, [i for i, t in enumerate(terms) if t[1] == c]].sum(axis=1) for c in used])
    expected = []
    for row, own in zip(by_column, active[used].astype(object).to_numpy(), strict=True):
        order = np.argsort(-np.abs(row))[: risk.TOP_DRIVERS]
        expected.append([(used[k], own[k], float(np.expm1(row[k]))) for k in order if row[k] != 0])
    assert risk._drivers(x, fit, terms, active) == expected
