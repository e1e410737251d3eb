"""Survey questions: constants, known Likert scales, typing a column as a question, its answers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cs_models.errors import DataError

# ------------------------------------------------------------------ constants
QUESTION_KINDS: tuple[str, ...] = ("single", "multi", "likert", "numeric", "nps", "text")
SMALL_BASE = 30
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


# ------------------------------------------------------------------ helpers
def _norm(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)).casefold())


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


def survey_weights(frame: pd.DataFrame) -> pd.Series | None:
    """The ``weight`` column as floats, or ``None``; invalid weights raise :class:`DataError`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame, with or without a ``weight`` column.

    Returns
    -------
    pandas.Series or None
        The weights indexed like ``frame``, scaled so that the largest is 1; ``None`` when there
        is no ``weight`` column.
    """
    if "weight" not in frame:
        return None
    weights = pd.to_numeric(frame["weight"], errors="coerce").astype(float)
    if not np.isfinite(weights).all() or (weights < 0).any() or not weights.max() > 0:
        raise DataError("survey_bad_weights", "weights must be non-negative numbers", column="weight")
    # Every weighted figure is invariant to the weights' scale; dividing by the largest keeps
    # sums of squares finite (a weight of 1e300 overflowed Kish's effective base).
    return weights / weights.max()


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
            level_of[key] = level
            used.add(level)
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
    still counts as one of the two.

    Parameters
    ----------
    question : Question
        A Likert question (its :attr:`~Question.scores` and :attr:`~Question.points` are read).

    Returns
    -------
    tuple[tuple[str, ...], tuple[str, ...]]
        The top-2 answers and the bottom-2 answers, each in option order.
    """
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

    Parameters
    ----------
    frame : pandas.DataFrame
        Survey frame holding the column.
    column : str
        Header of the column to type; its header text also serves as a hint.

    Returns
    -------
    Question
        A one-column question of the guessed kind, with its options in display order.
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

    Returns
    -------
    tuple of Question
        One question per column or group of 0/1 columns (``respondent_id`` and ``weight`` are none).
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

    Parameters
    ----------
    frame : pandas.DataFrame
        Survey frame holding the question's column, whose answers are read again.
    question : Question
        The question as inferred.
    kind : str
        The kind to read it as, one of :data:`QUESTION_KINDS`.

    Returns
    -------
    Question
        A question of ``kind``: ``question`` itself when it already is one.

    Raises
    ------
    DataError
        ``survey_bad_kind`` for an unknown kind, ``survey_bad_override`` for answers not readable so.
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
        return _retype_likert(column, counts, stripped)
    if kind == "multi":
        delimiter = _choose_delimiter(counts, hinted=True) or DELIMITERS[0]
        options = _order_options(_token_counts(counts, delimiter))
        return Question(column, "multi", (column,), delimiter=delimiter, options=options)
    if kind == "single":
        if len(stripped) > MAX_CHOICES:
            raise DataError("survey_bad_override", "too many distinct answers", column=column, kind=kind)
        return Question(column, "single", (column,), options=_order_options(stripped))
    return Question(column, "text", (column,))


def _retype_likert(column: str, counts: pd.Series, stripped: Mapping[str, int]) -> Question:
    """``column`` as a Likert scale: a known scale, else numbers high to low, else answers as first seen."""
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
        raise DataError("survey_bad_override", "too many answers for a scale", column=column, kind="likert")
    k = len(options)
    return _likert_question(column, options, tuple(float(k - i) for i in range(k)), _scale_points(k))


# ------------------------------------------------------------------ answers
def answered(frame: pd.DataFrame, question: Question) -> pd.Series:
    """Boolean mask of respondents who answered ``question`` (the base of its shares).

    Parameters
    ----------
    frame : pandas.DataFrame
        Survey frame holding the question's columns.
    question : Question
        The question; a respondent answered when any of its columns is not blank.

    Returns
    -------
    pandas.Series
        Booleans indexed like ``frame``.
    """
    mask = pd.Series(False, index=frame.index)
    for column in question.columns:
        mask |= ~_is_blank(frame[column])
    return mask


def choices(frame: pd.DataFrame, question: Question) -> pd.DataFrame:
    """Respondent × option boolean matrix (rows: respondents who answered).

    Single choice and Likert have one ``True`` per row; multi-select any number; NPS and
    numeric questions have no options and raise :class:`DataError`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Survey frame holding the question's columns.
    question : Question
        A single-choice, Likert, multi-select or NPS question.

    Returns
    -------
    pandas.DataFrame
        One boolean column per option (in option order), indexed by the answering respondents.
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

    Parameters
    ----------
    frame : pandas.DataFrame
        Survey frame holding the question's column.
    question : Question
        A one-column question, usually of kind ``"text"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``answer`` and ``count``, one row per distinct answer.
    """
    texts = frame.loc[answered(frame, question), question.columns[0]].astype(str).str.strip()
    return texts.value_counts().rename_axis("answer").reset_index(name="count")


def question_summary(frame: pd.DataFrame, questions: Sequence[Question] | None = None) -> pd.DataFrame:
    """One row per question: ``question, kind, answered`` (the base), ``options`` (how many).

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical survey frame.
    questions : Sequence[Question], optional
        Questions to summarise; :func:`infer_questions` of ``frame`` when omitted.

    Returns
    -------
    pandas.DataFrame
        The overview table, in the questions' order.
    """
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
