"""The journey's NumPy Cox fit (``cs_models.journey.cox``) against lifelines.

Reference: lifelines ``CoxTimeVaryingFitter`` on start/stop rows and ``CoxPHFitter`` on one row per
customer (Efron ties both), the models the upgrade effect used before (issue 15: the Overview's journey
card fitted both with lifelines on every first visit). Coefficients, standard errors, the interval
bounds and p-values agree to 1e-5 relative (lifelines stops its Newton steps earlier; a p-value
far in the tail magnifies the difference).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, CoxTimeVaryingFitter

from cs_models import journey
from cs_models.journey import cox, stages
from cs_models.sample import load_sample

AS_OF = date(2025, 12, 31)


def _level(alpha: float) -> str:
    return f"{100 * (1 - alpha):g}%"


def _check(estimate: cox.CoxEstimate | None, summary: pd.DataFrame, alpha: float) -> None:
    assert estimate is not None
    level = _level(alpha)
    for mine, theirs in ((estimate.coef, "coef"), (estimate.se, "se(coef)"), (estimate.hr, "exp(coef)"),
                         (estimate.hr_low, f"exp(coef) lower {level}"),
                         (estimate.hr_high, f"exp(coef) upper {level}"), (estimate.p, "p")):
        np.testing.assert_allclose(mine, summary[theirs].to_numpy(float), rtol=1e-5, atol=1e-300)


def _sample_tables(lang: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    data = load_sample(lang)
    order = tuple(stages.default_order(data.plan_history, data.customers))
    sp = stages.spells(data.plan_history, data.customers, data.latest_date(), order)
    long, naive = journey.start_stop(sp, order)
    covariates = ["upgraded", *[c for c in naive.columns if c.startswith("entry_") and naive[c].nunique() > 1]]
    return long, naive, covariates


def _random_tables(seed: int, n: int = 600) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Whole-day durations (many ties), a switch on part-way for some, two fixed covariates."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.integers(0, 2, n).astype(float), rng.normal(size=n)
    switch = np.where(rng.random(n) < 0.4, rng.integers(1, 200, n), np.inf)
    rate = 0.004 * np.exp(0.5 * x1 - 0.3 * x2)
    life = np.ceil(rng.exponential(1 / rate))
    life = np.where(life > switch, switch + np.ceil(rng.exponential(1 / (rate * 0.6))), life)
    horizon = rng.integers(100, 700, n).astype(float)
    stop, event = np.minimum(life, horizon), life <= horizon
    has = switch < stop
    rows = []
    for i in range(n):
        if has[i]:
            rows += [(i, 0.0, switch[i], 0.0, False, x1[i], x2[i]),
                     (i, switch[i], stop[i], 1.0, event[i], x1[i], x2[i])]
        else:
            rows.append((i, 0.0, stop[i], 0.0, bool(event[i]), x1[i], x2[i]))
    long = pd.DataFrame(rows, columns=["id", "start", "stop", "upgraded", "event", "x1", "x2"])
    naive = pd.DataFrame({"id": np.arange(n), "duration": stop, "event": event, "upgraded": has.astype(float),
                          "x1": x1, "x2": x2})
    return long, naive, ["upgraded", "x1", "x2"]


CASES = {"sample_en": lambda: _sample_tables("en"), "sample_ja": lambda: _sample_tables("ja"),
         "random_1": lambda: _random_tables(1), "random_2": lambda: _random_tables(2)}


@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize("case", list(CASES))
def test_time_varying_and_naive_fits_equal_lifelines(case: str, alpha: float) -> None:
    long, naive, covariates = CASES[case]()
    tv = CoxTimeVaryingFitter(alpha=alpha).fit(long[["id", "start", "stop", "event", *covariates]], id_col="id",
                                               start_col="start", stop_col="stop", event_col="event")
    mine = cox.fit(long["start"].to_numpy(), long["stop"].to_numpy(), long["event"].to_numpy(),
                   long[covariates].to_numpy(), alpha)
    _check(mine, tv.summary.loc[covariates], alpha)
    ph = CoxPHFitter(alpha=alpha).fit(naive[["duration", "event", *covariates]], duration_col="duration",
                                      event_col="event")
    naive_fit = cox.fit(np.zeros(len(naive)), naive["duration"].to_numpy(), naive["event"].to_numpy(),
                        naive[covariates].to_numpy(), alpha)
    _check(naive_fit, ph.summary.loc[covariates], alpha)


def test_upgrade_effect_equals_lifelines_on_the_sample() -> None:
    """The fields of the sample's upgrade effect are the lifelines figures (first row: ``upgraded``)."""
    long, naive, covariates = _sample_tables("en")
    data = load_sample("en")
    effect = journey.analyse_journey(data.plan_history, data.customers, data.latest_date()).upgrade
    assert effect is not None
    tv = CoxTimeVaryingFitter(alpha=0.05).fit(long[["id", "start", "stop", "event", *covariates]], id_col="id",
                                              start_col="start", stop_col="stop", event_col="event",
                                              fit_options={"step_size": 0.5}).summary.loc["upgraded"]
    ph = CoxPHFitter(alpha=0.05).fit(naive[["duration", "event", *covariates]], duration_col="duration",
                                     event_col="event").summary.loc["upgraded"]
    got = (effect.hr, effect.hr_low, effect.hr_high, effect.hr_p, effect.naive_hr, effect.naive_low,
           effect.naive_high, effect.naive_p)
    want = (tv["exp(coef)"], tv["exp(coef) lower 95%"], tv["exp(coef) upper 95%"], tv["p"], ph["exp(coef)"],
            ph["exp(coef) lower 95%"], ph["exp(coef) upper 95%"], ph["p"])
    np.testing.assert_allclose(np.array(got, float), np.array(want, float), rtol=1e-5)


def test_no_events_gives_none() -> None:
    assert cox.fit(np.zeros(5), np.arange(1.0, 6.0), np.zeros(5, bool), np.arange(5.0)[:, None], 0.05) is None
