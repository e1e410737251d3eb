"""Cell values as validation reads them: numbers, dates, ids and text, once per distinct value
(part of :mod:`cs_models.schema`)."""


from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
import pandas as pd

from cs_models.ids import compact_codes
from cs_models.values import factorize_cells, is_missing, parse_dates, parse_numbers

#: Reasons of :func:`cs_models.values.parse_dates` reported under their own issue code.
DATE_ISSUES: Mapping[str, str] = {
    "date_two_digit_year": "two_digit_year",
    "date_ambiguous_order": "ambiguous_date",
}


# ----------------------------------------------------------------------------- values
def _map_unique(series: pd.Series, fn: Callable[[object], Any], dtype: str | type = object) -> pd.Series:
    """``series.map(fn)`` computed once per distinct value (a million rows hold few distinct cells).

    For :data:`_KEEPS_PLAIN_TEXT` functions, distinct texts that are plain (ASCII, no space at
    either end, not a missing-value text; found vectorised) map to themselves without a call.
    """
    return _map_coded(series, fn, dtype)[0]


def _map_ids(series: pd.Series, categorical: bool = False) -> tuple[pd.Series, np.ndarray | None]:
    """IDs as text (:func:`_text_id` per distinct cell) and, when every distinct cell was a plain
    text (so distinct cells are distinct IDs), the code of each row's cell (``-1`` where blank).

    ``categorical``: a column the reader kept as plain texts (:func:`mark_plain`) whose distinct texts
    come sorted (as the readers give them) is returned as a categorical of those texts, what
    :func:`cs_models.ids.categorical_ids` makes of the same IDs, without a Python object per row.
    """
    if categorical and _is_marked(series):
        codes, uniques = factorize_cells(series)
        categories = pd.Index(uniques, dtype=object)
        if len(categories) and categories.is_monotonic_increasing:  # distinct texts: strictly increasing
            dtype = pd.CategoricalDtype(categories, ordered=False)
            return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype, validate=False), index=series.index), codes
    ids, codes, all_plain = _map_coded(series, _text_id, object)
    return ids, (codes if all_plain else None)


#: Within a validation, the keys (see :func:`_key`) of the columns whose distinct cells the reader kept as
#: plain texts (``ReadResult.plain_codes``): :func:`_map_coded` maps them to themselves without a check.
_PLAIN: ContextVar[set[tuple[int, int, int]] | None] = ContextVar("cs_models_plain_columns", default=None)


def _key(series: pd.Series) -> tuple[int, int, int] | None:
    values = series.to_numpy() if series.dtype == object else None
    if values is None or values.ndim != 1:
        return None
    return (values.__array_interface__["data"][0], values.strides[0], len(values))


@contextmanager
def plain_columns() -> Iterator[set[tuple[int, int, int]]]:
    """Within this block, :func:`mark_plain` tells :func:`_map_coded` which columns need no check.

    Returns
    -------
    Iterator[set]
        A context manager (the set of marked columns).
    """
    marked: set[tuple[int, int, int]] = set()
    token = _PLAIN.set(marked)
    try:
        yield marked
    finally:
        _PLAIN.reset(token)


def mark_plain(series: pd.Series) -> None:
    """Record that every distinct cell of ``series`` (object dtype) is a plain text (see ``_PLAIN``).

    Parameters
    ----------
    series : pandas.Series
        A column of the raw table; outside a :func:`plain_columns` block nothing happens.
    """
    marked, key = _PLAIN.get(), _key(series)
    if marked is not None and key is not None:
        marked.add(key)


def _is_marked(series: pd.Series) -> bool:
    """Whether :func:`mark_plain` recorded ``series`` in the enclosing :func:`plain_columns` block."""
    marked = _PLAIN.get()
    return bool(marked) and _key(series) in marked  # type: ignore[operator]


def _map_coded(series: pd.Series, fn: Callable[[object], Any],
               dtype: str | type) -> tuple[pd.Series, np.ndarray, bool]:
    """:func:`_map_unique`, the codes of the cells, and whether every distinct value was kept as plain text."""
    codes, uniques = factorize_cells(series)
    mapped = np.empty(len(uniques) + 1, dtype=dtype)
    todo = np.ones(len(uniques), dtype=bool)
    if fn in _KEEPS_PLAIN_TEXT and _is_marked(series):  # plain texts, as the reader found
        mapped[: len(uniques)] = uniques
        todo[:] = False
    elif fn in _KEEPS_PLAIN_TEXT and len(uniques) and pd.api.types.infer_dtype(uniques, skipna=False) == "string":
        import pyarrow as pa

        from cs_models.io._arrow import plain_texts

        plain = plain_texts(pa.array(uniques, type=pa.string()))
        mapped[: len(uniques)][plain] = uniques[plain]
        todo = ~plain
    mapped[: len(uniques)][todo] = [fn(value) for value in uniques[todo]]
    mapped[len(uniques)] = fn(None)
    values = pd.Series(mapped[np.where(codes < 0, len(uniques), codes)], index=series.index, dtype=dtype)
    return values, codes, not todo.any()


def _compact_factors(codes: np.ndarray, cleaned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A factorisation of ``cleaned[codes]`` when the distinct cells are distinct and none is blank:
    the cells no row uses left out, the others kept in their own order (no hashing, no sort).

    The readers give the distinct texts sorted (:func:`cs_models.io._arrow.sorted_dictionary`), so an ID
    column's texts arrive in the order of its categories (:mod:`cs_models.ids`). Unlike
    :func:`cs_models.values.coded_factors` the distinct values are not in order of first appearance;
    nothing that reads a factorisation depends on that order.
    """
    kept, used = compact_codes(codes, len(cleaned))
    cleaned = np.asarray(cleaned, dtype=object)
    return kept, cleaned if used is None else cleaned[used]


def _blank(series: pd.Series) -> pd.Series:
    """Cells holding no value: empty, ``None``/NaN or a missing-value text (``-``, ``#N/A`` …)."""
    return _map_unique(series, is_missing, bool)


def _numbers(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parsed numbers (float, NaN where blank or invalid) and the mask of invalid cells."""
    parsed = parse_numbers(series)  # both indexed like ``series`` already: not copied again
    return parsed.values, parsed.failed


def _dates(series: pd.Series, day_first: bool | None = None) -> tuple[pd.Series, pd.Series]:
    """Parsed dates (datetime64, NaT where blank or invalid) and the reason code of invalid cells (a
    categorical of the codes found: ``notna`` and ``eq`` compare integer codes, not a text per row)."""
    parsed = parse_dates(series, day_first=day_first)
    rows = np.flatnonzero(parsed.failed.to_numpy(dtype=bool))
    found = [DATE_ISSUES.get(r, "invalid_date") for r in parsed.reasons.to_numpy()[rows]]
    categories = sorted(set(found))
    codes = np.full(len(series), -1, dtype=np.int8)
    codes[rows] = [categories.index(code) for code in found]
    reasons = pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object)),
                        index=series.index)
    return parsed.values, reasons


def _text_id(value: object) -> str | None:
    """An ID as text: whole numbers from spreadsheets lose their ``.0``; blanks are ``None``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    text = (text if text.isascii() else unicodedata.normalize("NFKC", text)).strip()
    return text or None


def _text_cell(value: object) -> str | None:
    """A segment cell as text (``None`` when blank)."""
    if is_missing(value):
        return None
    return str(value).strip() or None


#: Functions that return a plain text (see :func:`_map_unique`) unchanged.
_KEEPS_PLAIN_TEXT = (_text_id, _text_cell)


def _show(value: object) -> str:
    """A cell as a report shows it: dates as ISO, whole numbers without ``.0``, blanks empty."""
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.date().isoformat()
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
