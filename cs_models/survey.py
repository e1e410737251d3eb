"""Survey results: question typing, shares with honest intervals, funnels, crosstabs, Likert, NPS.

A survey frame has one row per respondent and one column per question (blank =
not asked or not answered), plus optional ``respondent_id`` and ``weight``
columns. Every percentage uses as its base the respondents who answered the
question, and the base is always reported.

Intervals for proportions are Wilson 95% intervals by default (Clopper–Pearson
``"beta"`` and ``"jeffreys"`` are selectable; the normal approximation is
refused: it gives an upper bound above 1 at 18/20). Bases under
:data:`SMALL_BASE` are flagged. With a ``weight`` column, shares are weighted
and their intervals use Kish's effective sample size
``n_eff = (sum w)^2 / sum(w^2)``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from cs_models.errors import DataError

# ------------------------------------------------------------------ constants
QUESTION_KINDS: tuple[str, ...] = ("single", "multi", "likert", "numeric", "nps", "text")
CI_METHODS: tuple[str, ...] = ("wilson", "beta", "jeffreys")
SMALL_BASE = 30
ALPHA = 0.05
RESERVED_COLUMNS = ("respondent_id", "weight")
#: Multi-select separators, with their full-width forms.
DELIMITERS: tuple[str, ...] = (";", "、", ",", "/", "|", "；", "，", "／", "｜")
#: Separators between a question and its option in one-0/1-column-per-option layouts.
OPTION_SEPARATOR = re.compile(r"^(?P<prefix>.+?)\s*(?:[_:：|]|\s-\s|\[)\s*(?P<option>[^_:：|\[\]]+?)\]?\s*$")
NPS_HINTS = ("nps", "recommend", "勧め", "推奨", "すすめ", "0-10", "0〜10", "0～10", "0~10")
TEXT_HINTS = (
    "自由記述",
    "自由回答",
    "ご意見",
    "コメント",
    "free text",
    "comment",
    "open-ended",
    "other (please",
)
MULTI_HINTS = ("複数選択", "複数回答", "いくつでも", "select all", "multiple", "all that apply")
MAX_CHOICES = 30
SIGNIFICANCE_MARKS = {1: "▲", -1: "▼"}

#: Known Likert scales, most positive level first; each level lists accepted spellings.
LIKERT_SCALES: tuple[tuple[tuple[str, ...], ...], ...] = (
    (
        ("とてもそう思う", "非常にそう思う", "強くそう思う"),
        ("ややそう思う", "まあそう思う", "どちらかといえばそう思う", "そう思う"),
        ("どちらともいえない", "どちらとも言えない", "どちらでもない"),
        ("あまりそう思わない", "ややそう思わない", "どちらかといえばそう思わない"),
        ("まったくそう思わない", "全くそう思わない", "全然そう思わない", "そう思わない"),
    ),
    (
        ("そう思う",),
        ("ややそう思う", "まあそう思う"),
        ("どちらともいえない", "どちらとも言えない"),
        ("あまりそう思わない", "ややそう思わない"),
        ("そう思わない", "まったくそう思わない", "全くそう思わない"),
    ),
    (
        ("非常に満足", "とても満足", "大変満足"),
        ("満足", "やや満足", "まあ満足"),
        ("どちらともいえない", "普通", "ふつう"),
        ("やや不満", "不満", "あまり満足していない"),
        ("非常に不満", "とても不満", "大変不満"),
    ),
    (("満足",), ("やや満足", "まあ満足"), ("どちらともいえない", "普通", "ふつう"), ("やや不満",), ("不満",)),
    (
        ("とても重要", "非常に重要"),
        ("やや重要", "重要"),
        ("どちらともいえない",),
        ("あまり重要でない",),
        ("まったく重要でない", "全く重要でない"),
    ),
    (
        ("strongly agree",),
        ("agree", "somewhat agree", "tend to agree"),
        ("neither agree nor disagree", "neutral", "neither"),
        ("disagree", "somewhat disagree", "tend to disagree"),
        ("strongly disagree",),
    ),
    (
        ("very satisfied", "extremely satisfied"),
        ("satisfied", "somewhat satisfied"),
        ("neither satisfied nor dissatisfied", "neutral"),
        ("dissatisfied", "somewhat dissatisfied"),
        ("very dissatisfied", "extremely dissatisfied"),
    ),
    (
        ("extremely important", "very important"),
        ("important", "moderately important", "somewhat important"),
        ("slightly important",),
        ("not important", "not at all important"),
    ),
    (
        ("very likely", "extremely likely"),
        ("likely", "somewhat likely"),
        ("neither likely nor unlikely", "neutral", "unsure"),
        ("unlikely", "somewhat unlikely"),
        ("very unlikely", "extremely unlikely"),
    ),
)


# ------------------------------------------------------------------- results
@dataclass(frozen=True)
class Question:
    """One question of a survey and how its answers are read.

    Attributes
    ----------
    name : str
        The question's header (for 0/1 columns per option: their common prefix).
    kind : str
        One of :data:`QUESTION_KINDS`.
    columns : tuple of str
        Source columns (one, or one per option for 0/1 multi-select layouts).
    delimiter : str or None
        Separator of a multi-select answer written in one cell.
    options : tuple of str
        Answer options in display order (Likert: most positive first).
    scores : tuple of float
        Likert: the score of each option (highest = most positive).
    levels : int
        Likert: number of levels of the full scale.
    points : tuple of float
        Likert: every score of the full scale, most positive first, including scores nobody
        chose (top-2 box = the first two, bottom-2 box = the last two).
    """

    name: str
    kind: str
    columns: tuple[str, ...]
    delimiter: str | None = None
    options: tuple[str, ...] = ()
    scores: tuple[float, ...] = ()
    levels: int = 0
    points: tuple[float, ...] = ()


@dataclass(frozen=True)
class Rate:
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
        """JSON-friendly form."""
        return {"count": self.count, "n": self.n, "share": self.share, "ci": [self.ci_low, self.ci_high]}


@dataclass(frozen=True)
class Shares:
    """Share of respondents choosing each option of one question.

    Attributes
    ----------
    question : Question
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
    notes: tuple[str, ...] = ()

    @property
    def small_base(self) -> bool:
        """Whether the base is below :data:`SMALL_BASE`."""
        return self.n < SMALL_BASE


@dataclass(frozen=True)
class FunnelStep:
    """One step of a funnel: a question and the answers that pass it."""

    question: str
    accepted: tuple[str, ...]


@dataclass(frozen=True)
class Funnel:
    """Respondents passing ordered steps.

    ``table`` has one row per step: ``step, question, answered`` (respondents who answered the
    question), ``share, ci_low, ci_high`` (accepted among all who answered that question),
    ``reached`` (passed this and every earlier step), ``conditional, cond_low, cond_high`` (of
    those who reached the previous step and answered) and ``overall, overall_low, overall_high``
    (of the first step's base). Counts (``answered``, ``passed``, ``eligible``, ``reached``) are
    respondents; with ``weighted`` every share and interval is weighted (Kish effective base of
    the share's own base).
    """

    steps: tuple[FunnelStep, ...]
    table: pd.DataFrame
    method: str
    notes: tuple[str, ...] = ()
    weighted: bool = False


@dataclass(frozen=True)
class Crosstab:
    """Question × segment: counts, column percentages and which cells differ.

    Attributes
    ----------
    counts, column_share : DataFrame
        Options (rows) × segments (columns); column shares use each segment's base.
    bases : Series
        Respondents per segment who answered.
    residuals, p_adjusted : DataFrame
        Adjusted (standardised) residuals and their Holm-adjusted two-sided p-values.
    marks : DataFrame
        ``"▲"`` higher / ``"▼"`` lower than expected at Holm-adjusted ``alpha``, else ``""``.
    chi2, dof, p_value : float or None
        Pearson chi-square test of independence (no continuity correction); ``None`` for
        multi-select questions, whose options overlap.
    """

    question: Question
    segment: str
    counts: pd.DataFrame
    column_share: pd.DataFrame
    bases: pd.Series
    residuals: pd.DataFrame
    p_adjusted: pd.DataFrame
    marks: pd.DataFrame
    chi2: float | None
    dof: int | None
    p_value: float | None
    alpha: float
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Likert:
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
class NPS:
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
    notes: tuple[str, ...] = ()
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


@dataclass(frozen=True)
class NumericSummary:
    """A numeric question: base, mean with a t interval, median and spread."""

    n: int
    mean: float
    ci_low: float
    ci_high: float
    median: float
    std: float
    weighted: bool


@dataclass(frozen=True)
class ReferenceComparison:
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


# ------------------------------------------------------------------ helpers
def _norm(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)).casefold())


def _check_method(method: str) -> None:
    if method not in CI_METHODS:
        raise DataError("survey_bad_ci_method", f"unknown interval method {method!r}", method=str(method))


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise DataError("survey_bad_alpha", f"alpha must be between 0 and 1, got {alpha}", alpha=alpha)


def _is_blank(series: pd.Series) -> pd.Series:
    """Missing values and empty or whitespace-only text (checked once per distinct value)."""
    blank = series.isna()
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        empties = [v for v in series.dropna().unique() if isinstance(v, str) and not v.strip()]
        if empties:
            blank |= series.isin(empties)
    return blank


def _answer_counts(series: pd.Series) -> pd.Series:
    """How often each distinct non-blank answer occurs (raw values as the index).

    Typing works on distinct answers, so it costs one hash pass over the column.
    """
    counts = series.value_counts(dropna=True, sort=False)
    blank = [v for v in counts.index if isinstance(v, str) and not v.strip()]
    return counts.drop(blank) if blank else counts


def proportion_interval(
    count: float, nobs: float, *, method: str = "wilson", alpha: float = ALPHA
) -> tuple[float, float]:
    """Confidence interval of ``count / nobs`` (statsmodels' ``proportion_confint``).

    Parameters
    ----------
    count, nobs : float
        Successes and trials (may be fractional for weighted, effective counts).
    method : {"wilson", "beta", "jeffreys"}
        Wilson score (default), Clopper–Pearson exact, or Jeffreys.
    alpha : float
        ``1 - confidence level``.
    """
    _check_method(method)
    _check_alpha(alpha)
    if nobs <= 0:
        return (math.nan, math.nan)
    low, high = proportion_confint(count, nobs, alpha=alpha, method=method)
    return float(max(0.0, low)), float(min(1.0, high))


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
    """
    _check_method(method)
    chosen = chosen.astype(bool)
    n, count = len(chosen), int(chosen.sum())
    if weights is None:
        share = count / n if n else math.nan
        low, high = proportion_interval(count, n, method=method, alpha=alpha)
        return Rate(count, n, share, low, high, float(n), False, method)
    w = weights.loc[chosen.index].astype(float).to_numpy()
    total = w.sum()
    if n == 0 or total <= 0:
        return Rate(count, n, math.nan, math.nan, math.nan, 0.0, True, method)
    share = float((w * chosen.to_numpy()).sum() / total)
    n_eff = float(total**2 / (w**2).sum())
    low, high = proportion_interval(share * n_eff, n_eff, method=method, alpha=alpha)
    return Rate(count, n, share, low, high, n_eff, True, method)


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


def survey_weights(frame: pd.DataFrame) -> pd.Series | None:
    """The ``weight`` column as floats, or ``None``; invalid weights raise :class:`DataError`."""
    if "weight" not in frame:
        return None
    weights = pd.to_numeric(frame["weight"], errors="coerce")
    if weights.isna().any() or (weights < 0).any() or weights.sum() <= 0:
        raise DataError("survey_bad_weights", "weights must be non-negative numbers", column="weight")
    return weights.astype(float)


# ------------------------------------------------------------------- typing
def _match_scale(values: Sequence[str]) -> tuple[tuple[str, ...], tuple[float, ...], int] | None:
    """Observed labels ordered by a known Likert scale, their scores (``k`` .. 1) and the scale's size ``k``."""
    normed = {_norm(v): v for v in values}
    if len(normed) < 2:
        return None
    for scale in LIKERT_SCALES:
        level_of: dict[str, int] = {}
        used: set[int] = set()
        ok = True
        for key in normed:
            level = next((i for i, spellings in enumerate(scale) if key in {_norm(s) for s in spellings}), None)
            if level is None or level in used:
                ok = False
                break
            level_of[key], _ = level, used.add(level)
        if ok:
            ordered = sorted(normed, key=level_of.__getitem__)
            k = len(scale)
            return tuple(normed[o] for o in ordered), tuple(float(k - level_of[o]) for o in ordered), k
    return None


def _binary_column(series: pd.Series) -> bool:
    values = pd.Series(series.dropna().unique())
    if values.empty:
        return False
    if values.dtype == bool:
        return True
    numbers = pd.to_numeric(values, errors="coerce")
    return bool(numbers.notna().all() and numbers.isin([0, 1]).all())


def _parts(value: object, delimiter: str) -> list[str]:
    return [p.strip() for p in str(value).split(delimiter) if p.strip()]


def _token_counts(counts: pd.Series, delimiter: str) -> dict[str, int]:
    """Respondents choosing each option, from the counts of distinct multi-select answers."""
    tokens: dict[str, int] = {}
    for value, count in counts.items():
        for token in dict.fromkeys(_parts(value, delimiter)):
            tokens[token] = tokens.get(token, 0) + int(count)
    return tokens


def _choose_delimiter(counts: pd.Series, hinted: bool) -> str | None:
    text = [str(v) for v in counts.index]
    total = counts.sum()
    best, best_share = None, 0.0
    for delimiter in DELIMITERS:
        share = float(sum(c for v, c in zip(text, counts, strict=True) if delimiter in v) / total)
        if share > best_share:
            best, best_share = delimiter, share
    if best is None:
        return None
    tokens = _token_counts(counts, best)
    if len(tokens) > MAX_CHOICES:
        return None
    if hinted or (best_share >= 0.05 and len(tokens) < len(counts)):
        return best
    return None


def _order_options(counts: Mapping[str, int]) -> tuple[str, ...]:
    """Options by frequency (most chosen first), ties alphabetically."""
    return tuple(sorted(counts, key=lambda o: (-counts[o], o)))


def _stripped_counts(counts: pd.Series) -> dict[str, int]:
    out: dict[str, int] = {}
    for value, count in counts.items():
        key = str(value).strip()
        out[key] = out.get(key, 0) + int(count)
    return out


def _numeric(counts: pd.Series) -> pd.Series | None:
    """The distinct answers as numbers, or ``None`` when some are not numbers."""
    if counts.empty:
        return None
    numbers = pd.to_numeric(pd.Series(counts.index), errors="coerce")
    return numbers if numbers.notna().all() else None


def _scale_points(levels: int) -> tuple[float, ...]:
    """Scores of a ``levels``-point labelled scale, most positive first: ``levels`` .. 1."""
    return tuple(float(k) for k in range(levels, 0, -1))


def _likert_question(
    column: str, options: tuple[str, ...], scores: tuple[float, ...], points: tuple[float, ...]
) -> Question:
    return Question(column, "likert", (column,), options=options, scores=scores, levels=len(points), points=points)


def likert_boxes(question: Question) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Answers in the top-2 and bottom-2 boxes: those scoring one of the scale's two highest
    (lowest) points, ranked on the full scale (:attr:`Question.points`), so a point nobody chose
    still counts as one of the two."""
    points = question.points or _scale_points(question.levels)
    top, bottom = set(points[:2]), set(points[-2:])
    pairs = list(zip(question.options, question.scores, strict=True))
    return tuple(o for o, s in pairs if s in top), tuple(o for o, s in pairs if s in bottom)


def infer_question(frame: pd.DataFrame, column: str) -> Question:
    """Guess how the answers of ``column`` should be read.

    Order of the checks: numbers (0–10 integers with an NPS-like header → ``"nps"``, else
    ``"numeric"``), a known Likert scale, a free-text header, multi-select (a delimiter in
    :data:`DELIMITERS` that splits answers into recurring options), then single choice
    (at most :data:`MAX_CHOICES` distinct answers) or free text.
    """
    if column not in frame:
        raise DataError("survey_unknown_question", f"no column {column!r}", column=str(column))
    counts = _answer_counts(frame[column])
    header = _norm(column)
    numbers = _numeric(counts)
    if numbers is not None:
        integral = bool((numbers == numbers.round()).all())
        in_range = bool(numbers.between(0, 10).all())
        if integral and in_range and any(_norm(h) in header for h in NPS_HINTS):
            return Question(column, "nps", (column,), options=tuple(str(i) for i in range(11)))
        return Question(column, "numeric", (column,))
    stripped = _stripped_counts(counts)
    scale = _match_scale(list(stripped))
    if scale is not None:
        return _likert_question(column, scale[0], scale[1], _scale_points(scale[2]))
    if any(_norm(h) in header for h in TEXT_HINTS) or counts.empty:
        return Question(column, "text", (column,))
    delimiter = _choose_delimiter(counts, any(_norm(h) in header for h in MULTI_HINTS))
    if delimiter is not None:
        options = _order_options(_token_counts(counts, delimiter))
        return Question(column, "multi", (column,), delimiter=delimiter, options=options)
    if len(stripped) <= MAX_CHOICES:
        return Question(column, "single", (column,), options=_order_options(stripped))
    return Question(column, "text", (column,))


def _binary_groups(frame: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for column in frame.columns:
        if column in RESERVED_COLUMNS or not _binary_column(frame[column]):
            continue
        match = OPTION_SEPARATOR.match(str(column))
        if match:
            groups.setdefault(match["prefix"].strip(), []).append((column, match["option"].strip()))
    return {prefix: members for prefix, members in groups.items() if len(members) >= 2}


def infer_questions(frame: pd.DataFrame, overrides: Mapping[str, str] | None = None) -> tuple[Question, ...]:
    """Every question of a survey frame, in sheet order, typed by :func:`infer_question`.

    Columns holding 0/1 answers whose headers share a prefix (``Q4_know-how``,
    ``Q4_people`` …) form one multi-select question named after the prefix.

    Parameters
    ----------
    frame : DataFrame
        Canonical survey frame.
    overrides : mapping of str to str, optional
        Question name -> kind, replacing the guess (see :func:`retype`).
    """
    if frame is None or frame.empty:
        raise DataError("survey_empty", "the survey has no rows")
    grouped = _binary_groups(frame)
    in_group = {c: prefix for prefix, members in grouped.items() for c, _ in members}
    questions: list[Question] = []
    for column in frame.columns:
        if column in RESERVED_COLUMNS:
            continue
        if column in in_group:
            prefix = in_group[column]
            members = grouped[prefix]
            if column == members[0][0]:
                questions.append(
                    Question(prefix, "multi", tuple(c for c, _ in members), options=tuple(o for _, o in members))
                )
            continue
        questions.append(infer_question(frame, str(column)))
    if overrides:
        by_name = {q.name: q for q in questions}
        for name, kind in overrides.items():
            if name not in by_name:
                raise DataError("survey_unknown_question", f"no question {name!r}", column=str(name))
            by_name[name] = retype(frame, by_name[name], kind)
        questions = [by_name[q.name] for q in questions]
    return tuple(questions)


def retype(frame: pd.DataFrame, question: Question, kind: str) -> Question:
    """``question`` read as ``kind`` instead of the inferred type.

    A Likert override of an unknown scale keeps known scales' order, orders numbers from
    high to low, and otherwise keeps the order of first appearance (highest score first).
    """
    if kind not in QUESTION_KINDS:
        raise DataError("survey_bad_kind", f"unknown question type {kind!r}", kind=str(kind))
    if kind == question.kind:
        return question
    if len(question.columns) > 1:
        if kind != "multi":
            raise DataError("survey_bad_override", "0/1 columns can only be multi-select", kind=kind)
        return question
    column = question.columns[0]
    counts = _answer_counts(frame[column])
    if kind in ("numeric", "nps"):
        numbers = _numeric(counts)
        if numbers is None or (kind == "nps" and not numbers.between(0, 10).all()):
            raise DataError("survey_bad_override", f"{column} is not numeric", column=column, kind=kind)
        options = tuple(str(i) for i in range(11)) if kind == "nps" else ()
        return Question(column, kind, (column,), options=options)
    stripped = _stripped_counts(counts)
    if kind == "likert":
        scale = _match_scale(list(stripped))
        if scale is not None:
            return _likert_question(column, scale[0], scale[1], _scale_points(scale[2]))
        numbers = _numeric(counts)
        if numbers is not None:
            ordered = sorted(set(numbers.tolist()), reverse=True)
            labels = {float(v): str(v) for v in counts.index}
            options = tuple(labels.get(float(v), str(v)) for v in ordered)
            if all(float(v).is_integer() for v in ordered):  # every integer between the extremes is a point
                points = tuple(float(v) for v in range(int(ordered[0]), int(ordered[-1]) - 1, -1))
            else:
                points = tuple(map(float, ordered))
            return _likert_question(column, options, tuple(map(float, ordered)), points)
        options = tuple(stripped)  # order of first appearance
        if len(options) > MAX_CHOICES:
            raise DataError("survey_bad_override", "too many answers for a scale", column=column, kind=kind)
        k = len(options)
        return _likert_question(column, options, tuple(float(k - i) for i in range(k)), _scale_points(k))
    if kind == "multi":
        delimiter = _choose_delimiter(counts, hinted=True) or DELIMITERS[0]
        options = _order_options(_token_counts(counts, delimiter))
        return Question(column, "multi", (column,), delimiter=delimiter, options=options)
    if kind == "single":
        if len(stripped) > MAX_CHOICES:
            raise DataError("survey_bad_override", "too many distinct answers", column=column, kind=kind)
        return Question(column, "single", (column,), options=_order_options(stripped))
    return Question(column, "text", (column,))


# ------------------------------------------------------------------ answers
def answered(frame: pd.DataFrame, question: Question) -> pd.Series:
    """Boolean mask of respondents who answered ``question`` (the base of its shares)."""
    mask = pd.Series(False, index=frame.index)
    for column in question.columns:
        mask |= ~_is_blank(frame[column])
    return mask


def choices(frame: pd.DataFrame, question: Question) -> pd.DataFrame:
    """Respondent × option boolean matrix (rows: respondents who answered).

    Single choice and Likert have one ``True`` per row; multi-select any number; NPS and
    numeric questions have no options and raise :class:`DataError`.
    """
    if question.kind in ("numeric", "text"):
        raise DataError("survey_no_options", "this question has no options", column=question.name, kind=question.kind)
    base = answered(frame, question)
    rows = frame.loc[base]
    if question.kind == "multi" and len(question.columns) > 1:
        matrix = {
            option: pd.to_numeric(rows[column], errors="coerce").fillna(0).astype(float) > 0
            for column, option in zip(question.columns, question.options, strict=True)
        }
        return pd.DataFrame(matrix, index=rows.index)
    values = rows[question.columns[0]]
    if question.kind == "nps":
        text = pd.to_numeric(values).round().astype(int).astype(str)
        return pd.DataFrame({o: text == o for o in question.options}, index=rows.index)
    # match on distinct answers, then spread to respondents with isin (one hash pass per option)
    distinct = values.unique()
    if question.kind == "multi":
        delimiter = question.delimiter or DELIMITERS[0]
        holds = {v: set(_parts(v, delimiter)) for v in distinct}
        members = {o: [v for v in distinct if o in holds[v]] for o in question.options}
    else:
        members = {o: [v for v in distinct if str(v).strip() == o] for o in question.options}
    return pd.DataFrame({o: values.isin(members[o]) for o in question.options}, index=rows.index)


def text_answers(frame: pd.DataFrame, question: Question) -> pd.DataFrame:
    """Free-text answers counted: ``answer`` (stripped) and ``count``, most frequent first.

    The counts sum to the base (respondents who answered).
    """
    texts = frame.loc[answered(frame, question), question.columns[0]].astype(str).str.strip()
    return texts.value_counts().rename_axis("answer").reset_index(name="count")


def question_summary(frame: pd.DataFrame, questions: Sequence[Question] | None = None) -> pd.DataFrame:
    """One row per question: ``question, kind, answered`` (the base), ``options`` (how many)."""
    questions = questions if questions is not None else infer_questions(frame)
    return pd.DataFrame(
        [
            {"question": q.name, "kind": q.kind, "answered": int(answered(frame, q).sum()), "options": len(q.options)}
            for q in questions
        ],
        columns=["question", "kind", "answered", "options"],
    )


def _question(frame: pd.DataFrame, question: Question | str) -> Question:
    if isinstance(question, Question):
        return question
    by_name = {q.name: q for q in infer_questions(frame)}
    if question not in by_name:
        raise DataError("survey_unknown_question", f"no question {question!r}", column=str(question))
    return by_name[question]


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
    """
    _check_method(method)
    _check_alpha(alpha)
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
    return Shares(q, n, n_eff, table, weights is not None, method, tuple(notes))


def answer_rate(
    frame: pd.DataFrame,
    question: Question | str,
    accepted: Sequence[str],
    *,
    method: str = "wilson",
    alpha: float = ALPHA,
    weighted: bool = True,
) -> Rate:
    """Share of answering respondents who gave any of the ``accepted`` answers."""
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


# ------------------------------------------------------------------ funnel
def funnel(
    frame: pd.DataFrame,
    steps: Sequence[FunnelStep],
    *,
    method: str = "wilson",
    alpha: float = ALPHA,
    questions: Sequence[Question] | None = None,
    weighted: bool = True,
) -> Funnel:
    """Respondents passing ordered steps, with conditional and overall rates and intervals.

    Step 1's base is everyone who answered its question. A later step's conditional rate
    uses those who reached the previous step and answered this question; its overall rate
    uses step 1's base. ``share`` is the step's rate among everyone who answered its
    question, whatever their earlier answers.

    With a ``weight`` column (and ``weighted``) every rate is weighted like :func:`shares`:
    each is a ratio of weight sums over its own base (a domain estimate), with its interval on
    that base's Kish effective size. This is as sound as the weighted shares (same estimator,
    same approximation) and keeps the funnel's step 1 equal to the share shown for that
    question. Counts (``answered``, ``passed``, ``eligible``, ``reached``) stay respondent counts.
    """
    _check_method(method)
    _check_alpha(alpha)
    if len(steps) < 1:
        raise DataError("survey_funnel_empty", "a funnel needs at least one step")
    by_name = {q.name: q for q in (questions if questions is not None else infer_questions(frame))}
    rows = []
    notes: list[str] = []
    weights = survey_weights(frame) if weighted else None
    reached = pd.Series(True, index=frame.index)
    first_base = 0
    first_index = frame.index[:0]
    for i, step in enumerate(steps, start=1):
        if step.question not in by_name:
            raise DataError("survey_unknown_question", f"no question {step.question!r}", column=step.question)
        q = by_name[step.question]
        matrix = choices(frame, q)
        unknown = [a for a in step.accepted if a not in matrix.columns]
        if not step.accepted or unknown:
            raise DataError(
                "survey_bad_answers",
                "choose answers for every step",
                column=q.name,
                answers=", ".join(unknown),
            )
        passed = matrix[list(step.accepted)].any(axis=1)
        marginal = rate(passed, weights, method=method, alpha=alpha)
        eligible = reached.loc[passed.index]
        conditional = rate(passed[eligible], weights, method=method, alpha=alpha)
        if i == 1:
            first_base, first_index = marginal.n, passed.index
        missing = int(reached.sum()) - conditional.n
        if i > 1 and missing > 0:
            notes.append("funnel_unanswered")
        reached = pd.Series(False, index=frame.index)
        reached.loc[passed[eligible & passed].index] = True
        count = int(reached.sum())
        overall = rate(reached.loc[first_index], weights, method=method, alpha=alpha)
        rows.append(
            {
                "step": i,
                "question": q.name,
                "accepted": list(step.accepted),
                "answered": marginal.n,
                "passed": marginal.count,
                "share": marginal.share,
                "ci_low": marginal.ci_low,
                "ci_high": marginal.ci_high,
                "eligible": conditional.n,
                "reached": count,
                "conditional": conditional.share,
                "cond_low": conditional.ci_low,
                "cond_high": conditional.ci_high,
                "overall": overall.share,
                "overall_low": overall.ci_low,
                "overall_high": overall.ci_high,
            }
        )
    if first_base < SMALL_BASE:
        notes.append("small_base")
    return Funnel(tuple(steps), pd.DataFrame(rows), method, tuple(dict.fromkeys(notes)), weights is not None)


def default_funnel(frame: pd.DataFrame, questions: Sequence[Question] | None = None) -> tuple[FunnelStep, ...]:
    """A funnel that follows the survey's skip logic, or ``()`` when there is none.

    A choice question *gates* a later question when only respondents with some of its
    answers were asked that later question (blank for everyone else). The funnel starts at
    the first gating question and walks forward through the gated respondents: a gating
    question passes the answers that open later questions; a Likert question passes its
    top-2 box. Example (sample survey): aware → sees CS as important → doing or planning it.
    """
    questions = list(questions if questions is not None else infer_questions(frame))
    chooseable = [q for q in questions if q.kind in ("single", "likert")]
    steps: list[FunnelStep] = []
    masks = {q.name: answered(frame, q) for q in questions}
    population = pd.Series(True, index=frame.index)
    for position, q in enumerate(questions):
        if q not in chooseable:
            continue
        asked = masks[q.name] & population
        if steps and masks[q.name][~population].any():
            continue  # asked beyond the funnel's population: not part of this chain
        if asked.sum() == 0:
            continue
        values = frame.loc[asked, q.columns[0]].astype(str).str.strip()
        gate: tuple[str, ...] = ()
        for later in questions[position + 1 :]:
            later_answered = masks[later.name] & asked
            if not later_answered.any():
                continue
            opened = set(values[later_answered[asked]])
            if opened and opened < set(values) and later_answered[asked].sum() == values.isin(opened).sum():
                gate = tuple(o for o in q.options if o in opened)
                break
        if gate:
            steps.append(FunnelStep(q.name, gate))
            population = asked & values.isin(gate).reindex(frame.index, fill_value=False)
        elif steps and q.kind == "likert" and q.levels >= 4:
            top = likert_boxes(q)[0]
            if top:
                steps.append(FunnelStep(q.name, top))
    return tuple(steps) if len(steps) >= 2 else ()


# ---------------------------------------------------------------- crosstab
def segment_candidates(frame: pd.DataFrame, questions: Sequence[Question] | None = None) -> tuple[str, ...]:
    """Single-choice columns with 2 to 12 groups: usable as crosstab segments."""
    questions = questions if questions is not None else infer_questions(frame)
    return tuple(q.name for q in questions if q.kind in ("single", "likert") and 2 <= len(q.options) <= 12)


def _segment_order(labels: Sequence[str]) -> list[str]:
    numbers = [re.search(r"\d+", unicodedata.normalize("NFKC", str(x))) for x in labels]
    if all(numbers):
        return [x for _, x in sorted(zip((int(m.group()) for m in numbers), labels, strict=True))]  # type: ignore[union-attr]
    return list(labels)


def crosstab(
    frame: pd.DataFrame,
    question: Question | str,
    segment: str,
    *,
    alpha: float = ALPHA,
    questions: Sequence[Question] | None = None,
) -> Crosstab:
    """Question × segment with column percentages, a chi-square test and marked cells.

    Cells are marked from adjusted (standardised) residuals, two-sided normal p-values,
    Holm-corrected over all cells. For multi-select questions each option is tested as
    chosen / not chosen × segment, and no overall chi-square is reported.

    Always unweighted, even with a ``weight`` column: Pearson's chi-square and the adjusted
    residuals assume counts of independent draws, and plugging in weighted counts gives wrong
    p-values (a sound weighted test needs a design correction such as Rao–Scott). The page labels
    the crosstab as unweighted.
    """
    _check_alpha(alpha)
    qs = questions if questions is not None else infer_questions(frame)
    q = question if isinstance(question, Question) else {x.name: x for x in qs}.get(question)
    if q is None:
        raise DataError("survey_unknown_question", f"no question {question!r}", column=str(question))
    if segment not in frame:
        raise DataError("survey_unknown_question", f"no column {segment!r}", column=str(segment))
    if segment in q.columns:
        raise DataError("survey_same_segment", "choose a segment other than the question", column=segment)
    if q.kind not in ("single", "likert", "multi", "nps"):
        raise DataError("survey_crosstab_kind", "this question type has no crosstab", column=q.name, kind=q.kind)
    matrix = choices(frame, q)
    seg = frame.loc[matrix.index, segment]
    keep = ~_is_blank(seg)
    matrix, seg = matrix[keep], seg[keep].astype(str).str.strip()
    present = list(seg.value_counts().index)
    segment_question = {x.name: x for x in qs}.get(segment)
    if segment_question is not None and segment_question.kind == "likert":
        groups = [o for o in segment_question.options if o in present]  # scale order
    else:
        groups = _segment_order(present)
    if len(groups) < 2:
        raise DataError("survey_one_segment", "the segment has fewer than two groups", column=segment)
    counts = pd.DataFrame({g: matrix[seg == g].sum(axis=0) for g in groups}).astype(int)
    bases = pd.Series({g: int((seg == g).sum()) for g in groups})
    if q.kind == "nps":
        categories = {"detractor": [str(i) for i in range(7)], "passive": ["7", "8"], "promoter": ["9", "10"]}
        counts = pd.DataFrame({c: counts.loc[v].sum(axis=0) for c, v in categories.items()}).T
    counts = counts.loc[counts.sum(axis=1) > 0]
    share = counts / bases
    notes: list[str] = []
    if q.kind == "multi":
        resid = pd.DataFrame(index=counts.index, columns=groups, dtype=float)
        for option in counts.index:
            two_way = np.vstack([counts.loc[option].to_numpy(), (bases - counts.loc[option]).to_numpy()])
            if (two_way.sum(axis=1) == 0).any():
                resid.loc[option] = 0.0
            else:
                resid.loc[option] = Table(two_way).standardized_resids[0]
        chi2 = dof = p_value = None
        notes.append("multi_no_overall_test")
    else:
        if len(counts) < 2:
            raise DataError("survey_one_answer", "everyone gave the same answer", column=q.name)
        observed = counts.to_numpy()
        result = stats.chi2_contingency(observed, correction=False)
        chi2, p_value, dof = float(result.statistic), float(result.pvalue), int(result.dof)
        if (result.expected_freq < 5).mean() > 0.2:
            notes.append("low_expected")
        resid = pd.DataFrame(Table(observed).standardized_resids, index=counts.index, columns=groups)
    raw_p = 2 * stats.norm.sf(np.abs(resid.to_numpy(dtype=float)))
    adjusted = multipletests(raw_p.ravel(), method="holm")[1].reshape(raw_p.shape)
    p_adj = pd.DataFrame(adjusted, index=counts.index, columns=groups)
    marks = pd.DataFrame(
        np.where(
            adjusted < alpha,
            np.where(resid.to_numpy(dtype=float) > 0, SIGNIFICANCE_MARKS[1], SIGNIFICANCE_MARKS[-1]),
            "",
        ),
        index=counts.index,
        columns=groups,
    )
    if (bases < SMALL_BASE).any():
        notes.append("small_base")
    return Crosstab(
        q,
        segment,
        counts,
        share,
        bases,
        resid.astype(float),
        p_adj,
        marks,
        chi2,
        dof,
        p_value,
        alpha,
        tuple(notes),
    )


# ------------------------------------------------------------- Likert, NPS
def likert(
    frame: pd.DataFrame,
    question: Question | str,
    *,
    method: str = "wilson",
    alpha: float = ALPHA,
    weighted: bool = True,
) -> Likert:
    """Distribution, top-2 and bottom-2 box shares with intervals, and the mean score with a t interval."""
    q = _question(frame, question)
    if q.kind != "likert":
        raise DataError("survey_not_likert", "not a Likert question", column=q.name, kind=q.kind)
    dist = shares(frame, q, method=method, alpha=alpha, weighted=weighted)
    matrix = choices(frame, q)
    weights = survey_weights(frame) if weighted else None
    top, bottom = likert_boxes(q)
    top2 = rate(
        matrix[list(top)].any(axis=1) if top else pd.Series(False, index=matrix.index),
        weights,
        method=method,
        alpha=alpha,
    )
    bottom2 = rate(
        matrix[list(bottom)].any(axis=1) if bottom else pd.Series(False, index=matrix.index),
        weights,
        method=method,
        alpha=alpha,
    )
    score_of = dict(zip(q.options, q.scores, strict=True))
    scores = matrix.idxmax(axis=1).map(score_of).astype(float)
    if len(scores) >= 2:
        w = None if weights is None else weights.loc[scores.index].to_numpy()
        mean, low, high, _ = _mean_interval(scores.to_numpy(), w, alpha)
    else:
        mean = float(scores.mean()) if len(scores) else math.nan
        low = high = math.nan
    return Likert(dist, top2, bottom2, mean, float(low), float(high), len(scores), top, bottom)


def nps(frame: pd.DataFrame, question: Question | str, *, alpha: float = ALPHA, weighted: bool = True) -> NPS:
    """Net Promoter Score of a 0–10 question with the adjusted Wald interval (Rocks 2016).

    With a ``weight`` column (and ``weighted``) the promoter and detractor shares are weighted,
    ``p = sum(w * is_group) / sum(w)``, and the same adjusted Wald formula is applied on Kish's
    effective base ``n_eff = (sum w)^2 / sum(w^2)`` in place of ``n``:
    ``p'_pro = (n_eff p_pro + 3/4) / (n_eff + 3)`` (likewise detractors),
    ``se = sqrt((p'_pro + p'_det - (p'_pro - p'_det)^2) / (n_eff + 3))``. Equal weights give
    ``n_eff = n`` and the unweighted result; multiplying every weight by a constant changes nothing.
    """
    _check_alpha(alpha)
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
    total = float(w.sum())
    if n and total > 0:
        p_pro, p_det = float((w * is_pro).sum() / total), float((w * is_det).sum() / total)
        p_pas = float((w * ~(is_pro | is_det)).sum() / total)
        n_eff = float(total**2 / (w**2).sum())
    else:
        p_pro = p_pas = p_det = n_eff = math.nan
    notes = ["small_base"] if n < SMALL_BASE else []
    table = pd.DataFrame(
        {
            "group": ["promoter", "passive", "detractor"],
            "count": [promoters, passives, detractors],
            "share": [p_pro, p_pas, p_det],
        }
    )
    is_weighted = weights is not None
    if n == 0:
        return NPS(0, 0, 0, 0, math.nan, math.nan, math.nan, table, ("no_answers",), is_weighted, 0.0)
    if not total > 0:
        return NPS(n, promoters, passives, detractors, math.nan, math.nan, math.nan, table, tuple(notes), True, 0.0)
    n_adj = n_eff + 3
    a_pro, a_det = (n_eff * p_pro + 0.75) / n_adj, (n_eff * p_det + 0.75) / n_adj
    score_adj = a_pro - a_det
    se = math.sqrt((a_pro + a_det - score_adj**2) / n_adj)
    z = stats.norm.ppf(1 - alpha / 2)
    low, high = float(max(-1.0, score_adj - z * se)), float(min(1.0, score_adj + z * se))
    score = p_pro - p_det
    return NPS(
        n, promoters, passives, detractors, 100 * score, 100 * low, 100 * high, table, tuple(notes), is_weighted, n_eff
    )


def numeric_summary(
    frame: pd.DataFrame, question: Question | str, *, alpha: float = ALPHA, weighted: bool = True
) -> NumericSummary:
    """Base, mean with a t interval (statsmodels ``DescrStatsW``), median and standard deviation.

    With weights, the mean, its interval, the median (:func:`_weighted_median`) and the standard
    deviation are all weighted, so the page never shows a weighted mean beside an unweighted median.
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
        return NumericSummary(len(values), mean, math.nan, math.nan, mean, math.nan, w is not None)
    mean, low, high, std = _mean_interval(values.to_numpy(), w, alpha)
    median = float(values.median()) if w is None else _weighted_median(values.to_numpy(), w)
    return NumericSummary(len(values), mean, low, high, median, std, w is not None)


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
    """
    if not 0 < reference < 1:
        raise DataError("survey_bad_reference", "the reference rate must be between 0% and 100%", reference=reference)
    r = answer_rate(frame, question, accepted, method=method, alpha=alpha, weighted=weighted)
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
    return ReferenceComparison(
        r, reference, r.share - reference, r.ci_low - reference, r.ci_high - reference, p_value, test
    )


# ------------------------------------------------------------------ report
def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (np.floating, np.integer)):
        return _clean(value.item())
    return value


def report_section(
    datasets: Any,
    *,
    as_of: Any = None,
    method: str = "wilson",
    funnels: Sequence[Sequence[FunnelStep]] | None = None,
    **options: Any,
) -> dict | None:
    """The survey part of ``python -m cs_models report``.

    Returns ``{"questions": {name: {"type", "n", "small_base", "options": {option: {"count", "share",
    "ci": [lo, hi]}}}}, "funnels": [...], "weighted": bool}`` (free text: ``type`` and ``n`` only;
    numeric: ``mean`` and its ``ci``; NPS also ``nps`` and its ``ci``), or ``None`` without a survey.
    With a ``weight`` column every share, NPS and funnel rate is weighted (``"weighted": true``);
    counts stay respondent counts.
    ``funnels`` defaults to the survey's skip-logic funnel (:func:`default_funnel`).
    """
    frame = getattr(datasets, "survey", None)
    if frame is None:
        return None
    questions = infer_questions(frame)
    out: dict[str, Any] = {}
    for q in questions:
        n = int(answered(frame, q).sum())
        entry: dict[str, Any] = {"type": q.kind, "n": n, "small_base": n < SMALL_BASE}
        if q.kind in ("single", "multi", "likert", "nps"):
            s = shares(frame, q, method=method)
            entry["options"] = {
                str(row.option): {
                    "count": int(row.count),
                    "share": _clean(row.share),
                    "ci": [_clean(row.ci_low), _clean(row.ci_high)],
                }
                for row in s.table.itertuples(index=False)
            }
        if q.kind == "likert":
            lk = likert(frame, q, method=method)
            entry["top2"] = {
                "share": _clean(lk.top2.share),
                "ci": [_clean(lk.top2.ci_low), _clean(lk.top2.ci_high)],
            }
            entry["mean"] = {"value": _clean(lk.mean), "ci": [_clean(lk.mean_low), _clean(lk.mean_high)]}
        if q.kind == "nps":
            result = nps(frame, q)
            entry["nps"] = {
                "value": _clean(result.nps),
                "ci": [_clean(result.ci_low), _clean(result.ci_high)],
                "promoters": result.promoters,
                "passives": result.passives,
                "detractors": result.detractors,
            }
        if q.kind == "numeric":
            summary = numeric_summary(frame, q)
            entry["mean"] = {
                "value": _clean(summary.mean),
                "ci": [_clean(summary.ci_low), _clean(summary.ci_high)],
            }
        out[q.name] = entry
    chosen = [tuple(f) for f in funnels] if funnels is not None else [default_funnel(frame, questions)]
    funnel_out = []
    for steps in chosen:
        if not steps:
            continue
        result = funnel(frame, steps, method=method, questions=questions)
        funnel_out.append(
            {
                "steps": [
                    {
                        "question": row.question,
                        "accepted": list(row.accepted),
                        "answered": int(row.answered),
                        "reached": int(row.reached),
                        "share": _clean(row.share),
                        "share_ci": [_clean(row.ci_low), _clean(row.ci_high)],
                        "conditional": _clean(row.conditional),
                        "conditional_ci": [_clean(row.cond_low), _clean(row.cond_high)],
                        "overall": _clean(row.overall),
                        "overall_ci": [_clean(row.overall_low), _clean(row.overall_high)],
                    }
                    for row in result.table.itertuples(index=False)
                ],
                "notes": list(result.notes),
            }
        )
    return {"questions": out, "funnels": funnel_out, "method": method, "weighted": survey_weights(frame) is not None}


__all__ = [
    "CI_METHODS",
    "NPS",
    "QUESTION_KINDS",
    "SMALL_BASE",
    "Crosstab",
    "Funnel",
    "FunnelStep",
    "Likert",
    "NumericSummary",
    "Question",
    "Rate",
    "ReferenceComparison",
    "Shares",
    "answer_rate",
    "answered",
    "choices",
    "compare_to_reference",
    "crosstab",
    "default_funnel",
    "funnel",
    "infer_question",
    "infer_questions",
    "likert",
    "likert_boxes",
    "nps",
    "numeric_summary",
    "proportion_interval",
    "question_summary",
    "rate",
    "report_section",
    "retype",
    "segment_candidates",
    "shares",
    "survey_weights",
    "text_answers",
]
