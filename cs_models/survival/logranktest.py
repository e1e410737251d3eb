"""Log-rank test across segments, pairwise with Holm correction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.results import Result
from cs_models.stats import holm
from cs_models.survival.frames import DEFAULT_MAX_GROUPS, _counts, _groups, _validate_frame


@dataclass(frozen=True)
class LogRankResult(Result):
    """Log-rank test of equal survival across groups.

    Attributes
    ----------
    group_column : str
    chi2, df, p : float
        Overall test (NaN with a note when it cannot be computed).
    table : DataFrame
        Indexed by group: ``n, observed, expected`` events.
    pairwise : DataFrame
        ``group_a, group_b, chi2, p, p_holm`` (empty with two or fewer groups).
    notes : tuple of str
        ``single_group``, ``no_events``.
    """

    group_column: str
    chi2: float
    df: int
    p: float
    table: pd.DataFrame
    pairwise: pd.DataFrame



# --------------------------------------------------------------------------- log-rank
def _logrank_stat(d: np.ndarray, r: np.ndarray) -> tuple[float, int, np.ndarray, np.ndarray]:
    """χ², df, observed and expected of the k-sample log-rank test from (T, G) matrices."""
    keep = r.sum(axis=1) > 0
    d, r = d[keep].astype(float), r[keep].astype(float)
    big_d, big_n = d.sum(axis=1), r.sum(axis=1)
    share = r / big_n[:, None]
    observed, expected = d.sum(axis=0), (share * big_d[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(big_n > 1, big_d * (big_n - big_d) / (big_n - 1), 0.0)
    variance = np.diag((w[:, None] * share).sum(axis=0)) - (share * w[:, None]).T @ share
    k = d.shape[1] - 1
    diff = (observed - expected)[:k]
    chi2 = float(diff @ np.linalg.pinv(variance[:k, :k]) @ diff)
    return chi2, k, observed, expected


def logrank(frame: pd.DataFrame, group: str, *, max_groups: int = DEFAULT_MAX_GROUPS) -> LogRankResult:
    """Log-rank test of equal survival across the levels of ``group``.

    With more than two groups, each pair is also tested and the p-values are
    Holm-corrected (:func:`holm`).

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`durations`.
    group : str
        Segment column (levels pooled as in :func:`kaplan_meier`).
    max_groups : int
        Most groups compared.

    Returns
    -------
    LogRankResult
    """
    t, e = _validate_frame(frame)
    g = _groups(frame, group, max_groups)
    counts = _counts(t, e, g.codes, len(g.labels))
    table = pd.DataFrame({"n": counts.n}, index=pd.Index(g.labels, name="group"))
    empty = pd.DataFrame(columns=["group_a", "group_b", "chi2", "p", "p_holm"])
    present = np.flatnonzero(counts.n > 0)
    if len(present) < 2:
        table["observed"], table["expected"] = counts.events.sum(axis=0), np.nan
        return LogRankResult(group, np.nan, 0, np.nan, table, empty, notes=("single_group",))
    if counts.events.sum() == 0:
        table["observed"], table["expected"] = 0, 0.0
        return LogRankResult(group, np.nan, len(present) - 1, np.nan, table, empty, notes=("no_events",))
    chi2, df, observed, expected = _logrank_stat(counts.events, counts.at_risk)
    table["observed"], table["expected"] = observed, expected
    pairs = []
    if len(present) > 2:
        for a_pos, a in enumerate(present):
            for b in present[a_pos + 1 :]:
                cols = [a, b]
                pc, pdf, _, _ = _logrank_stat(counts.events[:, cols], counts.at_risk[:, cols])
                pairs.append((g.labels[a], g.labels[b], pc, float(stats.chi2.sf(pc, pdf))))
    pairwise = pd.DataFrame(pairs, columns=["group_a", "group_b", "chi2", "p"]) if pairs else empty
    if pairs:
        pairwise["p_holm"] = holm(pairwise["p"].to_numpy())
    return LogRankResult(group, chi2, df, float(stats.chi2.sf(chi2, df)), table, pairwise)
