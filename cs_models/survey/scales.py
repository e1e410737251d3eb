"""Likert summaries (top-2 / bottom-2 boxes, mean score) and the Net Promoter Score."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.errors import DataError
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha
from cs_models.survey.intervals import Rate, Shares, _mean_interval, rate, shares
from cs_models.survey.questions import (
    SMALL_BASE,
    Question,
    _question,
    answered,
    choices,
    likert_boxes,
    survey_weights,
)


@dataclass(frozen=True)
class Likert(Result):
    """A Likert question: distribution, top-2 box and mean score.

    ``top2_options`` / ``bottom2_options`` are the answers counted in each box.
    """

    shares: Shares
    top2: Rate
    bottom2: Rate
    mean: float
    mean_low: float
    mean_high: float
    n: int
    top2_options: tuple[str, ...] = ()
    bottom2_options: tuple[str, ...] = ()


@dataclass(frozen=True)
class NPS(Result):
    """Net Promoter Score on a 0–10 question (promoters 9–10, detractors 0–6).

    ``nps`` is in points (−100 to 100). Its interval is the adjusted Wald interval of
    Rocks (2016): three pseudo-respondents are added (¾ promoter, ¾ detractor,
    1½ passive) before the trinomial variance formula. ``promoters``, ``passives`` and
    ``detractors`` are respondent counts; with weights, ``table["share"]``,
    :attr:`promoter_share` / :attr:`detractor_share` and ``nps`` are weighted and the
    interval uses Kish's effective base ``n_effective``.
    """

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float
    ci_low: float
    ci_high: float
    table: pd.DataFrame
    weighted: bool = False
    n_effective: float = math.nan

    @property
    def promoter_share(self) -> float:
        """Share of promoters (weighted when :attr:`weighted`)."""
        return float(self.table.loc[self.table["group"] == "promoter", "share"].iloc[0])

    @property
    def detractor_share(self) -> float:
        """Share of detractors (weighted when :attr:`weighted`)."""
        return float(self.table.loc[self.table["group"] == "detractor", "share"].iloc[0])


# ------------------------------------------------------------- Likert, NPS
def likert(
    frame: pd.DataFrame,
    question: Question | str,
    *,
    method: str = "wilson",
    alpha: float = ALPHA,
    weighted: bool = True,
) -> Likert:
    """Distribution, top-2 and bottom-2 box shares with intervals, and the mean score with a t interval.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame.
    question : Question or str
        A question of kind ``"likert"``, or its name.
    method : {"wilson", "beta", "jeffreys"}
        Interval method of the option shares and of both boxes.
    alpha : float
        ``1 - confidence level`` of the box intervals and of the mean's t interval.
    weighted : bool
        Weight the shares, boxes and mean score by the ``weight`` column when there is one.

    Returns
    -------
    Likert
        The distribution, both boxes with the answers in them and the mean score with its
        interval (NaN with fewer than two answers).

    Raises
    ------
    DataError
        ``survey_not_likert`` for a question of another kind.
    """
    q = _question(frame, question)
    if q.kind != "likert":
        raise DataError("survey_not_likert", "not a Likert question", column=q.name, kind=q.kind)
    dist = shares(frame, q, method=method, alpha=alpha, weighted=weighted)
    matrix = choices(frame, q)
    weights = survey_weights(frame) if weighted else None
    top, bottom = likert_boxes(q)
    top2 = _box_rate(matrix, top, weights, method, alpha)
    bottom2 = _box_rate(matrix, bottom, weights, method, alpha)
    score_of = dict(zip(q.options, q.scores, strict=True))
    scores = matrix.idxmax(axis=1).map(score_of).astype(float)
    if len(scores) >= 2:
        w = None if weights is None else weights.loc[scores.index].to_numpy()
        mean, low, high, _ = _mean_interval(scores.to_numpy(), w, alpha)
    else:
        mean = float(scores.mean()) if len(scores) else math.nan
        low = high = math.nan
    return Likert(dist, top2, bottom2, mean, float(low), float(high), len(scores), top, bottom, alpha=alpha)


def _box_rate(
    matrix: pd.DataFrame, box: tuple[str, ...], weights: pd.Series | None, method: str, alpha: float
) -> Rate:
    """Share of respondents whose answer is in ``box`` (zero when the box holds no answer)."""
    return rate(
        matrix[list(box)].any(axis=1) if box else pd.Series(False, index=matrix.index),
        weights,
        method=method,
        alpha=alpha,
    )


def nps(frame: pd.DataFrame, question: Question | str, *, alpha: float = ALPHA, weighted: bool = True) -> NPS:
    """Net Promoter Score of a 0–10 question with the adjusted Wald interval (Rocks 2016).

    With a ``weight`` column (and ``weighted``) the promoter and detractor shares are weighted,
    ``p = sum(w * is_group) / sum(w)``, and the same adjusted Wald formula is applied on Kish's
    effective base ``n_eff = (sum w)^2 / sum(w^2)`` in place of ``n``:
    ``p'_pro = (n_eff p_pro + 3/4) / (n_eff + 3)`` (likewise detractors),
    ``se = sqrt((p'_pro + p'_det - (p'_pro - p'_det)^2) / (n_eff + 3))``. Equal weights give
    ``n_eff = n`` and the unweighted result; multiplying every weight by a constant changes nothing.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame; respondents who left the question blank are not in the base.
    question : Question or str
        A question of kind ``"nps"`` (0–10 integers), or its name.
    alpha : float
        ``1 - confidence level`` of the score's adjusted Wald interval.
    weighted : bool
        Weight the group shares and the score by the ``weight`` column when there is one.

    Returns
    -------
    NPS
        Score and interval in points (NaN when nobody answered, with the note ``"no_answers"``,
        or every weight is zero), the group counts and the group table.

    Raises
    ------
    DataError
        ``survey_not_nps`` for a question of another kind.
    """
    check_alpha(alpha)
    q = _question(frame, question)
    if q.kind != "nps":
        raise DataError("survey_not_nps", "not a 0-10 question", column=q.name, kind=q.kind)
    values = pd.to_numeric(frame.loc[answered(frame, q), q.columns[0]])
    n = len(values)
    is_pro, is_det = (values >= 9).to_numpy(), (values <= 6).to_numpy()
    promoters, detractors = int(is_pro.sum()), int(is_det.sum())
    passives = n - promoters - detractors
    weights = survey_weights(frame) if weighted else None
    w = np.ones(n) if weights is None else weights.loc[values.index].to_numpy(dtype=float)
    p_pro, p_pas, p_det, n_eff, total = _group_shares(is_pro, is_det, w)
    notes = ["small_base"] if n < SMALL_BASE else []
    table = _group_table((promoters, passives, detractors), (p_pro, p_pas, p_det))
    is_weighted = weights is not None
    if n == 0:
        nan = math.nan
        return NPS(0, 0, 0, 0, nan, nan, nan, table, is_weighted, 0.0, alpha=alpha, notes=("no_answers",))
    counts = (n, promoters, passives, detractors)
    if not total > 0:
        nan = math.nan
        return NPS(*counts, nan, nan, nan, table, True, 0.0, alpha=alpha, notes=tuple(notes))
    low, high = _adjusted_wald(p_pro, p_det, n_eff, alpha)
    score = p_pro - p_det
    # The adjusted interval is centred on the adjusted score: with a handful of answers it can
    # miss the observed score (one promoter: 100 with -48.5 to 98.5). Widen it to include it.
    low, high = min(low, score), max(high, score)
    return NPS(
        *counts, 100 * score, 100 * low, 100 * high, table, is_weighted, n_eff, alpha=alpha, notes=tuple(notes)
    )


def _group_shares(
    is_pro: np.ndarray, is_det: np.ndarray, w: np.ndarray
) -> tuple[float, float, float, float, float]:
    """Weighted promoter, passive and detractor shares, Kish's effective base and the total weight.

    The shares and the effective base are NaN when nobody answered or every weight is zero.
    """
    total = float(w.sum())
    if len(w) and total > 0:
        p_pro, p_det = float((w * is_pro).sum() / total), float((w * is_det).sum() / total)
        p_pas = float((w * ~(is_pro | is_det)).sum() / total)
        n_eff = float(total**2 / (w**2).sum())
    else:
        p_pro = p_pas = p_det = n_eff = math.nan
    return p_pro, p_pas, p_det, n_eff, total


def _group_table(counts: tuple[int, int, int], shares: tuple[float, float, float]) -> pd.DataFrame:
    """The :attr:`NPS.table`: ``group, count, share`` of promoters, passives and detractors, in that order."""
    return pd.DataFrame(
        {
            "group": ["promoter", "passive", "detractor"],
            "count": list(counts),
            "share": list(shares),
        }
    )


def _adjusted_wald(p_pro: float, p_det: float, n_eff: float, alpha: float) -> tuple[float, float]:
    """Rocks' (2016) adjusted Wald interval of ``p_pro - p_det`` on the base ``n_eff``, clipped to [-1, 1]."""
    n_adj = n_eff + 3
    a_pro, a_det = (n_eff * p_pro + 0.75) / n_adj, (n_eff * p_det + 0.75) / n_adj
    score_adj = a_pro - a_det
    se = math.sqrt((a_pro + a_det - score_adj**2) / n_adj)
    z = stats.norm.ppf(1 - alpha / 2)
    return float(max(-1.0, score_adj - z * se)), float(min(1.0, score_adj + z * se))
