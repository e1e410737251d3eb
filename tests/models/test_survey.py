"""cs_models.survey against independent references (statsmodels' R values, scipy, hand calculations)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cs_models import survey as sv
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.sample import load_sample

Z = stats.norm.ppf(0.975)


def yes_no(yes: int, no: int, **extra) -> pd.DataFrame:
    return pd.DataFrame({"Q": ["yes"] * yes + ["no"] * no, **extra})


def wilson_by_hand(p: float, n: float) -> tuple[float, float]:
    """Wilson score interval, closed form (Wilson 1927; Agresti & Coull 1998, eq. 2)."""
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


# ------------------------------------------------------------------ intervals
@pytest.mark.parametrize(
    ("count", "nobs", "method", "low", "high"),
    [
        (18, 20, "wilson", 0.69897, 0.97213),
        (4, 20, "wilson", 0.08066, 0.41602),
        (18, 20, "beta", 0.68302, 0.98765),
    ],
)
def test_intervals_against_r(count, nobs, method, low, high):
    """R reference values used by statsmodels' own tests (statsmodels/stats/tests/test_proportion.py).

    R::

        library(binom)
        binom.confint(18, 20, methods = c("wilson", "exact"))  # 0.69897 0.97213 / 0.68302 0.98765
        binom.confint(4, 20, methods = "wilson")                # 0.08066 0.41602
    """
    got = sv.proportion_interval(count, nobs, method=method)
    assert got == pytest.approx((low, high), abs=5e-6)
    frame = yes_no(count, nobs - count)
    row = sv.shares(frame, "Q").table.set_index("option").loc["yes"] if method == "wilson" else None
    if row is not None:
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=5e-6)


def test_jeffreys_is_the_beta_quantile_interval():
    """Jeffreys interval = Beta(x + 1/2, n - x + 1/2) quantiles (Brown, Cai & DasGupta 2001, §4.1.2)."""
    expected = stats.beta.ppf([0.025, 0.975], 18.5, 2.5)
    assert sv.proportion_interval(18, 20, method="jeffreys") == pytest.approx(tuple(expected), abs=1e-9)


def test_normal_approximation_is_refused():
    """The Wald interval at 18/20 reaches 1.03 (0.9 + 1.96 * sqrt(0.09 / 20)); we never offer it."""
    assert 0.9 + Z * math.sqrt(0.9 * 0.1 / 20) > 1.0
    with pytest.raises(DataError) as err:
        sv.proportion_interval(18, 20, method="normal")
    assert err.value.code == "bad_ci_method"


def test_wilson_matches_the_closed_form():
    """Hand formula of the Wilson interval at 107/374 (the sample's awareness): 24.3%–33.4%."""
    low, high = sv.proportion_interval(107, 374)
    assert (low, high) == pytest.approx(wilson_by_hand(107 / 374, 374), abs=1e-12)
    assert (round(100 * low, 1), round(100 * high, 1)) == (24.3, 33.4)


# ------------------------------------------------------------------- weights
def test_weighted_share_and_kish_effective_n_by_hand():
    """Weighted share = Σw·x / Σw; Kish n_eff = (Σw)² / Σw² (Kish 1965); Wilson on (p·n_eff, n_eff)."""
    frame = pd.DataFrame({"Q": ["yes", "yes", "no", "no", "no", "yes"], "weight": [2.0, 1.0, 1.0, 0.5, 0.5, 3.0]})
    result = sv.shares(frame, "Q")
    row = result.table.set_index("option").loc["yes"]
    share = (2 + 1 + 3) / 8.0
    n_eff = 8.0**2 / (4 + 1 + 1 + 0.25 + 0.25 + 9)
    assert result.weighted
    assert row["share"] == pytest.approx(share)
    assert result.n_effective == pytest.approx(n_eff)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(wilson_by_hand(share, n_eff), abs=1e-12)
    assert row["count"] == 3
    assert result.n == 6
    unweighted = sv.shares(frame, "Q", weighted=False).table.set_index("option").loc["yes"]
    assert unweighted["share"] == pytest.approx(0.5)


def test_invalid_weights_are_an_error():
    frame = pd.DataFrame({"Q": ["yes", "no"], "weight": [1.0, -1.0]})
    with pytest.raises(DataError) as err:
        sv.shares(frame, "Q")
    assert err.value.code == "survey_bad_weights"


# ---------------------------------------------------------------- base, typing
def test_base_is_those_who_answered():
    """Blank cells (NaN, empty or spaces) are 'not asked / not answered' and leave the base."""
    frame = pd.DataFrame({"Q": ["yes", "no", None, "", "  ", "yes"]})
    result = sv.shares(frame, "Q")
    assert result.n == 3
    assert result.table.set_index("option").loc["yes", "share"] == pytest.approx(2 / 3)
    assert "small_base" in result.notes
    assert result.small_base


@pytest.mark.parametrize("delimiter", [";", ",", "、", "/", "|", "; ", "／", "，"])
def test_multi_select_delimiters(delimiter):
    """Shares of a multi-select question are per respondent and sum to more than 100%."""
    answers = [["a", "b"], ["a"], ["b", "c"], ["a", "c"], ["c"], None]
    frame = pd.DataFrame({"Q": [delimiter.join(a) if a else None for a in answers]})
    q = sv.infer_question(frame, "Q")
    assert q.kind == "multi"
    table = sv.shares(frame, q).table.set_index("option")
    assert table["count"].to_dict() == {"a": 3, "b": 2, "c": 3}
    assert table.loc["a", "share"] == pytest.approx(3 / 5)
    assert table["share"].sum() > 1


def test_one_column_per_option_is_one_multi_select_question():
    frame = pd.DataFrame(
        {
            "id": ["r1", "r2", "r3", "r4"],
            "Q4_know-how": [1, 0, 1, np.nan],
            "Q4_people": [0, 1, 1, np.nan],
            "Q4_budget": [0, 0, 1, np.nan],
        }
    )
    questions = {q.name: q for q in sv.infer_questions(frame)}
    q = questions["Q4"]
    assert q.kind == "multi"
    assert q.options == ("know-how", "people", "budget")
    table = sv.shares(frame, q).table.set_index("option")
    assert sv.shares(frame, q).n == 3  # the respondent with blanks did not answer
    assert table["count"].to_dict() == {"know-how": 2, "people": 2, "budget": 1}


@pytest.mark.parametrize(
    "answers",
    [
        ["とてもそう思う", "ややそう思う", "どちらともいえない", "あまりそう思わない", "全くそう思わない"],
        ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"],
        ["非常に満足", "満足", "普通", "やや不満", "非常に不満"],
    ],
)
def test_likert_scales_are_recognised_and_ordered(answers):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"Q": rng.permutation(answers * 3)})
    q = sv.infer_question(frame, "Q")
    assert q.kind == "likert"
    assert q.options == tuple(answers)  # most positive first, whatever the order in the sheet
    assert q.scores == (5.0, 4.0, 3.0, 2.0, 1.0)


def test_type_inference_and_override():
    frame = pd.DataFrame(
        {
            "NPS: how likely are you to recommend us? (0-10)": [0, 5, 7, 9, 10, 10],
            "Seats": [1, 20, 3, 400, 5, 6],
            "Comments (free text)": ["good", "bad", "ok", None, None, "great"],
            "Plan": ["A", "B", "A", "B", "A", "A"],
            "Rating 1-5": [5, 4, 4, 3, 1, 2],
        }
    )
    kinds = {q.name: q.kind for q in sv.infer_questions(frame)}
    assert list(kinds.values()) == ["nps", "numeric", "text", "single", "numeric"]
    retyped = sv.infer_questions(frame, {"Rating 1-5": "likert"})[-1]
    assert retyped.kind == "likert"
    assert retyped.options[0] == "5"
    assert retyped.levels == 5
    assert sv.likert(frame, retyped).top2.count == 3
    with pytest.raises(DataError) as err:
        sv.infer_questions(frame, {"Plan": "nps"})
    assert err.value.code == "survey_bad_override"


# ------------------------------------------------------------------ funnel
def test_funnel_rates_by_hand():
    """Step rates by hand: 6/10 aware; 4 of those 6 important; 3 of those 4 doing (overall 3/10)."""
    frame = pd.DataFrame(
        {
            "aware": ["y"] * 6 + ["n"] * 4,
            "important": ["hi", "hi", "hi", "hi", "lo", "lo", None, None, None, None],
            "doing": ["yes", "yes", "yes", "no", "yes", "no", None, None, None, None],
        }
    )
    steps = [sv.FunnelStep("aware", ("y",)), sv.FunnelStep("important", ("hi",)), sv.FunnelStep("doing", ("yes",))]
    table = sv.funnel(frame, steps).table.set_index("step")
    assert table["reached"].tolist() == [6, 4, 3]
    assert table["conditional"].tolist() == pytest.approx([6 / 10, 4 / 6, 3 / 4])
    assert table["overall"].tolist() == pytest.approx([6 / 10, 4 / 10, 3 / 10])
    assert table.loc[3, "share"] == pytest.approx(4 / 6)  # among all who answered 'doing'
    assert (table.loc[3, "cond_low"], table.loc[3, "cond_high"]) == pytest.approx(wilson_by_hand(0.75, 4))
    with pytest.raises(DataError) as err:
        sv.funnel(frame, [sv.FunnelStep("aware", ("maybe",))])
    assert err.value.code == "survey_bad_answers"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sample_reproduces_the_2021_survey(lang):
    """The sample reproduces the published 2021 figures: 28.6% aware; of those 72.0% important,
    78.5% doing or planning; challenges know-how 50.0%, people 28.6% (of the 84 doing or planning)."""
    frame = load_sample(lang).survey
    questions = sv.infer_questions(frame)
    kinds = [q.kind for q in questions]
    assert kinds == ["single", "single", "single", "likert", "single", "multi", "nps", "text"]
    steps = sv.default_funnel(frame, questions)
    assert len(steps) == 3
    table = sv.funnel(frame, steps, questions=questions).table
    assert round(100 * table["share"], 1).tolist() == [28.6, 72.0, 78.5]
    assert table["answered"].tolist() == [374, 107, 107]
    challenges = sv.shares(frame, questions[5]).table
    assert challenges["share"].sum() > 1
    assert sv.shares(frame, questions[5]).n == 84
    assert round(100 * challenges["share"].iloc[:2], 1).tolist() == [50.0, 28.6]
    summary = sv.question_summary(frame, questions)
    assert summary["answered"].tolist() == [374, 374, 374, 107, 107, 84, 107, 60]
    lk = sv.likert(frame, questions[3])
    assert (lk.top2.count, lk.top2.n) == (77, 107)


# ---------------------------------------------------------------- crosstab
def test_crosstab_against_scipy_and_hand_residuals():
    """Chi-square equals scipy.stats.chi2_contingency(correction=False); adjusted residuals equal
    (O - E) / sqrt(E (1 - row/N) (1 - col/N)) (Agresti 2013, §2.4.5); marks follow Holm by hand."""
    observed = np.array([[10, 20, 35], [30, 25, 12]])
    rows = []
    for i, answer in enumerate(["yes", "no"]):
        for j, group in enumerate(["S", "M", "L"]):
            rows += [{"Q": answer, "size": group}] * int(observed[i, j])
    frame = pd.DataFrame(rows)
    ct = sv.crosstab(frame, "Q", "size")
    counts = ct.counts.loc[["yes", "no"], ["S", "M", "L"]].to_numpy()
    assert (counts == observed).all()
    ref = stats.chi2_contingency(observed, correction=False)
    assert ct.chi2 == pytest.approx(ref.statistic)
    assert ct.p_value == pytest.approx(ref.pvalue)
    assert ct.dof == ref.dof
    n = observed.sum()
    r, c = observed.sum(axis=1, keepdims=True), observed.sum(axis=0, keepdims=True)
    adjusted = (observed - ref.expected_freq) / np.sqrt(ref.expected_freq * (1 - r / n) * (1 - c / n))
    got = ct.residuals.loc[["yes", "no"], ["S", "M", "L"]].to_numpy()
    assert got == pytest.approx(adjusted)
    raw = 2 * stats.norm.sf(np.abs(adjusted)).ravel()
    order = np.argsort(raw)
    holm = np.maximum.accumulate(np.minimum(1, raw[order] * (len(raw) - np.arange(len(raw)))))
    by_hand = np.empty_like(raw)
    by_hand[order] = holm
    assert ct.p_adjusted.loc[["yes", "no"], ["S", "M", "L"]].to_numpy().ravel() == pytest.approx(by_hand)
    assert ct.marks.loc["yes", "L"] == "▲"
    assert ct.marks.loc["yes", "S"] == "▼"
    assert ct.column_share.loc["yes", "L"] == pytest.approx(35 / 47)


def test_sample_awareness_rises_with_company_size():
    frame = load_sample("en").survey
    ct = sv.crosstab(frame, "Q1 Do you know what customer success means?", "company_size")
    assert list(ct.column_share.columns) == [
        "1-49 employees",
        "50-299 employees",
        "300-999 employees",
        "1000+ employees",
    ]
    aware = ct.column_share.loc["Yes"]
    assert aware.iloc[0] < aware.iloc[-1]
    assert ct.p_value < 0.01


def test_crosstab_degenerate_segments():
    frame = pd.DataFrame({"Q": ["a", "b", "a"], "seg": ["x", "x", "x"]})
    with pytest.raises(DataError) as err:
        sv.crosstab(frame, "Q", "seg")
    assert err.value.code == "survey_one_segment"


# ------------------------------------------------------------------ Likert, NPS
def test_likert_mean_interval_is_the_t_interval():
    """Mean score CI = mean ± t(0.975, n-1) · s / sqrt(n) (scipy.stats.t)."""
    answers = ["Strongly agree"] * 5 + ["Agree"] * 8 + ["Neutral"] * 4 + ["Disagree"] * 2 + ["Strongly disagree"]
    frame = pd.DataFrame({"Q": answers})
    result = sv.likert(frame, "Q")
    scores = np.array([5] * 5 + [4] * 8 + [3] * 4 + [2] * 2 + [1])
    half = stats.t.ppf(0.975, len(scores) - 1) * scores.std(ddof=1) / math.sqrt(len(scores))
    assert result.mean == pytest.approx(scores.mean())
    assert (result.mean_low, result.mean_high) == pytest.approx((scores.mean() - half, scores.mean() + half))
    assert (result.top2.count, result.bottom2.count) == (13, 3)


def test_nps_and_its_interval_against_a_bootstrap():
    """NPS of the sample's 0-10 question by hand, and its adjusted-Wald 95% CI (Rocks 2016) against a
    percentile bootstrap of 20,000 resamples (bounds within 2 NPS points)."""
    frame = load_sample("en").survey
    q = sv.infer_questions(frame)[6]
    result = sv.nps(frame, q)
    values = frame[q.name].dropna().to_numpy()
    assert result.n == len(values) == 107
    score = 100 * ((values >= 9).mean() - (values <= 6).mean())
    assert result.nps == pytest.approx(score)
    rng = np.random.default_rng(20210119)
    draws = rng.choice(values, size=(20_000, len(values)), replace=True)
    boot = 100 * ((draws >= 9).mean(axis=1) - (draws <= 6).mean(axis=1))
    low, high = np.percentile(boot, [2.5, 97.5])
    assert result.ci_low == pytest.approx(low, abs=2.0)
    assert result.ci_high == pytest.approx(high, abs=2.0)


# ---------------------------------------------------------------- reference rate
def exact_two_sided_p(x: int, n: int, p: float) -> float:
    """R's binom.test two-sided p-value: sum of P(X = k) over k with P(X = k) <= P(X = x) (1 + 1e-7)."""
    pmf = np.array([math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)])
    return float(min(1.0, pmf[pmf <= pmf[x] * (1 + 1e-7)].sum()))


@pytest.mark.parametrize(("yes", "no", "reference"), [(107, 267, 0.25), (18, 2, 0.7), (4, 16, 0.2)])
def test_reference_comparison_is_the_exact_binomial_test(yes, no, reference):
    frame = yes_no(yes, no)
    cmp = sv.compare_to_reference(frame, "Q", ["yes"], reference)
    n = yes + no
    assert cmp.p_value == pytest.approx(exact_two_sided_p(yes, n, reference), rel=1e-9)
    assert cmp.p_value == pytest.approx(stats.binomtest(yes, n, reference).pvalue)
    assert cmp.difference == pytest.approx(yes / n - reference)
    low, high = wilson_by_hand(yes / n, n)
    assert (cmp.diff_low, cmp.diff_high) == pytest.approx((low - reference, high - reference))
    with pytest.raises(DataError):
        sv.compare_to_reference(frame, "Q", ["yes"], 1.2)


# ------------------------------------------------------------------- report
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_report_section_shape(lang):
    datasets = load_sample(lang)
    section = sv.report_section(datasets, as_of=None)
    found = section.pop("findings")  # Finding objects: report.py lifts them into its own list
    assert [f.code for f in found if f.code == "survey.awareness_minority"]
    json.dumps(section, allow_nan=False)
    q1 = next(iter(v for k, v in section["questions"].items() if k.startswith("Q1")))
    aware = "知っている" if lang == "ja" else "Yes"
    assert q1["type"] == "single"
    assert q1["n"] == 374
    assert q1["options"][aware]["count"] == 107
    assert q1["options"][aware]["ci"] == pytest.approx([0.24265, 0.33389], abs=1e-5)
    steps = section["funnels"][0]["steps"]
    assert [round(100 * s["share"], 1) for s in steps] == [28.6, 72.0, 78.5]
    assert sv.report_section(Datasets(), as_of=None) is None


# ------------------------------------------------------- review fixes: boxes, weights, charts
def test_likert_boxes_rank_the_points_of_a_0_to_4_scale():
    """A 0–4 rating retyped as Likert, by hand: answers 4×3, 3×2, 2×4, 1×1, 0×2 (n = 12).
    Top-2 = the two highest points {4, 3}: 5/12; bottom-2 = the two lowest {0, 1}: 3/12;
    mean = (4·3 + 3·2 + 2·4 + 1·1 + 0·2) / 12 = 27/12 = 2.25.
    With a point nobody chose inside the range (0, 1, 2, 4: no 3) the scale is still 0–4, so
    top-2 = {4, 3} = only the 4s."""
    frame = pd.DataFrame({"Rating 0-4": [4] * 3 + [3] * 2 + [2] * 4 + [1] + [0] * 2})
    q = sv.infer_questions(frame, {"Rating 0-4": "likert"})[0]
    assert q.points == (4.0, 3.0, 2.0, 1.0, 0.0)
    result = sv.likert(frame, q)
    assert (result.top2.count, result.top2.n) == (5, 12)
    assert (result.bottom2.count, result.bottom2.n) == (3, 12)
    assert result.top2.share == pytest.approx(5 / 12)
    assert result.bottom2.share == pytest.approx(3 / 12)
    assert (result.top2_options, result.bottom2_options) == (("4", "3"), ("1", "0"))
    assert result.mean == pytest.approx(2.25)
    gap = pd.DataFrame({"R": [4, 4, 2, 1, 0, 0]})
    lk = sv.likert(gap, sv.infer_questions(gap, {"R": "likert"})[0])
    assert (lk.top2.count, lk.bottom2.count) == (2, 3)  # 4s; 1 and 0s


def test_known_scale_boxes_do_not_shift_when_its_top_answer_is_missing():
    """Agree-scale answers, nobody 'Strongly agree': Agree×3, Neutral×2, Disagree×1, Strongly disagree×1
    (n = 7). The scale is known to have 5 points, so top-2 = {Strongly agree, Agree} = 3/7 (not
    Agree + Neutral = 5/7) and bottom-2 = {Disagree, Strongly disagree} = 2/7."""
    frame = pd.DataFrame({"Q": ["Agree"] * 3 + ["Neutral"] * 2 + ["Disagree", "Strongly disagree"]})
    q = sv.infer_question(frame, "Q")
    assert q.levels == 5
    result = sv.likert(frame, q)
    assert result.top2_options == ("Agree",)
    assert result.top2.share == pytest.approx(3 / 7)
    assert result.bottom2.share == pytest.approx(2 / 7)
    assert sv.likert_boxes(q) == (("Agree",), ("Disagree", "Strongly disagree"))


def test_weighted_mean_interval_uses_the_effective_base():
    """Weights are not frequencies. Values x = 1, 2, 4, 5, 8 with weights w = 1, 2, 1, 3, 1:
    m = Σwx/Σw = 32/8 = 4; n_eff = (Σw)²/Σw² = 64/16 = 4;
    s² = Σw(x−m)²/Σw = (9 + 8 + 0 + 3 + 16)/8 = 4.5;
    CI = m ± t(0.975, n_eff − 1) · s / sqrt(n_eff − 1).
    Multiplying every weight by 250 changes nothing; equal weights give the unweighted t interval
    mean ± t(0.975, n − 1) · sd(ddof=1) / sqrt(n)."""
    x = np.array([1.0, 2.0, 4.0, 5.0, 8.0])
    w = np.array([1.0, 2.0, 1.0, 3.0, 1.0])
    half = stats.t.ppf(0.975, 3) * math.sqrt(36 / 8) / math.sqrt(3)
    frame = pd.DataFrame({"Seats": x, "weight": w})
    base = sv.numeric_summary(frame, "Seats")
    assert base.mean == pytest.approx(4.0)
    assert (base.ci_low, base.ci_high) == pytest.approx((4 - half, 4 + half))
    scaled = sv.numeric_summary(frame.assign(weight=250 * w), "Seats")
    assert (scaled.ci_low, scaled.ci_high) == pytest.approx((base.ci_low, base.ci_high))
    equal = sv.numeric_summary(frame.assign(weight=3.0), "Seats")
    plain = sv.numeric_summary(frame, "Seats", weighted=False)
    half_plain = stats.t.ppf(0.975, 4) * x.std(ddof=1) / math.sqrt(5)
    assert (plain.ci_low, plain.ci_high) == pytest.approx((x.mean() - half_plain, x.mean() + half_plain))
    assert (equal.ci_low, equal.ci_high) == pytest.approx((plain.ci_low, plain.ci_high))
    answers = ["Strongly agree", "Agree", "Neutral", "Disagree", "Strongly disagree"]
    likert = pd.DataFrame({"Q": answers * 2, "weight": [1.0, 2.0, 1.0, 3.0, 1.0] * 2})
    lk, lk_scaled = sv.likert(likert, "Q"), sv.likert(likert.assign(weight=250 * likert["weight"]), "Q")
    assert (lk_scaled.mean_low, lk_scaled.mean_high) == pytest.approx((lk.mean_low, lk.mean_high))
    lk_equal, lk_plain = sv.likert(likert.assign(weight=7.0), "Q"), sv.likert(likert, "Q", weighted=False)
    assert (lk_equal.mean_low, lk_equal.mean_high) == pytest.approx((lk_plain.mean_low, lk_plain.mean_high))


# ---------------------------------------------- review fixes: weights everywhere on the page
NPS_HEADER = "How likely are you to recommend us? (0-10)"


def test_weighted_nps_uses_weighted_shares_and_the_effective_base():
    """Answers 10, 9, 7, 4, 2 with weights 3, 1, 2, 1, 1 (Σw = 8, Σw² = 16):
    promoters (3 + 1)/8 = 0.5, detractors (1 + 1)/8 = 0.25 → NPS = +25 (unweighted: 2/5 − 2/5 = 0);
    n_eff = 8²/16 = 4. Adjusted Wald on n_eff: p'_pro = (4·0.5 + 0.75)/7 = 2.75/7,
    p'_det = (4·0.25 + 0.75)/7 = 1.75/7, d = 1/7, se = sqrt((4.5/7 − 1/49)/7) = sqrt(30.5/343),
    CI = 100 · (1/7 ± 1.96 · se) ≈ (−44.2, +72.7). Counts stay respondents (2, 1, 2)."""
    frame = pd.DataFrame({NPS_HEADER: [10, 9, 7, 4, 2], "weight": [3.0, 1.0, 2.0, 1.0, 1.0]})
    result = sv.nps(frame, NPS_HEADER)
    assert result.weighted
    assert result.n_effective == pytest.approx(4.0)
    assert result.nps == pytest.approx(25.0)
    assert (result.promoter_share, result.detractor_share) == pytest.approx((0.5, 0.25))
    assert result.table["share"].tolist() == pytest.approx([0.5, 0.25, 0.25])
    assert (result.promoters, result.passives, result.detractors) == (2, 1, 2)
    se = math.sqrt(30.5 / 343)
    assert (result.ci_low, result.ci_high) == pytest.approx((100 * (1 / 7 - Z * se), 100 * (1 / 7 + Z * se)))
    assert (result.ci_low, result.ci_high) == pytest.approx((-44.16, 72.73), abs=0.01)
    assert sv.nps(frame, NPS_HEADER, weighted=False).nps == pytest.approx(0.0)


def test_weighted_nps_reduces_to_unweighted_and_ignores_the_weights_scale():
    """Equal weights give n_eff = n and the unweighted shares, so the same NPS and interval as
    ``weighted=False`` (sample NPS question: n = 107); multiplying every weight by 250 changes
    neither the shares nor n_eff = (250 Σw)² / (250² Σw²), so nothing moves."""
    frame = load_sample("en").survey
    q = sv.infer_questions(frame)[6]
    plain = sv.nps(frame, q, weighted=False)
    equal = sv.nps(frame.assign(weight=2.5), q)
    assert equal.weighted
    assert not plain.weighted
    assert equal.n_effective == pytest.approx(107)
    assert (equal.nps, equal.ci_low, equal.ci_high) == pytest.approx((plain.nps, plain.ci_low, plain.ci_high))
    w = np.random.default_rng(5).uniform(0.2, 3.0, len(frame))
    varied, scaled = sv.nps(frame.assign(weight=w), q), sv.nps(frame.assign(weight=250 * w), q)
    assert (scaled.nps, scaled.ci_low, scaled.ci_high, scaled.n_effective) == pytest.approx(
        (varied.nps, varied.ci_low, varied.ci_high, varied.n_effective)
    )
    assert varied.nps != pytest.approx(plain.nps)


def test_weighted_reference_comparison_is_a_score_test_on_the_effective_base():
    """yes, yes, no, no, no, yes with weights 2, 1, 1, 0.5, 0.5, 3, six times over: weighted share
    36/48 = 0.75 (unweighted 0.5); n_eff = 48²/93 = 24.77. Against 50%: z = (0.75 − 0.5) /
    sqrt(0.5 · 0.5 / 24.77) = 0.5 · sqrt(24.77) = 2.489, p = 2 · (1 − Φ(z)) = 0.0128; the
    difference's CI is the Wilson interval on (0.75, n_eff) minus 0.5. Equal weights fall back to
    the exact binomial test (the weighted share is then count/n)."""
    frame = pd.DataFrame({"Q": ["yes", "yes", "no", "no", "no", "yes"] * 6, "weight": [2, 1, 1, 0.5, 0.5, 3] * 6})
    cmp = sv.compare_to_reference(frame, "Q", ["yes"], 0.5)
    n_eff = 48**2 / 93
    assert cmp.test == "score"
    assert cmp.rate.share == pytest.approx(0.75)
    assert cmp.rate.n_effective == pytest.approx(n_eff)
    assert cmp.difference == pytest.approx(0.25)
    assert cmp.p_value == pytest.approx(2 * stats.norm.sf(0.5 * math.sqrt(n_eff)))
    assert cmp.p_value == pytest.approx(0.0128, abs=1e-4)
    low, high = wilson_by_hand(0.75, n_eff)
    assert (cmp.diff_low, cmp.diff_high) == pytest.approx((low - 0.5, high - 0.5))
    unweighted = sv.compare_to_reference(frame, "Q", ["yes"], 0.5, weighted=False)
    assert (unweighted.test, unweighted.rate.share) == ("binomial", pytest.approx(0.5))
    assert unweighted.p_value == pytest.approx(stats.binomtest(18, 36, 0.5).pvalue)
    equal = sv.compare_to_reference(frame.assign(weight=4.0), "Q", ["yes"], 0.5)
    assert equal.test == "binomial"
    assert equal.p_value == pytest.approx(unweighted.p_value)


def test_weighted_funnel_by_hand():
    """The hand funnel above with weights 2, 2, 1, 1, 1, 1 (aware) and 1, 1, 1, 1 (not aware), Σw = 12:
    step 1: 8/12 aware; step 2: important among the aware 6/8 = 0.75 (overall 6/12);
    step 3: doing among the 4 important (Σw = 6) 5/6 (overall 5/12), n_eff = 6²/10 = 3.6;
    overall base n_eff = 12²/16 = 9. 'doing' among all who answered it: 6/8. Counts stay 6, 4, 3."""
    frame = pd.DataFrame(
        {
            "aware": ["y"] * 6 + ["n"] * 4,
            "important": ["hi", "hi", "hi", "hi", "lo", "lo", None, None, None, None],
            "doing": ["yes", "yes", "yes", "no", "yes", "no", None, None, None, None],
            "weight": [2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    steps = [sv.FunnelStep("aware", ("y",)), sv.FunnelStep("important", ("hi",)), sv.FunnelStep("doing", ("yes",))]
    result = sv.funnel(frame, steps)
    table = result.table.set_index("step")
    assert result.weighted
    assert table["reached"].tolist() == [6, 4, 3]
    assert table["conditional"].tolist() == pytest.approx([8 / 12, 6 / 8, 5 / 6])
    assert table["overall"].tolist() == pytest.approx([8 / 12, 6 / 12, 5 / 12])
    assert table.loc[3, "share"] == pytest.approx(6 / 8)
    assert (table.loc[3, "cond_low"], table.loc[3, "cond_high"]) == pytest.approx(wilson_by_hand(5 / 6, 3.6))
    assert (table.loc[3, "overall_low"], table.loc[3, "overall_high"]) == pytest.approx(wilson_by_hand(5 / 12, 9))
    plain = sv.funnel(frame, steps, weighted=False)
    assert not plain.weighted
    assert plain.table["overall"].tolist() == pytest.approx([6 / 10, 4 / 10, 3 / 10])
    equal = sv.funnel(frame.assign(weight=3.0), steps).table
    cols = ["share", "ci_low", "ci_high", "conditional", "cond_low", "cond_high", "overall", "overall_low"]
    assert equal[cols].to_numpy() == pytest.approx(plain.table[cols].to_numpy())
    section = sv.report_section(Datasets(survey=frame, source="upload"), as_of=None, funnels=[steps])
    assert section["weighted"] is True
    assert section["funnels"][0]["steps"][2]["overall"] == pytest.approx(5 / 12)


def test_weighted_median_by_hand():
    """x = 1, 2, 4, 5, 8 with w = 1, 2, 1, 3, 1: cumulative weight 1, 3, 4, 7, 8 of 8 reaches half
    (4) exactly at 4, so the median is the midpoint (4 + 5)/2 = 4.5 (unweighted: 4). Equal weights
    give the ordinary median; multiplying the weights by 250 changes nothing."""
    x = np.array([1.0, 2.0, 4.0, 5.0, 8.0])
    w = np.array([1.0, 2.0, 1.0, 3.0, 1.0])
    frame = pd.DataFrame({"Seats": x, "weight": w})
    assert sv.numeric_summary(frame, "Seats").median == pytest.approx(4.5)
    assert sv.numeric_summary(frame.assign(weight=250 * w), "Seats").median == pytest.approx(4.5)
    assert sv.numeric_summary(frame.assign(weight=3.0), "Seats").median == pytest.approx(4.0)
    assert sv.numeric_summary(frame, "Seats", weighted=False).median == pytest.approx(4.0)


def test_text_answers_are_counted():
    """Free text by hand: 'good' twice (one with spaces), 'bad' once, two blanks → base 3."""
    frame = pd.DataFrame({"Comments (free text)": ["good", " good ", "bad", None, "  "]})
    q = sv.infer_question(frame, "Comments (free text)")
    counts = sv.text_answers(frame, q)
    assert counts.to_dict("records") == [{"answer": "good", "count": 2}, {"answer": "bad", "count": 1}]


def test_user_labels_reach_plotly_escaped():
    """Options, segment groups and a column header are user text: '<a href="http://x">y</a>' must reach
    the figure as '&lt;a href="http://x"&gt;y&lt;/a&gt;' and '%{x}' as '%&#123;x}' (not a placeholder)."""
    from cs_models.charts import survey as charts

    link, placeholder = '<a href="http://x">y</a>', "%{x}"
    frame = pd.DataFrame(
        {
            "Q": [link] * 6 + [placeholder] * 4 + ["plain"] * 5,
            "seg": ([link, placeholder, "z"] * 5),
        }
    )
    link_out, placeholder_out = '&lt;a href="http://x"&gt;y&lt;/a&gt;', "%&#123;x}"
    result = sv.shares(frame, "Q")
    figures = [
        charts.shares_bar(result, {"x_title": "share", "hover": "{count}/{n} {low}–{high}"}),
        charts.funnel_chart(
            sv.funnel(frame, [sv.FunnelStep("Q", (link,))]),
            {"base": "all", "text": "{count}", "hover": "{count}"},
            [f"1. {link} {placeholder}"],
        ),
        charts.crosstab_heatmap(
            sv.crosstab(frame, "Q", "seg"),
            {"x_title": placeholder + link, "colour_title": "share", "hover": "{count} {n} {p}"},
        ),
    ]
    scale = pd.DataFrame({"Q": ["Agree", "Neutral", "Disagree"] * 4})
    lk = sv.likert(scale, "Q")
    q = lk.shares.question
    renamed = {"Agree": link, "Neutral": placeholder, "Disagree": "no"}
    q = sv.Question(
        q.name,
        q.kind,
        q.columns,
        options=tuple(renamed[o] for o in q.options),
        scores=q.scores,
        levels=q.levels,
        points=q.points,
    )
    table = lk.shares.table.assign(option=lk.shares.table["option"].map(renamed))
    lk = sv.Likert(
        sv.Shares(q, lk.shares.n, lk.shares.n_effective, table, False, "wilson"),
        lk.top2,
        lk.bottom2,
        lk.mean,
        lk.mean_low,
        lk.mean_high,
        lk.n,
    )
    figures.append(charts.likert_bar(lk, {"x_title": "share", "y_label": "n=12", "hover": "{count}/{n}"}))

    def shown(node, key=""):
        """Every string of a figure spec except the templates themselves (which hold real placeholders)."""
        if isinstance(node, dict):
            return [s for k, v in node.items() for s in shown(v, k)]
        if isinstance(node, list):
            return [s for v in node for s in shown(v, key)]
        return [node] if isinstance(node, str) and key not in ("hovertemplate", "texttemplate") else []

    for fig in figures:
        strings = shown(json.loads(fig.to_json()))
        assert not [s for s in strings if link in s or placeholder in s]
        assert [s for s in strings if link_out in s or placeholder_out in s]
    likert_spec = json.dumps(json.loads(figures[-1].to_json()), ensure_ascii=False).replace('\\"', '"')
    assert f"<b>{link_out}</b>" in likert_spec
    assert f"<b>{placeholder_out}</b>" in likert_spec
    assert link not in likert_spec
    assert placeholder not in likert_spec
