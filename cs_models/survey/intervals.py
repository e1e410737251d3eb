"""Shares with honest intervals: rates, option shares, numeric means, a reference comparison."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.errors import DataError
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha, check_method, proportion_interval
from cs_models.survey.questions import (
    SMALL_BASE,
    Question,
    _question,
    answered,
    choices,
    survey_weights,
)


@dataclass(frozen=True)
class Rate(Result):
    """A proportion with its interval: ``count`` of ``n`` (weighted when ``weighted``)."""

    count: int
    n: int
    share: float
    ci_low: float
    ci_high: float
    n_effective: float
    weighted: bool = False
    method: str = "wilson"

    @property
    def small_base(self) -> bool:
        """Whether the base is below :data:`SMALL_BASE`."""
        return self.n < SMALL_BASE

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form.

        Returns
        -------
        dict
            ``{"count", "n", "share", "ci": [low, high]}``.
        """
        return {"count": self.count, "n": self.n, "share": self.share, "ci": [self.ci_low, self.ci_high]}


@dataclass(frozen=True)
class Shares(Result):
    """Share of respondents choosing each option of one question.

    Attributes
    ----------
    question : Question
        The question the shares are of.
    n : int
        Base: respondents who answered (unweighted).
    n_effective : float
        Kish effective base (``n`` when unweighted).
    table : DataFrame
        One row per option: ``option, count, share, ci_low, ci_high``. Multi-select shares
        sum to more than 1.
    weighted, method : bool, str
    notes : tuple of str
        Codes such as ``"small_base"`` or ``"no_answers"``.
    """

    question: Question
    n: int
    n_effective: float
    table: pd.DataFrame
    weighted: bool
    method: str

    @property
    def small_base(self) -> bool:
        """Whether the base is below :data:`SMALL_BASE`."""
        return self.n < SMALL_BASE


@dataclass(frozen=True)
class NumericSummary(Result):
    """A numeric question: base, mean with a t interval, median and spread."""

    n: int
    mean: float
    ci_low: float
    ci_high: float
    median: float
    std: float
    weighted: bool


@dataclass(frozen=True)
class ReferenceComparison(Result):
    """A share compared with a reference rate typed in by the user.

    ``test`` is ``"binomial"`` (two-sided exact binomial test on the counts, unweighted data) or
    ``"score"`` (weighted data: two-sided score test of the weighted share on Kish's effective
    base). The difference's interval is the share's interval minus the (fixed) reference.
    """

    rate: Rate
    reference: float
    difference: float
    diff_low: float
    diff_high: float
    p_value: float
    test: str = "binomial"


def rate(
    chosen: pd.Series,
    weights: pd.Series | None = None,
    *,
    method: str = "wilson",
    alpha: float = ALPHA,
) -> Rate:
    """Share of ``True`` in a boolean series (the base), optionally weighted.

    With weights the share is ``sum(w * chosen) / sum(w)`` and the interval is computed on
    Kish's effective base ``n_eff = (sum w)^2 / sum(w^2)`` with ``share * n_eff`` successes.

    Parameters
    ----------
    chosen : pandas.Series
        One entry per respondent of the base, truthy when the respondent counts as a success.
    weights : pandas.Series, optional
        Respondent weights indexed like the survey frame (looked up at ``chosen.index``).
    method : {"wilson", "beta", "jeffreys"}
        Interval method of :func:`~cs_models.stats.proportion_interval`.
    alpha : float
        ``1 - confidence level`` of the rate's interval.

    Returns
    -------
    Rate
        Count, base, share and interval; share and interval are NaN for an empty base or zero
        total weight.
    """
    check_method(method)
    chosen = chosen.astype(bool)
    n, count = len(chosen), int(chosen.sum())
    if weights is None:
        share = count / n if n else math.nan
        low, high = proportion_interval(count, n, method=method, alpha=alpha)
        return Rate(count, n, share, low, high, float(n), False, method, alpha=alpha)
    w = weights.loc[chosen.index].astype(float).to_numpy()
    total = w.sum()
    if n == 0 or total <= 0:
        return Rate(count, n, math.nan, math.nan, math.nan, 0.0, True, method, alpha=alpha)
    share = float((w * chosen.to_numpy()).sum() / total)
    n_eff = float(total**2 / (w**2).sum())
    low, high = proportion_interval(share * n_eff, n_eff, method=method, alpha=alpha)
    return Rate(count, n, share, low, high, n_eff, True, method, alpha=alpha)


def _mean_interval(values: np.ndarray, weights: np.ndarray | None, alpha: float) -> tuple[float, float, float, float]:
    """Mean, its t interval and the standard deviation (statsmodels ``DescrStatsW``).

    Weights are sampling weights, not frequencies: they are rescaled to sum to Kish's
    effective base ``(sum w)^2 / sum(w^2)``, so the interval does not depend on their scale
    and equals the unweighted one when all weights are equal.
    """
    if weights is not None:
        if weights.sum() <= 0:
            return math.nan, math.nan, math.nan, math.nan
        weights = weights * weights.sum() / (weights**2).sum()
    from statsmodels.stats.weightstats import DescrStatsW  # lazy: statsmodels takes 1 s to import

    d = DescrStatsW(values, weights=weights)
    if d.sum_weights <= 1:
        return float(d.mean), math.nan, math.nan, float(d.std)
    low, high = d.tconfint_mean(alpha=alpha)
    return float(d.mean), float(low), float(high), float(d.std)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value where the cumulative weight of the sorted values reaches half the total.

    When it reaches exactly half, the midpoint with the next value carrying weight (so equal
    weights give the ordinary median, e.g. 1, 2, 4, 5 → 3).
    """
    keep = weights > 0
    x, w = values[keep], weights[keep]
    if not len(x):
        return math.nan
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cum = np.cumsum(w) / w.sum()
    i = int(np.searchsorted(cum, 0.5 - 1e-12))
    if math.isclose(cum[i], 0.5, rel_tol=0, abs_tol=1e-12) and i + 1 < len(x):
        return float((x[i] + x[i + 1]) / 2)
    return float(x[i])


def shares(
    frame: pd.DataFrame,
    question: Question | str,
    *,
    method: str = "wilson",
    alpha: float = ALPHA,
    weighted: bool = True,
) -> Shares:
    """Share of answering respondents choosing each option, with intervals.

    Parameters
    ----------
    frame : DataFrame
        Canonical survey frame.
    question : Question or str
        The question (or its name, typed by :func:`infer_questions`).
    method : {"wilson", "beta", "jeffreys"}
        Interval method.
    alpha : float
        ``1 - confidence level``.
    weighted : bool
        Use the ``weight`` column when there is one.

    Returns
    -------
    Shares
        One row per option in the question's option order, with the base and notes.
    """
    check_method(method)
    check_alpha(alpha)
    q = _question(frame, question)
    matrix = choices(frame, q)
    weights = survey_weights(frame) if weighted else None
    n = len(matrix)
    rows = []
    n_eff = float(n)
    for option in matrix.columns:
        r = rate(matrix[option], weights, method=method, alpha=alpha)
        n_eff = r.n_effective
        rows.append({"option": option, "count": r.count, "share": r.share, "ci_low": r.ci_low, "ci_high": r.ci_high})
    table = pd.DataFrame(rows, columns=["option", "count", "share", "ci_low", "ci_high"])
    notes = []
    if n == 0:
        notes.append("no_answers")
    elif n < SMALL_BASE:
        notes.append("small_base")
    return Shares(q, n, n_eff, table, weights is not None, method, alpha=alpha, notes=tuple(notes))


def answer_rate(
    frame: pd.DataFrame,
    question: Question | str,
    accepted: Sequence[str],
    *,
    method: str = "wilson",
    alpha: float = ALPHA,
    weighted: bool = True,
) -> Rate:
    """Share of answering respondents who gave any of the ``accepted`` answers.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame, with an optional ``weight`` column.
    question : Question or str
        The question, or the name of one :func:`infer_questions` finds.
    accepted : Sequence[str]
        Options of the question that count as a success (at least one).
    method : {"wilson", "beta", "jeffreys"}
        Interval method of the share.
    alpha : float
        ``1 - confidence level`` of the share's interval.
    weighted : bool
        Weight respondents by the ``weight`` column when the frame has one.

    Returns
    -------
    Rate
        The share among respondents who answered the question.

    Raises
    ------
    DataError
        ``survey_bad_answers`` when ``accepted`` is empty or names an answer the question lacks.
    """
    q = _question(frame, question)
    matrix = choices(frame, q)
    unknown = [a for a in accepted if a not in matrix.columns]
    if not accepted or unknown:
        raise DataError(
            "survey_bad_answers",
            "choose answers of this question",
            column=q.name,
            answers=", ".join(map(str, unknown)),
        )
    chosen = matrix[list(accepted)].any(axis=1)
    weights = survey_weights(frame) if weighted else None
    return rate(chosen, weights, method=method, alpha=alpha)


def numeric_summary(
    frame: pd.DataFrame, question: Question | str, *, alpha: float = ALPHA, weighted: bool = True
) -> NumericSummary:
    """Base, mean with a t interval (statsmodels ``DescrStatsW``), median and standard deviation.

    With weights, the mean, its interval, the median (:func:`_weighted_median`) and the standard
    deviation are all weighted, so the page never shows a weighted mean beside an unweighted median.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame; blank answers are left out of the base.
    question : Question or str
        A numeric or 0–10 (NPS) question, or its name.
    alpha : float
        ``1 - confidence level`` of the mean's t interval.
    weighted : bool
        Weight the mean, interval, median and spread by the ``weight`` column when there is one.

    Returns
    -------
    NumericSummary
        With fewer than two answers the interval and standard deviation are NaN and ``notes``
        holds ``"no_interval"``.

    Raises
    ------
    DataError
        ``survey_not_numeric`` for a question of another kind.
    """
    q = _question(frame, question)
    if q.kind not in ("numeric", "nps"):
        raise DataError("survey_not_numeric", "not a numeric question", column=q.name, kind=q.kind)
    mask = answered(frame, q)
    values = pd.to_numeric(frame.loc[mask, q.columns[0]]).astype(float)
    weights = survey_weights(frame) if weighted else None
    w = None if weights is None else weights.loc[values.index].to_numpy()
    if len(values) < 2:
        mean = float(values.mean()) if len(values) else math.nan
        return NumericSummary(len(values), mean, math.nan, math.nan, mean, math.nan, w is not None, alpha=alpha,
                              notes=("no_interval",))
    mean, low, high, std = _mean_interval(values.to_numpy(), w, alpha)
    median = float(values.median()) if w is None else _weighted_median(values.to_numpy(), w)
    return NumericSummary(len(values), mean, low, high, median, std, w is not None, alpha=alpha)


def compare_to_reference(
    frame: pd.DataFrame,
    question: Question | str,
    accepted: Sequence[str],
    reference: float,
    *,
    method: str = "wilson",
    alpha: float = ALPHA,
    weighted: bool = True,
) -> ReferenceComparison:
    """Compare the share giving ``accepted`` answers with a reference rate (0–1).

    The share is the same one the page shows just before (weighted when the survey has a
    ``weight`` column), so the comparison never switches base silently.

    * Unweighted: two-sided exact binomial test (``scipy.stats.binomtest``) on the counts.
    * Weighted: the exact test needs integer counts of independent draws, which weighted data
      are not; testing the raw counts would test a different (unweighted) share from the one
      shown. Instead the weighted share ``p`` is tested with the two-sided score test on Kish's
      effective base, ``z = (p - p0) / sqrt(p0 (1 - p0) / n_eff)`` — the test whose inversion is
      the Wilson interval used for weighted shares, and the usual design-effect approximation
      (Kish 1965). ``test`` records which one was used so the page can say so.
    * Weighted, but every answering respondent has the same weight: the weighted share is the
      plain ``count / n``, so the exact binomial test is valid and used.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame.
    question : Question or str
        The question whose share is compared, or its name.
    accepted : Sequence[str]
        Answers making up the share, as in :func:`answer_rate`.
    reference : float
        The benchmark rate, strictly between 0 and 1.
    method : {"wilson", "beta", "jeffreys"}
        Interval method of the share, and so of the difference.
    alpha : float
        ``1 - confidence level`` of the difference's interval.
    weighted : bool
        Compare the weighted share (score test) when the frame has a ``weight`` column.

    Returns
    -------
    ReferenceComparison
        The share, its difference from ``reference`` with interval, the p-value and the test used.

    Raises
    ------
    DataError
        ``survey_bad_reference`` for a reference outside (0, 1), ``survey_no_answers`` without a base.
    """
    if not 0 < reference < 1:
        raise DataError("survey_bad_reference", "the reference rate must be between 0% and 100%", reference=reference)
    r = answer_rate(frame, question, accepted, method=method, alpha=alpha, weighted=weighted)
    p_value, test = _reference_test(frame, question, r, reference)
    return ReferenceComparison(
        r, reference, r.share - reference, r.ci_low - reference, r.ci_high - reference, p_value, test, alpha=alpha
    )


def _reference_test(frame: pd.DataFrame, question: Question | str, r: Rate, reference: float) -> tuple[float, str]:
    """Two-sided p-value of ``r`` against ``reference`` and the test's name (``"score"`` or ``"binomial"``).

    The score test on Kish's effective base for a weighted share whose answering respondents'
    weights differ, else the exact binomial test on the counts. Raises ``survey_no_answers`` when
    nobody answered or every answering respondent has weight 0.
    """
    if r.n == 0:
        raise DataError("survey_no_answers", "nobody answered this question", column=str(question))
    base_weights = None
    if r.weighted:
        if not r.n_effective > 0:  # every answering respondent has weight 0
            raise DataError("survey_no_answers", "nobody answered this question", column=str(question))
        q = _question(frame, question)
        base_weights = survey_weights(frame).loc[answered(frame, q)].to_numpy()  # type: ignore[union-attr]
    if base_weights is not None and np.ptp(base_weights) > 0:
        z = (r.share - reference) / math.sqrt(reference * (1 - reference) / r.n_effective)
        p_value, test = float(2 * stats.norm.sf(abs(z))), "score"
    else:
        p_value, test = float(stats.binomtest(r.count, r.n, reference).pvalue), "binomial"
    return p_value, test
