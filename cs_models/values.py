"""Parsers for the values people type into spreadsheets: dates and numbers.

Both parsers take a column as :mod:`cs_models.io` reads it (object dtype: text,
native XLSX values, ``None``) and return a :class:`ParsedColumn` with the parsed
values, which cells are missing, which could not be parsed and why (a reason code
per cell). They never guess: a two-digit year or an impossible date is a failure
with a reason, not a silently wrong value.

Work is done once per *distinct* value (``pandas.factorize``), so a column of a
million rows with a few thousand distinct dates parses in well under a second.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Cell texts that mean "no value" (compared after NFKC and stripping). The texts
#: ``"None"`` and ``"NA"`` are deliberately absent: in a name column they are data.
MISSING_VALUES: frozenset[str] = frozenset(
    {
        "",
        "-",
        "--",
        # Lone dashes typed for "none" in Japanese sheets (after NFKC: full-width "－" is "-",
        # half-width "ｰ" is "ー"): minus sign, hyphen, en/em dash, horizontal bar, long vowel mark.
        "−",
        "‐",
        "–",
        "—",
        "―",
        "ー",
        "#N/A",
        "N/A",
        "n/a",
        "NULL",
        "null",
        "#NULL!",
        "#VALUE!",
        "#DIV/0!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#GETTING_DATA",
    }
)

#: Reason codes a parser may give a cell (``None`` = parsed or missing).
DATE_REASONS: tuple[str, ...] = (
    "date_unparseable",
    "date_two_digit_year",
    "date_ambiguous_order",
    "date_impossible",
    "date_out_of_range",
    "date_before_era",
)
NUMBER_REASONS: tuple[str, ...] = ("number_unparseable",)

#: Japanese eras: name, abbreviation, first day.
ERAS: tuple[tuple[str, str, dt.date], ...] = (
    ("明治", "M", dt.date(1868, 1, 25)),
    ("大正", "T", dt.date(1912, 7, 30)),
    ("昭和", "S", dt.date(1926, 12, 25)),
    ("平成", "H", dt.date(1989, 1, 8)),
    ("令和", "R", dt.date(2019, 5, 1)),
)
_ERA_START = {key: start for name, abbr, start in ERAS for key in (name, abbr)}

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
#: Excel serial numbers accepted as dates: 10000 (1927-05-18) to 2958465 (9999-12-31).
#: Smaller numbers are more likely years or counts than dates, so they are refused.
SERIAL_RANGE: tuple[int, int] = (10_000, 2_958_465)
YEAR_RANGE: tuple[int, int] = (1800, 2200)


@dataclass(frozen=True)
class ParsedColumn:
    """The outcome of parsing one column.

    Attributes
    ----------
    values : pandas.Series
        Parsed values (``datetime64[ns]`` for dates, ``float64`` for numbers), NaT/NaN
        where missing or failed; same index as the input.
    missing : pandas.Series
        Boolean: the cell was empty or one of :data:`MISSING_VALUES`.
    failed : pandas.Series
        Boolean: the cell had a value that could not be parsed.
    reasons : pandas.Series
        Object: a reason code (see :data:`DATE_REASONS`, :data:`NUMBER_REASONS`) where
        ``failed``, else ``None``.
    """

    values: pd.Series
    missing: pd.Series
    failed: pd.Series
    reasons: pd.Series

    @property
    def n_failed(self) -> int:
        """How many cells could not be parsed."""
        return int(self.failed.sum())


class _Missing:
    """Marker result of a per-value parser: the cell holds no value."""


_MISSING = _Missing()


def _clean_text(value: str) -> str:
    # ASCII text is its own NFKC form: only the rest is normalised.
    return (value if value.isascii() else unicodedata.normalize("NFKC", value)).strip()


#: Codes and distinct values of the columns factorised while :func:`factorize_once` is active, by the
#: column's memory (address, stride, length), with the array kept alive so the address stays its own.
_FACTORS: ContextVar[dict[tuple[int, int, int], tuple[Any, np.ndarray, np.ndarray]] | None] = ContextVar(
    "cs_models_factors", default=None)


@contextmanager
def factorize_once() -> Iterator[None]:
    """Within this block each column is factorised once, however many parsers look at it.

    Validation reads a column several times (blanks, numbers, text, dates); each read
    factorises it again. Inside this block :func:`factorize_cells` remembers the codes of the
    columns it has seen (their arrays are held until the block ends).

    Returns
    -------
    Iterator[None]
        A context manager.
    """
    token = _FACTORS.set({})
    try:
        yield
    finally:
        _FACTORS.reset(token)


def factorize_cells(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize`` of a column as object values (NA as ``-1``), once per column in a
    :func:`factorize_once` block.

    Parameters
    ----------
    series : pandas.Series
        Cells of any dtype.

    Returns
    -------
    tuple of numpy.ndarray
        The code of every cell (``-1`` where missing) and the distinct values (object).
    """
    memo = _FACTORS.get()
    # Only object columns are read as they are: ``astype(object)`` turns datetime64 into Timestamps
    # and categoricals into their values, as the parsers expect.
    values = series.to_numpy() if series.dtype == object else series.astype(object).to_numpy()
    key = None
    if memo is not None and series.dtype == object and values.ndim == 1:
        key = (values.__array_interface__["data"][0], values.strides[0], len(values))
        if key in memo:
            return memo[key][1], memo[key][2]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    if memo is not None and key is not None:
        memo[key] = (values, codes, uniques)
    return codes, uniques


def coded_factors(codes: np.ndarray, cleaned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize(cleaned[codes])`` computed from the codes, without hashing a cell per row.

    The readers know each column as codes into its distinct texts (pyarrow's dictionary encoding)
    and those texts cleaned; cleaning may make two texts equal (``ＡＢＣ`` and ``ABC``) or blank
    (``None``), and some texts may be used by no row (the header's). The result is exactly what
    :func:`pandas.factorize` gives for the cells: codes ``-1`` where missing, the distinct values in
    order of first appearance.

    Parameters
    ----------
    codes : numpy.ndarray
        Integer code of each row's cell into ``cleaned`` (``-1``: no value).
    cleaned : numpy.ndarray
        The distinct cells, cleaned (object; ``None`` for a blank).

    Returns
    -------
    tuple of numpy.ndarray
        Codes (``intp``, ``-1`` where missing) and distinct values (object).
    """
    small_codes, small = pd.factorize(np.asarray(cleaned, dtype=object), use_na_sentinel=True)
    lookup = np.append(small_codes, -1).astype(np.intp)  # code -1 (no value) stays -1
    merged = lookup[np.where(codes < 0, len(small_codes), codes)]
    order = pd.unique(merged)  # the codes in order of first appearance (hashing integers, not texts)
    order = order[order >= 0]
    renumber = np.full(len(small) + 1, -1, dtype=np.intp)
    renumber[order] = np.arange(order.size, dtype=np.intp)
    return renumber[merged], np.asarray(small, dtype=object)[order]


def seed_factors(series: pd.Series, codes: np.ndarray, uniques: np.ndarray) -> None:
    """Tell the enclosing :func:`factorize_once` block the factorisation of an object column.

    Parameters
    ----------
    series : pandas.Series
        The column (object dtype); outside a :func:`factorize_once` block nothing happens.
    codes, uniques : numpy.ndarray
        What :func:`pandas.factorize` gives for it (e.g. from :func:`coded_factors`).
    """
    memo = _FACTORS.get()
    if memo is None or series.dtype != object or len(codes) != len(series):
        return
    values = series.to_numpy()
    if values.ndim == 1:
        memo[(values.__array_interface__["data"][0], values.strides[0], len(values))] = (values, codes, uniques)


def is_missing(value: object) -> bool:
    """Whether a single cell holds no value (``None``, NaN, NaT or a missing-value text).

    Parameters
    ----------
    value : object
        One cell as read; text is NFKC-normalised and stripped before it is compared with
        :data:`MISSING_VALUES`.

    Returns
    -------
    bool
        ``True`` for a blank cell, ``False`` for anything holding a value.
    """
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and _clean_text(value) in MISSING_VALUES


def _parse_each(
    series: pd.Series,
    parse_one: Callable[[object], object],
    dtype: str,
    empty: object,
) -> ParsedColumn:
    """Apply ``parse_one`` to each distinct value; it returns a value, ``_MISSING`` or a reason str."""
    index = series.index
    codes, uniques = factorize_cells(series)
    parsed_values: list[object] = []
    reason_of: list[object] = []
    missing_of: list[bool] = []
    for value in uniques:
        out = parse_one(value)
        if out is _MISSING:
            parsed_values.append(empty)
            reason_of.append(None)
            missing_of.append(True)
        elif isinstance(out, _Reason):
            parsed_values.append(empty)
            reason_of.append(out.code)
            missing_of.append(False)
        else:
            parsed_values.append(out)
            reason_of.append(None)
            missing_of.append(False)
    # Position len(uniques) holds what factorize's NA sentinel (-1) maps to.
    parsed_values.append(empty)
    reason_of.append(None)
    missing_of.append(True)
    take = np.where(codes < 0, len(uniques), codes)
    values = pd.Series(pd.Series(parsed_values, dtype=dtype).to_numpy()[take], index=index, dtype=dtype)
    reasons = pd.Series(np.asarray(reason_of, dtype=object)[take], index=index, dtype=object)
    missing = pd.Series(np.asarray(missing_of, dtype=bool)[take], index=index, dtype=bool)
    # ``reasons.notna()``, found per distinct value rather than per row
    failed = pd.Series(np.array([r is not None for r in reason_of], dtype=bool)[take], index=index, dtype=bool)
    return ParsedColumn(values=values, missing=missing, failed=failed, reasons=reasons)


@dataclass(frozen=True)
class _Reason:
    code: str


# ----------------------------------------------------------------------------- dates
# A time of day, optionally with a UTC offset (``2024-04-01T10:00:00Z``, ``+09:00``), as SaaS
# exports write them; the wall-clock time is kept, as for time-zoned native cells.
_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?"
_ISO = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})" + _TIME + r"$")
_KANJI = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日" + _TIME + r"$")
_ERA = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])"
    r"\s*(\d{1,2})\s*日?" + _TIME + r"$",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL_TEXT = re.compile(r"^\d{5,7}(?:\.\d+)?$")
_TWO_DIGIT = re.compile(
    r"^\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2}$|^\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?$"
)
_SLASHED_DMY = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})" + _TIME + r"$")


def _timestamp(y: int, m: int, d: int, hh: str | None = None, mm: str | None = None,
               ss: str | None = None) -> pd.Timestamp | _Reason:
    if not YEAR_RANGE[0] <= y <= YEAR_RANGE[1]:
        return _Reason("date_out_of_range")
    try:
        return pd.Timestamp(dt.datetime(y, m, d, int(hh or 0), int(mm or 0), int(ss or 0)))
    except ValueError:
        return _Reason("date_impossible")


def _from_serial(number: float) -> pd.Timestamp | _Reason:
    if not math.isfinite(number) or not SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
        return _Reason("date_unparseable")
    return pd.Timestamp(EXCEL_EPOCH + dt.timedelta(days=float(number))).round("s")


def _date_from_text(text: str, day_first: bool | None) -> pd.Timestamp | _Reason | _Missing:
    text = _clean_text(text)
    if text in MISSING_VALUES:
        return _MISSING
    for pattern in (_ISO, _KANJI):
        match = pattern.match(text)
        if match:
            y, m, d, hh, mm, ss = match.groups()
            return _timestamp(int(y), int(m), int(d), hh, mm, ss)
    match = _ERA.match(text)
    if match:
        era, year, m, d, hh, mm, ss = match.groups()
        start = _ERA_START[era.upper() if len(era) == 1 else era]
        n = 1 if year == "元" else int(year)
        if n < 1:
            return _Reason("date_impossible")
        stamp = _timestamp(start.year + n - 1, int(m), int(d), hh, mm, ss)
        if isinstance(stamp, pd.Timestamp) and stamp.date() < start:
            return _Reason("date_before_era")
        return stamp
    match = _COMPACT.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _timestamp(year, month, day)
    if _SERIAL_TEXT.match(text):
        return _from_serial(float(text))
    match = _SLASHED_DMY.match(text)
    if match:
        a, b, y, hh, mm, ss = match.groups()
        if day_first is None:
            return _Reason("date_ambiguous_order")
        d, m = (a, b) if day_first else (b, a)
        return _timestamp(int(y), int(m), int(d), hh, mm, ss)
    if _TWO_DIGIT.match(text):
        return _Reason("date_two_digit_year")
    return _Reason("date_unparseable")


def _day_month_flags(uniques: Iterable[object]) -> tuple[bool, bool]:
    """Whether some ``a/b/yyyy`` text has ``a`` above 12, and whether some has ``b`` above 12."""
    first_over_12 = second_over_12 = False
    for value in uniques:
        if not isinstance(value, str):
            continue
        match = _SLASHED_DMY.match(_clean_text(value))
        if match:
            first_over_12 |= int(match.group(1)) > 12
            second_over_12 |= int(match.group(2)) > 12
    return first_over_12, second_over_12


def _infer_day_first(uniques: Iterable[object]) -> bool | None:
    """Day/month order of ``a/b/yyyy`` texts in a column, when the data settle it."""
    first_over_12, second_over_12 = _day_month_flags(uniques)
    if first_over_12 and not second_over_12:
        return True
    if second_over_12 and not first_over_12:
        return False
    return None


def infer_day_first(*columns: pd.Series) -> bool | None:
    """Day/month order of the ``a/b/yyyy`` dates of several columns of one file, when settled.

    ``True`` (d/m) or ``False`` (m/d) when some value has a day above 12 and none
    contradicts it; ``None`` otherwise. Pass it to :func:`parse_dates` so that a column
    of only ``5/1/2024`` next to a start-date column holding ``4/13/2024`` is read m/d.

    Parameters
    ----------
    *columns : pandas.Series
        Date columns of the same file; only their text values are looked at.

    Returns
    -------
    bool or None
        The order all the columns' ``a/b/yyyy`` texts agree on, or ``None`` when unsettled.
    """
    values: set[object] = set()
    for column in columns:
        values.update(v for v in factorize_cells(column)[1] if isinstance(v, str))
    return _infer_day_first(values)


def parse_dates(series: pd.Series, *, day_first: bool | None = None) -> ParsedColumn:
    """Parse a column of dates as people write them in Japanese and English spreadsheets.

    Accepted: native date/datetime cells; ISO and slashed ``2024-04-01``, ``2024/4/1``,
    ``2024.4.1`` (optionally with a time, and a UTC offset as in ``2024-04-01T10:00:00Z``
    or ``+09:00``, whose wall-clock time is kept); ``2024年4月1日``; Japanese eras
    (``令和6年4月1日``, ``R6.4.1``, ``令和元年5月1日``, 平成/昭和/大正/明治, ``H31/4/30``);
    ``20240401`` (text, or a number in a workbook); Excel serial numbers from 10000 to
    2958465 (numbers or text); ``d/m/yyyy`` or ``m/d/yyyy`` only when some value in the
    column (or, via ``day_first``, elsewhere in the file) has a day above 12 and so settles
    the order.

    Refused, with a reason code: two-digit years (``24/4/1``: never guessed),
    impossible dates (``2024-02-30``), dates before their era began (``令和1年1月1日``),
    years outside 1800–2200, ambiguous ``01/02/2024`` columns, anything else.

    Parameters
    ----------
    series : pandas.Series
        Object column as read by :func:`cs_models.io.read_table` (or any values).
    day_first : bool, optional
        Day/month order settled elsewhere in the file (see :func:`infer_day_first`),
        used when the column's own values leave it open.

    Returns
    -------
    ParsedColumn
        ``values`` has dtype ``datetime64[ns]``.

    Examples
    --------
    >>> parse_dates(pd.Series(["令和6年4月1日", 45383, "2024-02-30"])).values.tolist()[:2]
    [Timestamp('2024-04-01 00:00:00'), Timestamp('2024-04-01 00:00:00')]
    """
    uniques = pd.Index(factorize_cells(series)[1], dtype=object)
    first_over_12, second_over_12 = _day_month_flags(uniques)
    if first_over_12 or second_over_12:  # the column settles it (or contradicts itself: None)
        day_first = _infer_day_first(uniques)
    return _parse_each(series, lambda value: _date_cell(value, day_first), "datetime64[ns]", pd.NaT)


def _date_cell(value: object, day_first: bool | None) -> object:
    """One distinct cell of :func:`parse_dates`: a ``Timestamp``, ``_MISSING`` or a :class:`_Reason`."""
    if is_missing(value):
        return _MISSING
    if isinstance(value, bool | np.bool_):
        return _Reason("date_unparseable")
    if isinstance(value, pd.Timestamp | dt.datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        return stamp if YEAR_RANGE[0] <= stamp.year <= YEAR_RANGE[1] else _Reason("date_out_of_range")
    if isinstance(value, dt.date):
        return pd.Timestamp(value.year, value.month, value.day)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if number.is_integer() and 10_000_000 <= number <= 99_999_999:  # 20240401 typed as a number
            return _date_from_text(str(int(number)), day_first)
        return _from_serial(number)
    if isinstance(value, str):
        return _date_from_text(value, day_first)
    return _Reason("date_unparseable")


# ----------------------------------------------------------------------------- numbers
_NUMBER = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$", re.IGNORECASE)
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_CURRENCY = ("¥", "円", "$", "€", "£", "JPY", "USD")
_NEGATIVE_MARKS = ("▲", "△", "-", "−", "▼")


def _number_from_text(text: str) -> float | _Reason | _Missing:
    text = _clean_text(text)
    if text in MISSING_VALUES:
        return _MISSING
    body = re.sub(r"\s+", "", text)
    sign = 1.0
    if body.startswith("(") and body.endswith(")"):
        sign, body = -1.0, body[1:-1]
    for mark in _NEGATIVE_MARKS:
        if body.startswith(mark):
            sign, body = -sign, body[len(mark):]
            break
    if body.startswith("+") and sign > 0:
        body = body[1:]
    scale = 1.0
    if body.endswith("%"):
        scale, body = 0.01, body[:-1]
    for symbol in _CURRENCY:
        if body.startswith(symbol):
            body = body[len(symbol):]
        elif body.endswith(symbol):
            body = body[: -len(symbol)]
    if body.startswith(("-", "−", "▲", "△")) and sign > 0:  # "¥-1,000"
        sign, body = -1.0, body[1:]
    if _GROUPED.match(body):
        body = body.replace(",", "")
    if not _NUMBER.match(body):
        return _Reason("number_unparseable")
    number = float(body)
    if not math.isfinite(number):
        return _Reason("number_unparseable")
    return sign * number * scale


def parse_numbers(series: pd.Series) -> ParsedColumn:
    """Parse a column of numbers and amounts as people write them.

    Accepted: native numbers; texts with full-width digits (NFKC), thousands separators
    (``1,000``; commas elsewhere are refused), currency marks (``￥ ¥ 円 $``), negatives
    written ``-1000``, ``▲1,000``, ``△1,000`` or ``(1,000)``, and percentages
    (``12.5%`` → 0.125). Booleans, ``1,5`` and other text are refused with
    ``number_unparseable``.

    Parameters
    ----------
    series : pandas.Series
        Object column as read by :func:`cs_models.io.read_table` (or any values).

    Returns
    -------
    ParsedColumn
        ``values`` has dtype ``float64``.

    Examples
    --------
    >>> parse_numbers(pd.Series(["￥1,000", "▲500", "(1,000)", "12.5%"])).values.tolist()
    [1000.0, -500.0, -1000.0, 0.125]
    """

    def one(value: object) -> object:
        if is_missing(value):
            return _MISSING
        if isinstance(value, bool | np.bool_):
            return _Reason("number_unparseable")
        if isinstance(value, int | float | np.integer | np.floating):
            number = float(value)
            return number if math.isfinite(number) else _Reason("number_unparseable")
        if isinstance(value, str):
            return _number_from_text(value)
        return _Reason("number_unparseable")

    return _parse_each(series, one, "float64", np.nan)
