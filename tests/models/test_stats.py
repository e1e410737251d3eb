"""Shared statistics (:mod:`cs_models.stats`) against independent references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from cs_models.errors import DataError
from cs_models.stats import holm, proportion_interval, segment_columns


def wilson_by_hand(x: float, n: float, z: float = sps.norm.ppf(0.975)) -> tuple[float, float]:
    """Wilson score interval written out (Wilson 1927; R ``prop.test(x, n, correct = FALSE)``)."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize(("x", "n"), [(107, 374), (77, 107), (0, 20), (20, 20), (3, 7)])
def test_wilson_matches_the_formula(x, n):
    """Wilson = the closed form above (the interval of R ``prop.test(x, n, correct = FALSE)``)."""
    low, high = proportion_interval(x, n)
    ref = wilson_by_hand(x, n)
    assert low == pytest.approx(max(ref[0], 0.0), abs=1e-12)
    assert high == pytest.approx(min(ref[1], 1.0), abs=1e-12)


@pytest.mark.parametrize(("x", "n"), [(107, 374), (0, 12), (5, 5), (3, 40)])
def test_clopper_pearson_and_jeffreys_match_beta_quantiles(x, n):
    """Clopper–Pearson: Beta(x, n-x+1) / Beta(x+1, n-x) quantiles (Clopper & Pearson 1934);
    Jeffreys: Beta(x+1/2, n-x+1/2) quantiles (Brown, Cai & DasGupta 2001; statsmodels keeps the
    plain quantiles at x = 0 and x = n), via scipy."""
    cp = proportion_interval(x, n, method="beta")
    cp_ref = (sps.beta.ppf(0.025, x, n - x + 1) if x else 0.0,
              sps.beta.ppf(0.975, x + 1, n - x) if x < n else 1.0)
    assert cp == pytest.approx(cp_ref, abs=1e-9)
    jeffreys = proportion_interval(x, n, method="jeffreys")
    j_ref = sps.beta.ppf([0.025, 0.975], x + 0.5, n - x + 0.5)
    assert jeffreys == pytest.approx(tuple(j_ref), abs=1e-9)


def test_interval_arrays_and_empty_bases():
    """Array input gives arrays; a base of 0 gives NaN, never a made-up interval."""
    low, high = proportion_interval(np.array([107, 0, 3]), np.array([374, 0, 7]))
    assert low[0] == pytest.approx(wilson_by_hand(107, 374)[0])
    assert math.isnan(low[1])
    assert math.isnan(high[1])
    assert high[2] == pytest.approx(wilson_by_hand(3, 7)[1])
    assert all(math.isnan(v) for v in proportion_interval(0, 0))


def test_bad_options_are_refused():
    with pytest.raises(DataError) as info:
        proportion_interval(1, 2, method="wald")
    assert info.value.code == "bad_ci_method"
    with pytest.raises(DataError) as info:
        proportion_interval(1, 2, alpha=0.0)
    assert info.value.code == "bad_alpha"


def test_holm_matches_statsmodels_and_keeps_nan():
    """Holm (1979) = statsmodels ``multipletests(method="holm")`` on the finite values."""
    rng = np.random.default_rng(7)
    p = rng.uniform(0, 0.2, size=25)
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1], abs=1e-15)
    with_nan = np.array([0.01, np.nan, 0.04, 0.03])
    out = holm(with_nan)
    assert math.isnan(out[1])
    assert out[[0, 2, 3]] == pytest.approx(multipletests([0.01, 0.04, 0.03], method="holm")[1])
    grid = p[:24].reshape(4, 6)
    assert holm(grid).shape == (4, 6)
    assert holm(grid).ravel() == pytest.approx(multipletests(grid.ravel(), method="holm")[1])


def test_holm_by_hand():
    """Hand calculation: p = (0.01, 0.02, 0.03), m = 3 -> (0.03, 0.04, 0.04)."""
    assert holm([0.01, 0.02, 0.03]) == pytest.approx([0.03, 0.04, 0.04])


def test_segment_columns():
    frame = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"],
        "plan": ["light", "pro", "light", "pro"],
        "one": ["x"] * 4,
        "mrr": [1.0, 2.0, 3.0, 4.0],
        "start_date": pd.to_datetime(["2024-01-01"] * 4),
        "region": ["東", "西", "南", "北"],
    })
    assert segment_columns(frame, exclude=("customer_id",)) == ["plan", "region"]
    assert segment_columns(frame, exclude=("customer_id",), max_levels=3) == ["plan"]
    assert segment_columns(None) == []
