"""Retention forecast (``cs_models.forecast``) against independent references.

References:
- Fader, P. S. & Hardie, B. G. S. (2007), "How to project customer retention", Journal of
  Interactive Marketing 21(1), Table 1 / section 4: the "high end" and "regular" segments
  (1,000 customers each, 7 years) give α, β = 0.668, 3.806 and 0.704, 1.182; refitting the same
  survival values with ``scipy.optimize.minimize`` (Nelder–Mead on α, β directly, written here)
  gives 0.66809, 3.80610 and 0.70408, 1.18204.
- Fader, P. S. & Hardie, B. G. S. (2010), "Customer-base valuation in a contractual setting",
  Marketing Science 29(1), eq. (6): DERL's hypergeometric closed form, checked against the direct
  sum ``Σ_{t>r} S(t)/S(r)/(1+d)^{t−r−1}`` truncated where the terms vanish.
- statsmodels ``GenericLikelihoodModel`` (numerical Hessian) for the standard errors of
  ``(log α, log β)``; lifelines ``KaplanMeierFitter`` for the observed retention.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from scipy import optimize, special
from statsmodels.tools.numdiff import approx_hess3

from cs_models import forecast as fc
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.sample import load_sample
from cs_models.survival import ALL

HIGH_END = [1, .869, .743, .653, .593, .551, .517, .491]
REGULAR = [1, .631, .468, .382, .326, .289, .262, .241]
ROOT = Path(__file__).resolve().parents[2]


def _paper_counts(values: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return fc.counts_from_survival(np.array(values) * 1000)


def _scipy_refit(values: list[float]) -> np.ndarray:
    """Independent maximum likelihood: Nelder–Mead on (α, β) with ``scipy.special.beta``."""
    alive = np.array(values) * 1000
    lost, t = -np.diff(alive), np.arange(1, len(values))

    def nll(p: np.ndarray) -> float:
        a, b = p
        if a <= 0 or b <= 0:
            return np.inf
        pmf = special.beta(a + 1, b + t - 1) / special.beta(a, b)
        return -float(lost @ np.log(pmf) + alive[-1] * np.log(special.beta(a, b + t[-1]) / special.beta(a, b)))

    return optimize.minimize(nll, [1.0, 1.0], method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-11,
                                                                              "maxiter": 10_000}).x


@pytest.mark.parametrize(("values", "published", "refit"), [
    (HIGH_END, (0.668, 3.806), (0.66809, 3.80610)),
    (REGULAR, (0.704, 1.182), (0.70408, 1.18204)),
])
def test_sbg_reproduces_fader_hardie_2007(values, published, refit):
    """Fader & Hardie (2007): α, β to 3 decimals (published) and to 5 (scipy refit)."""
    fit = fc.fit_sbg(*_paper_counts(values))
    assert round(fit.alpha_hat, 3) == published[0]
    assert round(fit.beta_hat, 3) == published[1]
    assert fit.alpha_hat == pytest.approx(refit[0], abs=1e-5)
    assert fit.beta_hat == pytest.approx(refit[1], abs=1e-5)
    np.testing.assert_allclose([fit.alpha_hat, fit.beta_hat], _scipy_refit(values), rtol=1e-5)
    assert fit.alpha_ci[0] < fit.alpha_hat < fit.alpha_ci[1]
    assert fit.beta_ci[0] < fit.beta_hat < fit.beta_ci[1]
    assert not fit.at_bound
    assert fit.churned == 1000 - values[-1] * 1000


def test_projection_closed_form_equals_product_of_retention_rates():
    """S(t) = B(α, β+t)/B(α, β) equals Π (β+i−1)/(α+β+i−1) (FH 2007, eq. 4 and the retention rate)."""
    a, b = 0.668, 3.806
    s = fc.survival(a, b, 12)
    rates = (b + np.arange(12)) / (a + b + np.arange(12))
    np.testing.assert_allclose(s, np.concatenate([[1.0], np.cumprod(rates)]), rtol=1e-12)
    # P(T = t) sums with S(T) to one
    assert fc.churn_probability(a, b, 12).sum() + s[-1] == pytest.approx(1.0, abs=1e-12)


def test_standard_errors_equal_statsmodels_numerical_hessian():
    """statsmodels ``approx_hess3`` (the Hessian GenericLikelihoodModel uses) of the log-likelihood in
    (log α, log β), written here from the closed forms: the same standard errors (rel 1e-4)."""
    churned, censored = _paper_counts(REGULAR)
    t = np.arange(1, churned.size + 1)

    def loglike(params: np.ndarray) -> float:
        a, b = np.exp(params)
        base = special.betaln(a, b)
        return float(churned @ (special.betaln(a + 1, b + t - 1) - base)
                     + censored[-1] * (special.betaln(a, b + t[-1]) - base))

    fit = fc.fit_sbg(churned, censored)
    theta = np.log([fit.alpha_hat, fit.beta_hat])
    assert fit.log_likelihood == pytest.approx(loglike(theta), rel=1e-12)
    expected = np.sqrt(np.diag(np.linalg.inv(-approx_hess3(theta, loglike))))
    se = np.sqrt(np.diag(np.array(fit.log_cov)))
    np.testing.assert_allclose(se, expected, rtol=1e-4)
    low = np.exp(theta[0] - 1.959963984540054 * se[0])
    assert fit.alpha_ci[0] == pytest.approx(low, rel=1e-9)


@pytest.mark.parametrize(("a", "b", "r", "d"), [
    (0.668, 3.806, 0, 0.10), (0.704, 1.182, 0, 0.10), (0.704, 1.182, 4, 0.10),
    (0.79, 15.8, 0, 1.1 ** (1 / 12) - 1), (0.79, 15.8, 35, 1.1 ** (1 / 12) - 1), (2.5, 7.0, 10, 0.05),
])
def test_derl_closed_form_equals_direct_sum(a, b, r, d):
    """FH (2010) eq. 6 against the direct sum Σ_{t>r} S(t)/S(r)/(1+d)^{t−r−1} (200,000 terms)."""
    t = np.arange(r + 1, 200_001)
    direct = float((fc.survival(a, b, t) / fc.survival(a, b, np.array([r]))[0]) @ (1 + d) ** -(t - r - 1.0))
    assert float(fc.derl(a, b, r, d)) == pytest.approx(direct, rel=1e-10)
    by_recursion = fc.derl_by_renewals(np.array([a]), np.array([b]), np.array([0, r]), d)
    assert by_recursion[0, 1] == pytest.approx(direct, rel=1e-10)
    assert by_recursion[0, 0] == pytest.approx(float(fc.derl(a, b, 0, d)), rel=1e-10)


def test_derl_rises_with_renewals_and_needs_a_discount():
    """Survivors are the loyal ones (FH 2010, Figure 2): DERL rises with the renewals made."""
    values = fc.derl(0.704, 1.182, np.arange(6), 0.10)
    assert np.all(np.diff(values) > 0)
    with pytest.raises(ValueError, match="positive"):
        fc.derl(0.704, 1.182, 0, 0.0)


def test_censored_cohorts_recover_the_true_parameters():
    """Simulated sBG customers in 24 monthly cohorts, each censored at its age: the fit's interval
    covers the true (α, β) = (0.8, 6) (a hand check of the censored likelihood)."""
    rng = np.random.default_rng(7)
    theta = rng.beta(0.8, 6.0, 6000)
    lifetimes = rng.geometric(theta)  # churn period T = 1, 2, ...
    age = rng.integers(1, 25, theta.size)  # complete periods observed
    lost = lifetimes <= age
    last = np.where(lost, lifetimes, age)
    size = last.max() + 1
    churned = np.bincount(last[lost], minlength=size)[1:]
    censored = np.bincount(last[~lost], minlength=size)
    fit = fc.fit_sbg(churned, censored)
    assert fit.alpha_ci[0] < 0.8 < fit.alpha_ci[1]
    assert fit.beta_ci[0] < 6.0 < fit.beta_ci[1]


def test_no_churn_is_refused():
    """Without a churn the likelihood rises for ever: a ValueError, and the page gets a status."""
    with pytest.raises(ValueError, match="no churn"):
        fc.fit_sbg(np.zeros(3), np.array([0, 0, 0, 10]))


def _customers(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"C{i}" for i in range(len(rows))],
                         "start_date": pd.to_datetime([s for s, _ in rows]),
                         "end_date": pd.to_datetime([e for _, e in rows]), "mrr": 100.0})


def test_contract_periods_count_only_complete_periods():
    """Hand-made contracts, as of 2024-06-20 (monthly): anniversaries on the 31st fall on the month's last day."""
    rows = [("2024-01-31", "2024-02-29"),  # lost at renewal 1 (Feb has no 31st)
            ("2024-01-31", None),          # active: renewals Feb 29, Mar 31, Apr 30, May 31 -> 4
            ("2024-01-15", "2024-03-20"),  # lost in period 3 (paid Jan 15, Feb 15, Mar 15)
            ("2024-05-25", "2024-06-10"),  # lost in period 1, still running on Jun 20 -> censored at 0
            ("2024-03-01", "2024-06-01"),  # lost exactly at renewal 3
            ("2024-06-20", None)] * 2       # started on the as-of date
    frame = _customers(rows).assign(duration_days=1.0, event=lambda f: f["end_date"].notna())
    p = fc.contract_periods(frame, pd.Timestamp("2024-06-20"), "month")
    assert p.elapsed[:6].tolist() == [4, 4, 5, 0, 3, 0]
    assert p.last[:6].tolist() == [1, 4, 3, 0, 3, 0]
    assert p.lost[:6].tolist() == [True, False, True, False, True, False]
    churned, censored = fc.counts(p, np.ones(len(frame), dtype=bool))
    assert churned.tolist() == [2, 0, 4, 0]
    assert censored.tolist() == [4, 0, 0, 0, 2]
    years = fc.contract_periods(frame, pd.Timestamp("2026-01-31"), "year")
    assert years.elapsed[:2].tolist() == [2, 2]
    assert years.last[:3].tolist() == [1, 2, 1]


def test_observed_retention_equals_lifelines_on_period_counts():
    """The discrete product-limit curve equals KaplanMeierFitter on (last period, lost)."""
    customers = load_sample("en").customers
    result = fc.forecast(customers, date(2026, 10, 31))
    frame = fc.forecast.__globals__["durations"](customers, pd.Timestamp("2026-10-31"))
    p = fc.contract_periods(frame, pd.Timestamp("2026-10-31"), "month")
    kmf = KaplanMeierFitter().fit(p.last, event_observed=p.lost)
    curve = result.curves[(result.curves["group"] == ALL) & result.curves["observed"].notna()]
    expected = kmf.survival_function_at_times(curve["t"].to_numpy()).to_numpy()
    np.testing.assert_allclose(curve["observed"].to_numpy(), expected, rtol=1e-12)


@pytest.fixture(scope="module")
def sample_forecast() -> fc.ForecastResult:
    return fc.forecast(load_sample("en").customers, date(2026, 10, 31), "plan")


def test_sample_forecast_agrees_with_kaplan_meier_inside_the_window(sample_forecast):
    """Inside the observed window the sBG lifetime equals the KM restricted mean (rel 2%); the
    observed retention lies inside the fitted band for most periods; the forecast adds value beyond."""
    table = sample_forecast.table
    assert table.index.tolist() == [ALL, "Light", "Standard", "Pro"]
    assert (table["status"] == "ok").all()
    assert sample_forecast.observed_periods == 35
    np.testing.assert_allclose(table["window_lifetime"], table["km_lifetime"], rtol=0.02)
    assert (table["share_beyond"] > 0.3).all()
    assert (table["new_ltv"] > table["km_ltv"]).all()
    assert table.loc["Pro", "derl"] > table.loc["Standard", "derl"] > table.loc["Light", "derl"]
    curves = sample_forecast.curves
    curve = curves[(curves["group"] == ALL) & (curves["at_risk"] >= 100)]
    inside = (curve["observed"] >= curve["lower"] - 0.01) & (curve["observed"] <= curve["upper"] + 0.01)
    assert inside.mean() > 0.9
    assert (table["derl_lower"] < table["derl"]).all()
    assert (table["derl"] < table["derl_upper"]).all()


def test_ltv_is_margin_times_revenue_times_derl(sample_forecast):
    """Per active customer LTV = margin × MRR × DERL(renewals); the segment total is their sum."""
    active = sample_forecast.customers
    pro = active[active["group"] == "Pro"]
    fit = sample_forecast.fits["Pro"]
    expected = pro["revenue_per_period"] * fc.derl(fit.alpha_hat, fit.beta_hat, pro["renewals"].to_numpy(),
                                                   sample_forecast.period_discount)
    np.testing.assert_allclose(pro["ltv"], expected, rtol=1e-12)
    assert sample_forecast.table.loc["Pro", "ltv_total"] == pytest.approx(pro["ltv"].sum(), rel=1e-9)
    assert sample_forecast.table.loc["Pro", "ltv"] == pytest.approx(pro["ltv"].mean(), rel=1e-9)
    half = fc.forecast(load_sample("en").customers, date(2026, 10, 31), "plan", margin=0.5)
    assert half.table.loc["Pro", "ltv_total"] == pytest.approx(0.5 * pro["ltv"].sum(), rel=1e-9)


def test_findings_name_the_segment_and_the_value_beyond_the_window(sample_forecast):
    codes = [f.code for f in fc.findings(sample_forecast)]
    assert codes[:2] == ["forecast.beyond_window", "forecast.highest_derl"]
    assert "forecast.base_value" in codes
    assert "forecast.retention_rises" in codes


def test_degenerate_groups_get_a_status_not_a_crash():
    """A segment without churn and a tiny one are reported with their status; bad options are DataErrors."""
    customers = load_sample("en").customers.copy()
    customers["flag"] = np.where(customers["end_date"].isna(), "loyal", "other")
    customers.loc[customers.index[:5], "flag"] = "tiny"
    customers.loc[customers.index[:5], "end_date"] = pd.NaT
    result = fc.forecast(customers, date(2026, 10, 31), "flag")
    assert result.table.loc["loyal", "status"] == "no_churn"
    assert result.table.loc["tiny", "status"] == "too_few"
    assert "forecast.not_fitted_no_churn" in [f.code for f in fc.findings(result)]
    blank = fc.forecast(customers.assign(mrr=np.nan), date(2026, 10, 31))
    assert "no_revenue" in blank.notes
    assert np.isnan(blank.table.loc[ALL, "ltv_total"])
    assert blank.table.loc[ALL, "derl"] > 0
    for option in ({"period": "week"}, {"margin": 0.0}, {"annual_discount": 0.0}):
        with pytest.raises(DataError):
            fc.forecast(customers, date(2026, 10, 31), **option)


def test_report_section_and_period_option():
    """The report's ``forecast`` keys, monthly and yearly (``--period year``)."""
    ds = load_sample("en")
    section = fc.report_section(ds, as_of=date(2026, 10, 31), segment="plan")
    assert section["period"] == "month"
    pro = section["segments"]["Pro"]
    for key in ("alpha", "beta", "alpha_ci", "beta_ci", "projected_retention", "derl", "ltv"):
        assert key in pro
    assert len(pro["projected_retention"]) == section["horizon"] + 1
    assert fc.report_section(Datasets(customers=None), as_of=date(2026, 10, 31)) is None
    out = subprocess.run([sys.executable, "-m", "cs_models", "report", str(ROOT / "sample_data/en/customers.csv"),
                          "--period", "year", "--lang", "en"], capture_output=True, text=True, check=True, cwd=ROOT)
    report = json.loads(out.stdout)
    assert report["forecast"]["period"] == "year"
    assert report["forecast"]["observed_periods"] == 2
    assert report["cohorts"]["period"] == "month"  # --period belongs to the forecast only
    assert any(f["code"] == "forecast.beyond_window" and not f["text"].startswith("findings.")
               for f in report["findings"])


def test_short_money_for_metric_tiles():
    """Hand-made: 2,366,269,629 yen is 23.7億円 (10^8) and ¥2.37B; small amounts stay in full."""
    from cs_models.format import MISSING, money_short

    assert money_short(2_366_269_629, "ja") == "23.7億円"
    assert money_short(2_366_269_629, "en") == "¥2.37B"
    assert money_short(1_897_570, "ja") == "190万円"
    assert money_short(1_897_570, "en") == "¥1.90M"
    assert money_short(-5e8, "en") == "-¥500M"
    assert money_short(9_800, "ja") == "9,800円"
    assert money_short(float("nan"), "en") == MISSING


def test_new_customer_lifetime_and_share_beyond_equal_direct_sums():
    """A new customer's discounted periods Σ_{t≥0} S(t)/(1+d)^t and the share after the window, by direct
    sums (500,000 terms) at the slowest discount the page offers (1% a year, monthly)."""
    result = fc.forecast(load_sample("en").customers, date(2026, 10, 31), annual_discount=0.01)
    row, fit = result.table.loc[ALL], result.fits[ALL]
    s = fc.survival(fit.alpha_hat, fit.beta_hat, 500_000)
    x = (1 + result.period_discount) ** -np.arange(s.size)
    assert row["new_lifetime"] == pytest.approx(float(s @ x), rel=1e-6)
    w = result.observed_periods
    assert row["share_beyond"] == pytest.approx(1 - float(s[:w] @ x[:w]) / float(s @ x), rel=1e-6)
    assert row["window_lifetime"] == pytest.approx(float(s[:w].sum()), rel=1e-12)
