"""Expectation vs satisfaction (:mod:`cs_models.gaps`) against independent references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cs_models import gaps
from cs_models.errors import DataError
from cs_models.sample import load_sample

# A hand-checkable item: d = satisfaction - expectation = [1, 0, 1, -2, 2, 1, 0, 2, 0, -1]
EXPECTATION = [3, 4, 2, 5, 3, 4, 3, 2, 4, 5]
SATISFACTION = [4, 4, 3, 3, 5, 5, 3, 4, 4, 4]


def wide_frame(pattern: str = "paren", items: dict | None = None) -> pd.DataFrame:
    """A wide table in one naming pattern; ``items``: name -> (expectation, satisfaction[, importance])."""
    items = items or {"Onboarding": (EXPECTATION, SATISFACTION)}
    names = {
        "ja": ("{}_期待", "{}_満足", "{}_重要度"),
        "prefix": ("exp_{}", "sat_{}", "imp_{}"),
        "paren": ("{} (expectation)", "{} (satisfaction)", "{} (importance)"),
        "merged": ("期待 / {}", "満足 / {}", "重要度 / {}"),  # two-row header flattened by cs_models.io
    }[pattern]
    n = len(next(iter(items.values()))[0])
    frame = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(n)]})
    for item, answers in items.items():
        for template, values in zip(names, answers, strict=False):
            frame[template.format(item)] = values
    return frame


def item_row(frame: pd.DataFrame, item: str = "Onboarding", **options) -> pd.Series:
    return gaps.analyse_gaps(gaps.read_gaps(frame), **options).items.loc[item]


def test_paired_t_against_hand_calculation_and_scipy():
    """Mean gap, paired t interval and test.

    Hand calculation: d = [1,0,1,-2,2,1,0,2,0,-1], mean 0.4, sd sqrt(1.6) = 1.264911,
    se = 0.4, t = 1.0 on 9 df, two-sided p = 0.3434 (R: ``2 * pt(-1, 9)`` = 0.3434363),
    95% CI 0.4 ± qt(0.975, 9) * 0.4 = 0.4 ± 2.262157 * 0.4 = [-0.5048627, 1.3048627]
    (R: ``t.test(sat, exp, paired = TRUE)``). Also equal to ``scipy.stats.ttest_rel``.
    """
    row = item_row(wide_frame())
    assert row["n"] == 10
    assert row["mean_expectation"] == pytest.approx(3.5)
    assert row["mean_satisfaction"] == pytest.approx(3.9)
    assert row["mean_gap"] == pytest.approx(0.4)
    assert row["sd_gap"] == pytest.approx(1.264911, abs=1e-6)
    assert row["t_stat"] == pytest.approx(1.0)
    assert row["t_p"] == pytest.approx(0.3434363, abs=1e-6)
    assert row["ci_low"] == pytest.approx(-0.5048627, abs=1e-6)
    assert row["ci_high"] == pytest.approx(1.3048627, abs=1e-6)
    reference = stats.ttest_rel(SATISFACTION, EXPECTATION)
    assert row["t_stat"] == pytest.approx(reference.statistic)
    assert row["t_p"] == pytest.approx(reference.pvalue)
    assert row["cohen_dz"] == pytest.approx(0.4 / np.sqrt(1.6))


def test_wilcoxon_zero_differences_and_rank_biserial_by_hand():
    """Wilcoxon signed-rank with zero differences dropped (``zero_method="wilcox"``, as R).

    Hand calculation: the 7 non-zero |d| are 1,1,2,2,1,2,1; the four 1s share rank 2.5
    and the three 2s rank 6. R+ = 2.5+2.5+6+2.5+6 = 19.5, R- = 6+2.5 = 8.5, so the
    two-sided statistic is min(R+, R-) = 8.5 and the matched-pairs rank-biserial
    correlation (Kerby 2014, simple difference formula) is (19.5 - 8.5) / 28 = 0.392857.
    The p-value equals ``scipy.stats.wilcoxon(sat, exp)`` on the same data.
    """
    row = item_row(wide_frame())
    assert row["n_zero"] == 3
    assert row["wilcoxon_stat"] == pytest.approx(8.5)
    assert row["rank_biserial"] == pytest.approx(11 / 28)
    reference = stats.wilcoxon(SATISFACTION, EXPECTATION)
    assert row["wilcoxon_p"] == pytest.approx(reference.pvalue)
    pratt = item_row(wide_frame(), zero_method="pratt")
    assert pratt["wilcoxon_p"] == pytest.approx(
        stats.wilcoxon(SATISFACTION, EXPECTATION, zero_method="pratt").pvalue
    )


def test_wilcoxon_large_sample_against_normal_approximation():
    """For n > 50 scipy uses the normal approximation; recompute it by hand.

    z = (R+ - n(n+1)/4) / sqrt(n(n+1)(2n+1)/24 - sum(t^3 - t)/48) over the non-zero
    differences, with the tie correction of Hollander & Wolfe (1999, eq. 3.13); no
    continuity correction (R: ``wilcox.test(sat, exp, paired=TRUE, exact=FALSE, correct=FALSE)``).
    """
    rng = np.random.default_rng(7)
    e = rng.integers(1, 8, 120)
    s = np.clip(e + rng.integers(-2, 3, 120), 1, 7)
    row = item_row(wide_frame(items={"Onboarding": (e, s)}))
    d = (s - e).astype(float)
    d = d[d != 0]
    n = d.size
    ranks = stats.rankdata(np.abs(d))
    r_plus = ranks[d > 0].sum()
    _, ties = np.unique(np.abs(d), return_counts=True)
    var = n * (n + 1) * (2 * n + 1) / 24 - (ties**3 - ties).sum() / 48
    z = (r_plus - n * (n + 1) / 4) / np.sqrt(var)
    assert row["wilcoxon_p"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)


def test_shares_and_wilson_intervals_by_hand():
    """Shares delighted 5/10, met 3/10, disappointed 2/10 with Wilson 95% intervals.

    Wilson (1927): centre (p + z²/2n) / (1 + z²/n), half-width
    z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n), z = 1.959964. For 5/10: centre 0.5,
    half-width 0.263406 -> [0.2365931, 0.7634069] (R: ``prop.test(5, 10, correct = FALSE)``);
    for 2/10 by hand: centre 0.283263, half-width 0.226576 -> [0.0566822, 0.5098375].
    """
    row = item_row(wide_frame())
    assert (row["n_delighted"], row["n_met"], row["n_disappointed"]) == (5, 3, 2)
    assert row["delighted_share"] == pytest.approx(0.5)
    assert row["met_share"] == pytest.approx(0.3)
    assert row["disappointed_share"] == pytest.approx(0.2)
    assert (row["delighted_low"], row["delighted_high"]) == pytest.approx((0.2365931, 0.7634069), abs=1e-7)
    assert (row["disappointed_low"], row["disappointed_high"]) == pytest.approx(
        (0.0566822, 0.5098375), abs=1e-6
    )
    z = stats.norm.ppf(0.975)
    p, n = 0.3, 10
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert (row["met_low"], row["met_high"]) == pytest.approx((centre - half, centre + half))


def test_holm_across_items_by_hand():
    """Holm (1979): sort the m p-values, multiply the i-th smallest by (m - i + 1), take the
    running maximum, cap at 1. Recomputed here from the unadjusted p-values."""
    rng = np.random.default_rng(3)
    items = {}
    for k, shift in enumerate((0, 1, -1, 0)):
        e = rng.integers(1, 6, 40)
        items[f"item{k}"] = (e, np.clip(e + rng.integers(-1, 2, 40) + shift * (rng.random(40) < 0.5), 1, 5))
    table = gaps.analyse_gaps(gaps.read_gaps(wide_frame(items=items))).items
    for column in ("t_p", "wilcoxon_p"):
        p = table[column].to_numpy()
        order = np.argsort(p)
        m = len(p)
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(1, np.maximum.accumulate(p[order] * (m - np.arange(m))))
        np.testing.assert_allclose(table[f"{column}_holm"].to_numpy(), adjusted)


def test_sample_has_delighting_and_disappointing_touchpoints():
    """The bundled sample: onboarding disappoints, support and study sessions delight."""
    for lang, onboarding, delighting in (
        ("ja", "導入支援", ("サポート", "勉強会")),
        ("en", "Onboarding", ("Support", "Study sessions")),
    ):
        answers = gaps.read_gaps(load_sample(lang).gaps)
        assert answers.layout.layout == ("ja" if lang == "ja" else "paren")
        assert answers.scale == "1-5"
        table = gaps.analyse_gaps(answers).items
        assert table.loc[onboarding, "verdict"] == "disappoints"
        assert table.loc[onboarding, "mean_gap"] == pytest.approx(-0.5, abs=0.1)
        for item in delighting:
            assert table.loc[item, "verdict"] == "delights"
        assert table["n"].min() < 600  # community has blanks: only answered pairs count


def test_long_and_wide_inputs_give_identical_results():
    wide = load_sample("en").gaps
    answers = gaps.read_gaps(wide)
    frame = answers.answers
    columns = ["respondent_id", "customer_id", "plan", "item", "expectation", "satisfaction", "importance"]
    long = frame[columns]
    long = long.sample(frac=1, random_state=1)  # row order must not matter
    long_answers = gaps.read_gaps(long)
    assert long_answers.layout.layout == "long"
    assert long_answers.segments == ("plan",)
    assert set(long_answers.items) == set(answers.items)
    left = gaps.analyse_gaps(answers).items
    right = gaps.analyse_gaps(long_answers).items.loc[left.index]
    pd.testing.assert_frame_equal(left, right)
    pd.testing.assert_frame_equal(
        gaps.importance_performance(answers).items,
        gaps.importance_performance(long_answers).items.loc[left.index],
    )


@pytest.mark.parametrize("pattern", ["ja", "prefix", "paren", "merged"])
def test_all_three_wide_patterns_are_detected_with_importance(pattern):
    importance = [5, 4, 4, 5, 3, 4, 5, 4, 4, 5]
    items = {"Onboarding": (EXPECTATION, SATISFACTION, importance), "Support": (SATISFACTION, EXPECTATION)}
    frame = wide_frame(pattern, items)
    frame["plan"] = ["A", "B"] * 5
    answers = gaps.read_gaps(frame)
    assert answers.layout.layout == pattern
    assert answers.items == ("Onboarding", "Support")
    assert answers.segments == ("plan",)
    table = gaps.analyse_gaps(answers).items
    assert table.loc["Onboarding", "mean_gap"] == pytest.approx(0.4)
    assert table.loc["Support", "mean_gap"] == pytest.approx(-0.4)
    onboarding = answers.answers[answers.answers["item"] == "Onboarding"]
    assert onboarding["importance"].tolist() == importance
    # forcing a pattern that is not there fails with a stable code
    other = "prefix" if pattern != "prefix" else "ja"
    with pytest.raises(DataError) as info:
        gaps.read_gaps(frame, layout=other)
    assert info.value.code == "gaps_unknown_layout"


def test_out_of_scale_answers_are_reported_by_spreadsheet_row():
    """Row numbers are as Excel shows them: the header is row 1, the first answer row 2."""
    frame = wide_frame("prefix")
    frame = frame.astype({"exp_Onboarding": object, "sat_Onboarding": object})
    frame.loc[3, "exp_Onboarding"] = 6  # not on 1-5 (spreadsheet row 5)
    frame.loc[7, "sat_Onboarding"] = 3.5  # not a point of the scale (row 9)
    frame.loc[8, "exp_Onboarding"] = "very"  # text (row 10)
    frame.loc[9, "exp_Onboarding"] = " "  # blank: not answered, not invalid
    answers = gaps.read_gaps(frame, scale="1-5")
    assert answers.invalid.to_dict("records") == [
        {"row": 5, "column": "exp_Onboarding", "value": "6"},
        {"row": 9, "column": "sat_Onboarding", "value": "3.5"},
        {"row": 10, "column": "exp_Onboarding", "value": "very"},
    ]
    assert gaps.analyse_gaps(answers).items.loc["Onboarding", "n"] == 6
    with pytest.raises(DataError) as info:
        gaps.read_gaps(frame, scale="1-5", on_invalid="raise")
    assert (info.value.code, info.value.row, info.value.column) == ("gaps_out_of_scale", 5, "exp_Onboarding")
    assert info.value.params["n"] == 3


def test_scale_detection_and_long_row_numbers():
    assert gaps.detect_scale(np.array([1.0, 5, np.nan])) == "1-5"
    assert gaps.detect_scale(np.array([1.0, 7])) == "1-7"
    assert gaps.detect_scale(np.array([0.0, 4])) == "0-10"
    assert gaps.detect_scale(np.array([1.0, 5, 55])) == "1-5"  # a typo does not widen the scale
    long = pd.DataFrame(
        {
            "respondent_id": ["a", "a", "b", "b"],
            "item": ["x", "y", "x", "y"],
            "expectation": [7, 1, 2, 11],
            "satisfaction": [6, 2, 2, 3],
        }
    )
    answers = gaps.read_gaps(long)
    assert answers.scale == "1-7"
    assert answers.invalid.to_dict("records") == [{"row": 5, "column": "expectation", "value": "11"}]


def test_bad_inputs_raise_stable_codes():
    with pytest.raises(DataError) as info:
        gaps.read_gaps(pd.DataFrame({"a": [1], "b": [2]}))
    assert info.value.code == "gaps_unknown_layout"
    duplicate = pd.DataFrame(
        {"respondent_id": ["a", "a"], "item": ["x", "x"], "expectation": [1, 2], "satisfaction": [3, 3]}
    )
    with pytest.raises(DataError) as info:
        gaps.read_gaps(duplicate)
    assert (info.value.code, info.value.row) == ("gaps_duplicate_answer", 3)
    with pytest.raises(DataError) as info:
        gaps.read_gaps(wide_frame(), scale="1-4")
    assert info.value.code == "gaps_bad_option"
    blank = wide_frame()
    blank["Onboarding (satisfaction)"] = np.nan
    with pytest.raises(DataError) as info:
        gaps.read_gaps(blank)
    assert info.value.code == "gaps_empty"
    with pytest.raises(DataError):
        gaps.analyse_gaps(gaps.read_gaps(wide_frame()), zero_method="none")


def test_degenerate_items_are_explained_not_crashed():
    same = wide_frame(items={"Same": (EXPECTATION, EXPECTATION), "Tiny": (EXPECTATION[:4] + [np.nan] * 6,
                                                                          SATISFACTION)})
    result = gaps.analyse_gaps(gaps.read_gaps(same))
    row = result.items.loc["Same"]
    assert row["n_zero"] == 10
    assert np.isnan(row["t_p"])
    assert np.isnan(row["wilcoxon_p"])
    assert row["met_share"] == 1.0
    assert row["verdict"] == "no_clear_gap"
    assert "gaps_no_variation:Same" in result.notes
    assert "gaps_small_n:Tiny" in result.notes


def test_importance_performance_quadrants():
    """Quadrants split at the mean of the item means; expectation stands in for importance."""
    e_hi, e_lo = [5] * 10, [2] * 10
    items = {
        "concentrate": (e_hi, [2] * 10),  # important, performs poorly
        "keep": (e_hi, [5] * 10),
        "low": (e_lo, [2] * 10),
        "overkill": (e_lo, [5] * 10),
    }
    result = gaps.importance_performance(gaps.read_gaps(wide_frame(items=items)))
    assert result.importance_source == "expectation"
    assert result.importance_cut == pytest.approx(3.5)
    assert result.performance_cut == pytest.approx(3.5)
    assert result.items["quadrant"].to_dict() == {
        "concentrate": "concentrate_here",
        "keep": "keep_up",
        "low": "low_priority",
        "overkill": "possible_overkill",
    }
    sample = gaps.importance_performance(gaps.read_gaps(load_sample("en").gaps))
    assert sample.importance_source == "importance"
    assert sample.items.loc["Onboarding", "quadrant"] == "concentrate_here"


def test_segment_comparison_against_scipy_kruskal_and_hand_means():
    answers = gaps.read_gaps(load_sample("en").gaps)
    result = gaps.compare_segments(answers, "plan")
    frame = answers.answers.dropna(subset=["gap"])
    support = frame[frame["item"] == "Support"]
    groups = [support.loc[support["plan"] == v, "gap"].to_numpy() for v in pd.unique(support["plan"])]
    assert result.tests.loc["Support", "kruskal_p"] == pytest.approx(stats.kruskal(*groups).pvalue)
    light = result.table[(result.table["item"] == "Support") & (result.table["segment_value"] == "Light")]
    expected = support.loc[support["plan"] == "Light", "gap"]
    assert light["mean_gap"].item() == pytest.approx(expected.mean())
    assert light["n"].item() == len(expected)
    with pytest.raises(DataError):
        gaps.compare_segments(answers, "region")


def test_rank_biserial_zero_handling_by_hand():
    """Same d as above with zeros ranked (Pratt 1959): |d| ranks 0→2, 1→5.5, 2→9, so
    R+ = 5.5+5.5+9+5.5+9 = 34.5 and R- = 9+5.5 = 14.5. Pratt: (34.5-14.5)/(34.5+14.5) = 20/49;
    zero-split (zeros' ranks shared by both sides): 20/55."""
    d = np.array(SATISFACTION) - np.array(EXPECTATION)
    assert gaps.rank_biserial(d, "pratt") == pytest.approx(20 / 49)
    assert gaps.rank_biserial(d, "zsplit") == pytest.approx(20 / 55)
    assert gaps.rank_biserial(np.zeros(5)) != gaps.rank_biserial(np.zeros(5))  # NaN: nothing to rank


@settings(max_examples=10, deadline=None)
@given(
    data=st.lists(st.tuples(*[st.integers(1, 7)] * 4), min_size=14, max_size=40),
    shuffle=st.randoms(use_true_random=False),
)
def test_wide_and_long_agree_and_shares_add_up(data, shuffle):
    """Property: for any answers, the wide and the (shuffled) long table give the same per-item
    results, the three shares add up to 1 and the mean gap lies inside its interval.
    (At least 14 pairs per item, so scipy's Wilcoxon uses its normal approximation and the
    property stays fast; the small-sample permutation path is covered above.)"""
    wide = pd.DataFrame(data, columns=["exp_a", "sat_a", "exp_b", "sat_b"])
    wide.insert(0, "respondent_id", [f"r{i}" for i in range(len(wide))])
    long = pd.concat(
        [
            wide[["respondent_id", f"exp_{item}", f"sat_{item}"]]
            .set_axis(["respondent_id", "expectation", "satisfaction"], axis=1)
            .assign(item=item)
            for item in ("a", "b")
        ],
        ignore_index=True,
    )
    long = long.iloc[shuffle.sample(range(len(long)), len(long))]
    left = gaps.analyse_gaps(gaps.read_gaps(wide, scale="1-7")).items
    right = gaps.analyse_gaps(gaps.read_gaps(long, scale="1-7")).items.loc[left.index]
    pd.testing.assert_frame_equal(left, right)
    shares = left[["delighted_share", "met_share", "disappointed_share"]].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0)
    finite = left.dropna(subset=["ci_low"])
    assert (finite["ci_low"] <= finite["mean_gap"] + 1e-12).all()
    assert (finite["mean_gap"] <= finite["ci_high"] + 1e-12).all()
