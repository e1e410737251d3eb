"""Word-of-mouth adoption (:mod:`cs_models.adoption`): the Bass curve, its fit and intervals, degenerate data,
the ``adoption`` dataset kind and the report section.

References: the closed-form Bass curve against a numerical solution of its differential equation
``dF/dt = (p + qF)(1 − F)`` (scipy ``solve_ivp``); the peak time and the innovators' share
(Mahajan, Muller & Srivastava 1990) against numerical maximisation and integration (scipy);
the least-squares fit against ``scipy.optimize.curve_fit`` on the same series (Srinivasan & Mason
1986 form); the maximum-likelihood fit against a direct maximisation (scipy L-BFGS-B) and its
profile-likelihood interval ends against a grid; the intervals' coverage by simulation from known
parameters.
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
from scipy.integrate import quad, solve_ivp
from scipy.optimize import curve_fit, minimize, minimize_scalar
from scipy.stats import chi2

from cs_models import adoption
from cs_models.adoption import bass, likelihood
from cs_models.charts import labels
from cs_models.charts.adoption import cumulative_figure, monthly_figure
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.pipeline import load_files
from cs_models.sample import load_sample

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "adoption"
#: Simulated months are calendar months from this launch; the as-of date is a month end.
LAUNCH = pd.Timestamp("2024-01-01")
DAYS_PER_MONTH = 365.25 / 12


def _adopters(rng: np.random.Generator, p: float, q: float, m: int, months: int) -> pd.DataFrame:
    """``m`` users whose first use is drawn from the Bass distribution; those after ``months`` are not seen yet.

    Each time is placed in the calendar month of its Bass month (month ``k`` holds ``t`` in ``[k−1, k)``).
    """
    u = rng.random(m)
    t = -np.log((1 - u) / (1 + (q / p) * u)) / (p + q)
    t = t[t < months]
    month = np.floor(t).astype(int)
    day = np.floor((t - month) * 28).astype(int)  # inside the month, whatever its length
    first = [LAUNCH + pd.DateOffset(months=int(k)) + pd.Timedelta(days=int(d)) for k, d in zip(month, day, strict=True)]
    return pd.DataFrame({"user_id": [f"u{i}" for i in range(len(first))], "first_used": pd.to_datetime(first)})


def _as_of(months: int) -> date:
    return (LAUNCH + pd.DateOffset(months=months) - pd.Timedelta(days=1)).date()


def test_closed_form_curve_solves_the_bass_equation():
    """F(t) of the closed form equals the numerical solution of dF/dt = (p + qF)(1 − F), F(0) = 0."""
    p, q = 0.01, 0.4
    times = np.linspace(0, 30, 61)
    ode = solve_ivp(lambda _t, f: (p + q * f) * (1 - f), (0, 30), [0.0], t_eval=times, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bass.bass_cdf(times, p, q), ode.y[0], atol=1e-8)
    counts = bass.monthly(30, p, q, 400)
    np.testing.assert_allclose(counts.sum(), 400 * bass.bass_cdf(30, p, q))
    innovation, imitation = bass.split(30, p, q, 400)
    np.testing.assert_allclose(innovation + imitation, counts)


def test_peak_time_and_imitation_share_match_numerical_references():
    """t* = ln(q/p)/(p+q) is where the density peaks (numerical maximum); the innovators' share
    (p/q) ln(1 + q/p) equals ∫ p (1 − F(t)) dt over the whole diffusion (numerical integral)."""
    p, q = 0.01, 0.4
    density = lambda t: (p + q * bass.bass_cdf(t, p, q)) * (1 - bass.bass_cdf(t, p, q))  # noqa: E731
    peak = minimize_scalar(lambda t: -density(t), bounds=(0, 40), method="bounded", options={"xatol": 1e-9})
    assert bass.peak_time(p, q) == pytest.approx(peak.x, abs=1e-5)
    assert bass.peak_time(p, q) == pytest.approx(np.log(40) / 0.41)
    innovators, _ = quad(lambda t: p * (1 - bass.bass_cdf(t, p, q)), 0, np.inf)
    assert bass.imitation_share(p, q) == pytest.approx(1 - innovators, abs=1e-7)
    assert bass.peak_time(0.3, 0.1) == 0.0  # falls from the start


FIXED_SERIES = [6, 10, 9, 14, 28, 26, 31, 44, 32, 31, 33, 28, 25, 13]  # the sample's first uses per month


def test_least_squares_fit_matches_scipy_curve_fit():
    """Srinivasan & Mason NLS: our fit and scipy.optimize.curve_fit on the same monthly series agree."""
    y = np.array(FIXED_SERIES, dtype=float)
    k = np.arange(1, len(y) + 1, dtype=float)

    def model(t, p, q, m):
        return m * (bass.bass_cdf(t, p, q) - bass.bass_cdf(t - 1, p, q))

    (p, q, m), _ = curve_fit(model, k, y, p0=(0.03, 0.3, 400))
    fit = bass.fit_bass(y)
    assert fit.converged
    assert (fit.p, fit.q, fit.m) == pytest.approx((p, q, m), rel=1e-4)
    assert fit.rss == pytest.approx(float(np.sum((model(k, p, q, m) - y) ** 2)), rel=1e-6)
    (p2, q2), _ = curve_fit(lambda t, p, q: model(t, p, q, 420.0), k, y, p0=(0.03, 0.3))
    fixed = bass.fit_bass(y, m_fixed=420.0)
    assert (fixed.p, fixed.q, fixed.m) == pytest.approx((p2, q2, 420.0), rel=1e-4)


def test_maximum_likelihood_matches_a_direct_maximisation_and_the_profile_interval_ends_are_at_the_cut():
    """The profiled MLE equals scipy's Powell search on the full Poisson likelihood in (p, q, m); at each end of the
    profile-likelihood interval of q the likelihood, maximised over p by a separate grid, is χ²₁(0.95)/2 = 1.92
    below the maximum (Venzon & Moolgavkar 1988)."""
    y = np.array(FIXED_SERIES, dtype=float)
    fit = likelihood.fit_mle(y)

    def nll(x):  # coefficients scaled to similar sizes: p × 100, q × 10, m / 100
        g = bass.monthly(len(y), x[0] / 100, x[1] / 10, x[2] * 100)
        return float(np.sum(g - y * np.log(g)))
    direct = minimize(nll, x0=(3.0, 3.0, 4.0), method="Powell", bounds=[(1e-3, 50), (1e-3, 30), (3.31, 50)],
                      options={"xtol": 1e-10, "ftol": 1e-12})
    assert (fit.p, fit.q, fit.m) == pytest.approx((direct.x[0] / 100, direct.x[1] / 10, direct.x[2] * 100), rel=1e-3)
    top = likelihood.loglik(y, fit.p, fit.q)
    low, high = likelihood.profile_interval(y, fit, "q", alpha=0.05)
    assert low < fit.q < high
    for q in (low, high):
        best = max(likelihood.loglik(y, p, q) for p in np.geomspace(1e-4, 0.3, 4_000))
        assert top - best == pytest.approx(chi2.ppf(0.95, 1) / 2, abs=2e-3)


def test_least_squares_method_reports_the_curve_fit_estimates_with_bootstrap_intervals():
    data = load_sample("en")
    result = adoption.fit_adoption(data.adoption, data.latest_date(), method="nls", draws=60)
    reference = bass.fit_bass(adoption.monthly_adoptions(data.adoption, data.latest_date())[0].to_numpy(float))
    assert (result.p, result.q, result.m) == (reference.p, reference.q, reference.m)
    for name in ("p", "q", "m"):
        low, high = getattr(result, f"{name}_ci")
        assert low <= getattr(result, name) <= high


@pytest.mark.slow
def test_intervals_cover_the_true_parameters_in_simulations():
    """50 simulated tools (p = 0.01, q = 0.4, m = 400, 24 months): each 95% profile-likelihood interval holds
    the true p, q and m in at least 90% of them."""
    rng = np.random.default_rng(2026)
    truth = {"p": 0.01, "q": 0.4, "m": 400}
    hits = dict.fromkeys(truth, 0)
    for i in range(50):
        frame = _adopters(rng, truth["p"], truth["q"], truth["m"], 24)
        result = adoption.fit_adoption(frame, _as_of(24), draws=20, seed=i)
        for name, value in truth.items():
            low, high = getattr(result, f"{name}_ci")
            hits[name] += low <= value <= high
    assert min(hits.values()) >= 45, hits


def test_estimates_are_close_on_a_large_simulated_market():
    rng = np.random.default_rng(5)
    result = adoption.fit_adoption(_adopters(rng, 0.01, 0.4, 5000, 30), _as_of(30), draws=50)
    assert result.p == pytest.approx(0.01, rel=0.2)
    assert result.q == pytest.approx(0.4, rel=0.1)
    assert result.m == pytest.approx(5000, rel=0.05)
    assert adoption.reading(result) == "word_of_mouth"
    assert result.peak_month == "2024-09"  # t* = 9.0 months: the ninth month, 2024-09
    curve = result.curve
    assert len(curve) == 30 + adoption.HORIZON
    assert curve["projected"].sum() == adoption.HORIZON
    assert (curve["fitted_low"] <= curve["fitted"] + 1e-6).all()
    assert (curve["fitted"] <= curve["fitted_high"] + 1e-6).all()


def test_push_without_word_of_mouth_is_read_as_push():
    rng = np.random.default_rng(8)
    result = adoption.fit_adoption(_adopters(rng, 0.12, 0.0001, 2000, 24), _as_of(24), draws=50)
    assert adoption.reading(result) == "push"
    assert "no_peak" in result.notes
    assert adoption.findings(result)[0].code == "adoption.push"


def test_a_usage_log_counts_each_user_once_at_the_first_date():
    rng = np.random.default_rng(3)
    users = _adopters(rng, 0.02, 0.5, 300, 18)
    later = users.assign(first_used=users["first_used"] + pd.Timedelta(days=45))
    log = pd.concat([later, users, later]).sample(frac=1, random_state=0)
    a = adoption.monthly_adoptions(users, _as_of(18))[0]
    b = adoption.monthly_adoptions(log, _as_of(18))[0]
    pd.testing.assert_series_equal(a, b)
    assert a.sum() == len(users)


def test_unfinished_as_of_month_is_left_out_and_said():
    rng = np.random.default_rng(4)
    users = _adopters(rng, 0.02, 0.5, 300, 18)
    counts, notes = adoption.monthly_adoptions(users, date(2025, 6, 10))
    assert notes == ("partial_month",)
    assert counts.index[-1] == pd.Timestamp("2025-05-01")
    assert counts.sum() == (users["first_used"] < pd.Timestamp("2025-06-01")).sum()


def test_a_known_population_fixes_the_market_size():
    rng = np.random.default_rng(6)
    result = adoption.fit_adoption(_adopters(rng, 0.01, 0.4, 400, 24), _as_of(24), population=420, draws=30)
    assert result.m == result.population == 420
    assert result.m_ci == (420, 420)
    assert adoption.findings(result)[-1].code.startswith("adoption.progress_population")
    with pytest.raises(DataError) as bad:
        adoption.fit_adoption(_adopters(rng, 0.01, 0.4, 400, 24), _as_of(24), population=10)
    assert bad.value.code == "adoption_bad_population"


@pytest.mark.parametrize(("first_uses", "as_of", "code"), [
    (["2024-01-05", "2024-02-03", "2024-03-09"], date(2024, 3, 31), "adoption_too_few_months"),
    (["2024-01-05"] * 30 + ["2024-09-01"], date(2024, 12, 31), "adoption_one_month"),
    (["2025-01-05"], date(2024, 12, 31), "adoption_no_users"),
])
def test_degenerate_data_are_data_errors(first_uses, as_of, code):
    frame = pd.DataFrame({"user_id": [f"u{i}" for i in range(len(first_uses))],
                          "first_used": pd.to_datetime(first_uses)})
    with pytest.raises(DataError) as error:
        adoption.fit_adoption(frame, as_of, draws=10)
    assert error.value.code == code


def test_a_steady_trickle_without_a_curve_is_a_note_or_an_error_never_a_crash():
    """Ten users a month for a year: no curvature, the market size is not identified."""
    days = [LAUNCH + pd.DateOffset(months=k) + pd.Timedelta(days=d) for k in range(12) for d in range(10)]
    frame = pd.DataFrame({"user_id": [f"u{i}" for i in range(len(days))], "first_used": pd.to_datetime(days)})
    for method in adoption.METHODS:
        try:
            result = adoption.fit_adoption(frame, _as_of(12), method=method, draws=20)
        except DataError as error:
            code = error.code
        else:
            code = "fitted"
            assert adoption.reading(result) in {"push", "mixed", "word_of_mouth"}
            assert json.dumps(result.to_dict())
        assert code in {"fitted", "adoption_no_fit"}


def test_sample_log_spreads_by_word_of_mouth_with_the_generating_values_inside_the_intervals():
    """The sample was drawn with p = 0.01, q = 0.4 and 380 eventual users (cs_models.sample_adoption)."""
    data = load_sample("en")
    result = adoption.fit_adoption(data.adoption, data.latest_date())
    assert result.users == len(data.adoption) == 330
    assert result.p_ci[0] <= 0.01 <= result.p_ci[1]
    assert result.q_ci[0] <= 0.4 <= result.q_ci[1]
    assert result.m_ci[0] <= 380 <= result.m_ci[1]
    assert adoption.reading(result) == "word_of_mouth"
    codes = [f.code for f in adoption.findings(result)]
    assert codes[0] == "adoption.word_of_mouth"
    assert "adoption.peak" in codes
    assert json.dumps(result.to_dict())


def test_report_section_has_the_documented_keys():
    data = load_sample("ja")
    section = adoption.report_section(data, as_of=data.latest_date())
    assert section is not None
    assert {"users", "bass", "peak_month", "series", "findings", "imitation_share"} <= section.keys()
    assert {"p", "q", "m", "p_ci", "q_ci", "m_ci"} <= section["bass"].keys()
    assert section["users"] == 330
    assert section["peak_month"] == "2026-05"
    assert adoption.report_section(Datasets(), as_of=data.latest_date()) is None


@pytest.mark.parametrize(("name", "fields", "rows", "users"), [
    ("slack_log_en.csv", {"user_id": "User ID", "first_used": "Date"}, 269, 139),
    ("members_ja.csv", {"user_id": "社員番号", "first_used": "初回ログイン日"}, 188, 188),
])
def test_fixture_exports_are_detected_as_adoption_and_validated(name, fields, rows, users):
    datasets, (report,) = load_files([(name, (FIXTURES / name).read_bytes())])
    assert report.kind == "adoption"
    assert fields.items() <= dict(report.mapping.fields).items()
    assert report.validation.rows_used == rows
    frame = datasets.adoption
    assert frame["first_used"].dtype == "datetime64[ns]"
    assert len(adoption.first_use(frame)) == users
    result = adoption.fit_adoption(frame, date(2026, 10, 31), draws=30)
    assert result.users == users


def test_adoption_problems_are_named_by_row_and_column():
    """members_ja.csv: row 7 (the sixth user) has no ID, row 11 an impossible date."""
    _, (report,) = load_files([("members_ja.csv", (FIXTURES / "members_ja.csv").read_bytes())])
    issues = report.validation.issues
    found = {(r.row, r.column, r.code, r.action) for r in issues.itertuples()}
    assert (7, "社員番号", "missing_id", "excluded") in found
    assert (11, "初回ログイン日", "invalid_date", "excluded") in found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_figures_draw_bars_curve_band_and_market_size(lang):
    data = load_sample(lang)
    result = adoption.fit_adoption(data.adoption, data.latest_date())
    monthly = monthly_figure(result, labels.adoption_labels(lang))
    bars = [t for t in monthly.data if t.type == "bar"]
    assert len(bars) == 1
    assert list(bars[0].y) == result.curve.loc[~result.curve["projected"], "observed"].tolist()
    cumulative = cumulative_figure(result, labels.adoption_labels(lang, cumulative=True))
    assert any(f"{result.m:,.0f}" in a.text for a in cumulative.layout.annotations)
    assert cumulative.layout.yaxis.range[1] >= result.m


def test_report_command_with_kind_adoption_and_a_population():
    """``python -m cs_models report FILE --kind adoption --population N``: the documented JSON keys."""
    done = subprocess.run([sys.executable, "-m", "cs_models", "report", str(FIXTURES / "slack_log_en.csv"),
                           "--kind", "adoption", "--as-of", "2026-10-31", "--population", "160"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    section = report["adoption"]
    assert section["users"] == 139
    assert section["bass"]["m"] == 160
    assert section["bass"]["m_ci"] == [160, 160]
    assert {"p", "q", "p_ci", "q_ci"} <= section["bass"].keys()
    assert any(f["code"].startswith("adoption.") for f in report["findings"])


def test_segment_fits_equal_fits_of_each_segment_alone():
    """Each fitted row is the fit of that department's users alone; small departments are listed unfitted."""
    data = load_sample("en")
    table = adoption.fit_by_segment(data.adoption, data.latest_date(), "department")
    assert adoption.adoption_segments(data.adoption) == ["department"]
    assert table["users"].sum() == 330
    fitted = table[table["status"] == "fitted"]
    assert (fitted["users"] >= adoption.MIN_SEGMENT_USERS).all()
    assert set(table.loc[table["status"] != "fitted", "status"]) <= {"too_few"}
    row = fitted.iloc[0]
    alone = adoption.fit_adoption(data.adoption[data.adoption["department"] == row["segment"]], data.latest_date(),
                                  draws=20)
    assert (row["p"], row["q"], row["m"]) == pytest.approx((alone.p, alone.q, alone.m))
    assert (row["q_low"], row["q_high"]) == pytest.approx(alone.q_ci)
    with pytest.raises(DataError):
        adoption.fit_by_segment(data.adoption, data.latest_date(), "nope")
