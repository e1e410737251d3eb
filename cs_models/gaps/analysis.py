"""Per-item gaps: paired t-test and Wilcoxon signed-rank with Holm correction, effect sizes, shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.errors import DataError
from cs_models.gaps.reading import MIN_PAIRS, OUTCOMES, ZERO_METHODS, GapAnswers
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha, holm, proportion_interval


# ----------------------------------------------------------------------- per item
@dataclass(frozen=True)
class GapAnalysis(Result):
    """Per-item gaps with tests, effect sizes and shares.

    Attributes
    ----------
    items : pandas.DataFrame
        Indexed by item (source order). Columns: ``n`` (answered pairs),
        ``mean_expectation``, ``mean_satisfaction``, ``mean_gap``, ``sd_gap``,
        ``ci_low``/``ci_high`` (paired t interval of the mean gap), ``t_stat``, ``t_p``,
        ``t_p_holm``, ``wilcoxon_stat``, ``wilcoxon_p``, ``wilcoxon_p_holm``, ``n_zero``
        (pairs with no gap), ``cohen_dz``, ``rank_biserial``, ``n_<outcome>``,
        ``<outcome>_share``, ``<outcome>_low``, ``<outcome>_high`` for outcome in
        :data:`OUTCOMES`, and ``verdict`` (``"delights"``, ``"disappoints"`` or
        ``"no_clear_gap"``, from the Holm-adjusted t-test p at ``alpha``).
    alpha : float
        ``1 - confidence level`` of all intervals, and significance level of the
        verdicts (after Holm correction).
    zero_method : str
        How the Wilcoxon test treats pairs with no gap (scipy's ``zero_method``).
    notes : tuple of str
        Codes explaining degenerate items: ``gaps_small_n:<item>``, ``gaps_no_variation:<item>``.
    """

    items: pd.DataFrame
    zero_method: str


def rank_biserial(differences: np.ndarray, zero_method: str = "wilcox") -> float:
    """Matched-pairs rank-biserial correlation (Kerby's simple difference formula).

    ``(R+ - R-) / (R+ + R-)`` where ``R+``/``R-`` are the sums of the ranks of
    ``|d|`` of positive / negative differences. Zero differences are dropped
    before ranking (``"wilcox"``) or ranked and then left out of both sums
    (``"pratt"``); ``"zsplit"`` splits their ranks evenly, which leaves the
    numerator unchanged.

    Parameters
    ----------
    differences : numpy.ndarray
        Paired differences (NaN ignored).
    zero_method : {"wilcox", "pratt", "zsplit"}
        Treatment of zero differences.

    Returns
    -------
    float
        Between -1 and 1; NaN without a non-zero difference.
    """
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d)]
    if zero_method == "wilcox":
        d = d[d != 0]
    if d.size == 0:
        return float("nan")
    ranks = stats.rankdata(np.abs(d))
    plus, minus = ranks[d > 0].sum(), ranks[d < 0].sum()
    total = ranks.sum() if zero_method == "zsplit" else plus + minus
    return float((plus - minus) / total) if total > 0 else float("nan")


def _item_row(pairs: pd.DataFrame, alpha: float, zero_method: str) -> dict[str, Any]:
    e, s = pairs["expectation"].to_numpy(), pairs["satisfaction"].to_numpy()
    d = s - e
    n = int(d.size)
    row: dict[str, Any] = {
        "n": n,
        "mean_expectation": float(e.mean()) if n else np.nan,
        "mean_satisfaction": float(s.mean()) if n else np.nan,
        "mean_gap": float(d.mean()) if n else np.nan,
        "sd_gap": float(d.std(ddof=1)) if n > 1 else np.nan,
        "ci_low": np.nan, "ci_high": np.nan, "t_stat": np.nan, "t_p": np.nan,
        "wilcoxon_stat": np.nan, "wilcoxon_p": np.nan,
        "n_zero": int((d == 0).sum()),
        "cohen_dz": np.nan, "rank_biserial": rank_biserial(d, zero_method),
    }
    if n > 1 and row["sd_gap"] > 0:
        test = stats.ttest_rel(s, e)
        ci = test.confidence_interval(1 - alpha)
        row.update(
            ci_low=float(ci.low), ci_high=float(ci.high), t_stat=float(test.statistic),
            t_p=float(test.pvalue), cohen_dz=row["mean_gap"] / row["sd_gap"],
        )
    if (d != 0).any():
        w = stats.wilcoxon(s, e, zero_method=zero_method)
        row.update(wilcoxon_stat=float(w.statistic), wilcoxon_p=float(w.pvalue))
    for outcome, mask in zip(OUTCOMES, (d > 0, d == 0, d < 0), strict=True):
        count = int(mask.sum())
        row[f"n_{outcome}"] = count
        row[f"{outcome}_share"] = count / n if n else np.nan
        low, high = proportion_interval(count, n, alpha=alpha)
        row[f"{outcome}_low"], row[f"{outcome}_high"] = low, high
    return row


def _check_levels(alpha: float, zero_method: str) -> None:
    check_alpha(alpha)
    if zero_method not in ZERO_METHODS:
        raise DataError("gaps_bad_option", f"unknown zero_method {zero_method!r}",
                        option="zero_method", value=zero_method)


def analyse_gaps(
    answers: GapAnswers, *, alpha: float = ALPHA, zero_method: str = "wilcox"
) -> GapAnalysis:
    """Per-item gap = satisfaction − expectation, tested and sized.

    Only respondents who answered both questions of an item count for it.

    Parameters
    ----------
    answers : GapAnswers
        From :func:`read_gaps`.
    alpha : float
        ``1 - confidence level`` of the paired t interval of the mean gap and of the
        Wilson intervals of the shares, and the significance level of the verdicts.
    zero_method : {"wilcox", "pratt", "zsplit"}
        Pairs with no gap in the Wilcoxon signed-rank test (scipy): ``"wilcox"``
        drops them (as R's ``wilcox.test``), ``"pratt"`` ranks them, then drops them.

    Returns
    -------
    GapAnalysis
    """
    _check_levels(alpha, zero_method)
    pairs = answers.answers.dropna(subset=["expectation", "satisfaction"])
    rows, notes = {}, []
    for item in answers.items:
        rows[item] = _item_row(pairs[pairs["item"] == item], alpha, zero_method)
        if rows[item]["n"] < MIN_PAIRS:
            notes.append(f"gaps_small_n:{item}")
        if rows[item]["n"] > 1 and not np.isfinite(rows[item]["t_p"]):
            notes.append(f"gaps_no_variation:{item}")
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "item"
    table.insert(table.columns.get_loc("t_p") + 1, "t_p_holm", holm(table["t_p"]))
    table.insert(table.columns.get_loc("wilcoxon_p") + 1, "wilcoxon_p_holm", holm(table["wilcoxon_p"]))
    significant = table["t_p_holm"] < alpha
    table["verdict"] = np.select(
        [significant & (table["mean_gap"] > 0), significant & (table["mean_gap"] < 0)],
        ["delights", "disappoints"],
        "no_clear_gap",
    )
    return GapAnalysis(table, zero_method, alpha=alpha, notes=tuple(notes))


