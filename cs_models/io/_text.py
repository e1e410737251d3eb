"""CSV/TSV/TXT files: encoding, delimiter, fields and clean cells (part of :mod:`cs_models.io`)."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import warnings
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from cs_models.errors import IngestError
from cs_models.io import _arrow
from cs_models.io._arrow import arrow_cells
from cs_models.io._base import DELIMITERS, MAX_CELL_CHARS, MAX_COLUMNS, SCAN_ROWS, _Grid
from cs_models.io._table import _coded_rows, _column_letter
from cs_models.values import MISSING_VALUES


def _decode(data: bytes, name: str) -> tuple[bytes, str]:
    """The text as UTF-8 bytes (no BOM) and its encoding: UTF-8 with BOM, UTF-16 with BOM, UTF-8, cp932."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp932"]
    if candidates != ["utf-16"]:  # UTF-8 text is checked in place (no str of the whole file is made)
        skip = len(codecs.BOM_UTF8) if candidates == ["utf-8-sig"] else 0
        if _valid_utf8(data, skip):
            if b"\x00" in data or _looks_like_markup(data[:4096].decode("utf-8", errors="ignore")):
                raise IngestError("ingest_unsupported_format",
                                  f"{name} is neither a CSV/TSV text file nor an .xlsx workbook.", file=name)
            return (data[skip:] if skip else data), candidates[0]
    error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        if "\x00" in text or _looks_like_markup(text):
            raise IngestError("ingest_unsupported_format",
                              f"{name} is neither a CSV/TSV text file nor an .xlsx workbook.", file=name)
        if encoding == "utf-8":
            return data, encoding
        if encoding == "utf-8-sig":
            return data[len(codecs.BOM_UTF8):], encoding
        return text.lstrip("\ufeff").encode("utf-8"), encoding
    assert error is not None
    row = data[: error.start].count(b"\n") + 1
    raise IngestError(
        "ingest_unknown_encoding",
        f"{name} is not UTF-8, UTF-16 or Shift-JIS (cp932) text (row {row}).",
        file=name, row=row,
    )


def _valid_utf8(data: bytes, skip: int) -> bool:
    """Whether ``data[skip:]`` is valid UTF-8, checked by pyarrow without decoding it (``False`` also
    when pyarrow cannot tell: the caller then decodes)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow comes with streamlit
        return False
    body = memoryview(data)[skip:]
    try:
        offsets = pa.py_buffer(np.array([0, len(body)], dtype=np.int64))
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(body)]).validate(full=True)
    except (pa.ArrowException, ValueError):
        return False
    return True


def _looks_like_markup(text: str) -> bool:
    head = text[:512].lstrip("\ufeff \t\r\n").lower()
    return head.startswith(("<html", "<!doctype", "<?xml", "<table"))


def _sniff_delimiter(sample: str, prefer_tab: bool) -> str:
    """The delimiter that splits the sample's rows most consistently into the most fields.

    Ties go to tab for ``.tsv`` files and UTF-16 text (Excel's "Unicode text"), else to
    the order of :data:`DELIMITERS`.
    """
    order = ("\t", ",", ";", "|") if prefer_tab else DELIMITERS
    best: tuple[float, int, int] = (0.0, 1, 0)
    choice = order[0]
    for rank, delimiter in enumerate(order):
        rows = [r for r in itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter),
                                            SCAN_ROWS * 2) if any(c.strip() for c in r)]
        counts = Counter(len(r) for r in rows)
        if not counts:
            continue
        width, hits = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if width < 2 or hits * 2 <= len(rows):  # must split most rows the same way
            continue
        score = (hits / len(rows), width, -rank)
        if score > best:
            best, choice = score, delimiter
    return choice


def _field_counts(raw: bytes, delimiter: str) -> np.ndarray | None:
    """Fields per record of UTF-8 CSV bytes ending in ``\\n``, honouring double quotes.

    A position is inside quotes when an odd number of ``"`` precede it (a doubled ``""``
    toggles twice), so delimiters and newlines inside quoted cells are not counted. This
    holds when every ``"`` sits at the edge of a cell (as spreadsheet programs write them);
    otherwise (``5" screen`` typed by hand) ``None`` is returned and
    :func:`_exact_field_counts` must be used.
    """
    buf = np.frombuffer(raw, dtype=np.uint8)
    quotes = np.flatnonzero(buf == ord('"'))
    if quotes.size and not _quotes_at_edges(buf, quotes, delimiter):
        return None
    newlines = np.flatnonzero(buf == ord("\n"))
    delims = np.flatnonzero(buf == ord(delimiter))
    del buf
    if quotes.size:
        newlines = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
        delims = delims[np.searchsorted(quotes, delims) % 2 == 0]
    record_of = np.searchsorted(newlines, delims)
    return np.bincount(record_of, minlength=newlines.size)[: newlines.size] + 1


def _quotes_at_edges(buf: np.ndarray, quotes: np.ndarray, delimiter: str) -> bool:
    """Whether every ``"`` (at ``quotes`` in ``buf``) has a delimiter, line end or ``"`` on one side."""
    edges = np.array([ord(delimiter), ord("\n"), ord('"')], dtype=np.uint8)
    before = np.isin(buf[np.maximum(quotes - 1, 0)], edges) | (quotes == 0)
    after = np.isin(buf[np.minimum(quotes + 1, buf.size - 1)], edges) | (quotes == buf.size - 1)
    return bool((before | after).all())


def _all_quotes_at_edges(raw: bytes, delimiter: str) -> bool:
    """:func:`_quotes_at_edges` of the whole text, searched for a ``"`` between two other characters
    by pyarrow's regular expressions (no array of positions is made)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow comes with streamlit
        buf = np.frombuffer(raw, dtype=np.uint8)
        return _quotes_at_edges(buf, np.flatnonzero(buf == ord('"')), delimiter)
    offsets = pa.py_buffer(np.array([0, len(raw)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(raw)])
    inside = f'[^{delimiter}\n"]'  # the delimiters (, \t ; |) are literal in a character class
    return not pc.match_substring_regex(text, f'{inside}"{inside}')[0].as_py()


def _exact_field_counts(raw: bytes, delimiter: str) -> np.ndarray:
    """Fields per record counted by :mod:`csv` (slower; quotes inside cells are literal, as in pandas)."""
    rows = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter=delimiter)
    counts = np.fromiter((len(r) for r in rows), dtype=np.int64)
    return np.where(counts == 0, 1, counts)


def _bad_quotes(name: str) -> IngestError:
    return IngestError("ingest_bad_quotes",
                       f"{name}: a quoted cell is not closed, so its rows cannot be told apart.", file=name)


def _csv_grid(raw: bytes, name: str, *, prefer_tab: bool, fast: bool = True) -> tuple[_Grid, str]:
    """Cells of UTF-8 CSV bytes, with the delimiter and the number of fields of each record.

    ``fast``: split a rectangular table with pyarrow (:mod:`cs_models.io._arrow`); ``False`` always
    takes the straightforward way (pandas), which the tests compare it with.
    """
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if not raw.endswith(b"\n"):
        raw += b"\n"
    cut = raw.rfind(b"\n", 0, 65536)
    sample = raw[: cut + 1] if cut > 0 else raw[:65536]  # a first line longer than 64 KB: its start
    text = sample.decode("utf-8", errors="replace")
    delimiter = _sniff_delimiter(text, prefer_tab)
    if fast and len(raw) >= _arrow.FAST_MIN_BYTES:
        grid = _one_line_records_grid(raw, text, delimiter, name)
        if grid is not None:
            return grid, delimiter
    counts = _field_counts(raw, delimiter)
    if counts is None:
        try:
            counts = _exact_field_counts(raw, delimiter)
        except csv.Error as exc:
            raise _bad_quotes(name) from exc
    width = int(counts.max()) if counts.size else 1
    if width > MAX_COLUMNS:
        raise too_many_columns(name, width, row=int(np.argmax(counts)) + 1)
    if width * counts.size > max(PADDED_CELLS, 4 * int(counts.sum())):
        raise _wide_rows(name, counts)
    if fast and len(raw) >= _arrow.FAST_MIN_BYTES and counts.size and bool((counts == width).all()):
        columns, _ = arrow_cells(raw, delimiter, width, multiline=raw.count(b"\n") != counts.size)
        if columns is not None and all(len(codes) == counts.size for codes, *_ in columns):
            return _coded_grid(columns, counts, name), delimiter
    with warnings.catch_warnings():
        # pandas warns (and drops cells) if a row has more cells than counted: never silently.
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                io.BytesIO(raw), sep=delimiter, header=None, names=range(width), index_col=False,
                dtype=object, keep_default_na=False, na_values=[], na_filter=False, skip_blank_lines=False,
                engine="c", encoding="utf-8", quotechar='"', doublequote=True, escapechar=None,
            )
        except pd.errors.ParserWarning as exc:
            raise _bad_quotes(name) from exc
        except pd.errors.ParserError as exc:
            raise _parser_error(exc, name) from exc
    if len(frame) != counts.size:
        raise _bad_quotes(name)
    cells, occupied, normalised, unwrapped = _clean_columns(frame.to_numpy(dtype=object), name)
    notes = (["text_normalised"] if normalised else []) + (["text_formula_unwrapped"] if unwrapped else [])
    return _Grid(cells=cells, field_counts=counts, notes=notes, occupied=occupied), delimiter


def _one_line_records_grid(raw: bytes, sample: str, delimiter: str, name: str) -> _Grid | None:
    """The fast path without counting fields: pyarrow splits the text when each line is one record.

    Taken when every ``"`` sits at the edge of a cell and pyarrow, splitting the text in lines with
    as many fields as the first line has, finds exactly one record per line (no quoted line break):
    every record then has that number of fields, which is what :func:`_field_counts` would have
    found. Anything else (a ragged or blank row, a quoted line break, a title row) returns ``None``
    and the fields are counted the usual way.
    """
    first = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    width = len(first)
    if not 2 <= width <= MAX_COLUMNS or "\n" not in sample:
        return None
    # the quotes checked and the lines counted while the columns are encoded (the columns are dropped when
    # a quote sits inside a cell)
    columns, checks = arrow_cells(
        raw, delimiter, width, multiline=False,
        meanwhile=(lambda: b'"' not in raw or _all_quotes_at_edges(raw, delimiter), lambda: raw.count(b"\n")))
    if columns is None:
        return None
    quotes_at_edges, lines = checks
    if not quotes_at_edges or not all(len(codes) == lines for codes, *_ in columns):
        return None
    return _coded_grid(columns, np.full(lines, width, dtype=np.int64), name)


def _coded_grid(columns: list[tuple[np.ndarray, np.ndarray, np.ndarray, Any]], counts: np.ndarray,
                name: str) -> _Grid:
    """The grid of columns read as codes: the first rows as cells (to find the header), the rest
    as each column's codes and cleaned distinct texts (the frame is built from them); a column whose
    also keeps its cleaned distinct texts as Arrow strings (they travel as such)."""
    coded: list[tuple[np.ndarray, np.ndarray]] = []
    occupied, normalised, unwrapped = _clean_coded(columns, name, coded)
    notes = (["text_normalised"] if normalised else []) + (["text_formula_unwrapped"] if unwrapped else [])
    head = _coded_rows(coded, 0, HEAD_ROWS)
    changed = [np.flatnonzero(~keep) for _, _, keep, _ in columns]
    # Arrow strings replaced only where cleaning changed a text (a header such as 顧客ID is checked, not changed)
    arrow = [_cleaned_arrow(texts, cleaned, found[[_differs(uniques[k], cleaned[k]) for k in found]])
             for (_, uniques, _, texts), (_, cleaned), found in zip(columns, coded, changed, strict=True)]
    return _Grid(cells=head, field_counts=counts, notes=notes, occupied=occupied, coded=coded,
                 cleaned_codes=changed, arrow_texts=arrow)


def _differs(text: str, cleaned: str | None) -> bool:
    """Whether cleaning changed ``text`` (into another text or ``None``)."""
    return cleaned is None or cleaned != text


def _cleaned_arrow(texts: Any, cleaned: np.ndarray, changed: np.ndarray) -> Any:
    """``cleaned`` (``texts`` with those at ``changed`` cleaned) as Arrow strings, or ``None`` if Arrow cannot."""
    if not changed.size:
        return texts
    import pyarrow as pa
    import pyarrow.compute as pc

    mask = np.zeros(len(texts), dtype=bool)
    mask[changed] = True
    try:
        return pc.replace_with_mask(texts, pa.array(mask), pa.array(cleaned[changed], type=texts.type))
    except (pa.ArrowException, TypeError, ValueError):  # pragma: no cover - cleaned texts are str or None
        return None


#: Rows of a coded grid kept as cells (:attr:`_Grid.cells`): the header is found among them.
HEAD_ROWS = SCAN_ROWS * 2 + 2


#: A grid of more cells than this that would be mostly padding (a few rows far wider than the rest)
#: is refused before it is read: a 270 KB file with one 1,248-cell row took 170 MB to read.
PADDED_CELLS = 1_000_000


def _wide_rows(name: str, counts: np.ndarray) -> IngestError:
    """``ingest_ragged_row`` for the widest row against the usual number of cells near the top."""
    usual, row = int(np.bincount(counts[:SCAN_ROWS]).argmax()), int(np.argmax(counts))
    return IngestError("ingest_ragged_row", f"{name}: row {row + 1} has {int(counts[row])} cells; the header "
                       f"has {usual}.", file=name, row=row + 1, fields=int(counts[row]), expected=usual,
                       count=int((counts > usual).sum()))


def _parser_error(exc: Exception, name: str) -> IngestError:
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if match:
        expected, row, fields = (int(g) for g in match.groups())
        return IngestError("ingest_ragged_row", f"{name}: row {row} has {fields} cells; the header has "
                           f"{expected}.", file=name, row=row, fields=fields, expected=expected, count=1)
    return _bad_quotes(name)


def _clean_text(value: str) -> str | None:
    text = value if value.isascii() else unicodedata.normalize("NFKC", value)
    text = text.strip()
    return None if text in MISSING_VALUES else text


def _is_normalised(value: str) -> bool:
    return value.isascii() or unicodedata.is_normalized("NFKC", value)


def _unwrap_formula(text: str) -> str | None:
    """The text of an Excel text formula ``="007"`` (how exports keep leading zeros), else ``None``.

    Excel shows such a CSV cell as ``007``; read literally, the ID ``="007"`` would match
    no ``007`` in another file.
    """
    if len(text) >= 3 and text.startswith('="') and text.endswith('"'):
        inner = text[2:-1]
        if '"' not in inner.replace('""', ""):
            return inner.replace('""', '"').strip()
    return None


def _clean_columns(cells: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray, bool, bool]:
    """Clean a 2-D object array of texts column by column, once per distinct value.

    Returns the cleaned cells, which of them hold a value, whether NFKC changed any text
    and whether an Excel text formula (``="007"``) was unwrapped. A cell longer than
    :data:`MAX_CELL_CHARS` is refused before it is normalised.
    """
    out = np.empty(cells.shape, dtype=object)
    occupied = np.empty(cells.shape, dtype=bool)
    normalised = unwrapped = False
    missing = MISSING_VALUES
    for j in range(cells.shape[1]):
        codes, uniques = pd.factorize(cells[:, j])
        cleaned: list[str | None] = []
        for k, value in enumerate(uniques):
            text, changed, unwrapped_here = _clean_unique(value, name, codes, k, j, missing)
            normalised, unwrapped = normalised or changed, unwrapped or unwrapped_here
            cleaned.append(text)
        cleaned.append(None)
        take = np.where(codes < 0, len(uniques), codes)
        column = np.asarray(cleaned, dtype=object)
        out[:, j] = column[take]
        occupied[:, j] = np.array([c is not None for c in cleaned], dtype=bool)[take]
    return out, occupied, normalised, unwrapped


def _clean_unique(value: str, name: str, codes: np.ndarray, k: int, j: int,
                  missing: frozenset[str]) -> tuple[str | None, bool, bool]:
    """One distinct text of column ``j`` cleaned; whether NFKC changed it, whether a formula was unwrapped."""
    if len(value) > MAX_CELL_CHARS:
        raise cell_too_long(name, len(value), row=int(np.argmax(codes == k)) + 1, column=j)
    normalised = unwrapped = False
    if not value.isascii():
        nfkc = unicodedata.normalize("NFKC", value)
        normalised = nfkc != value
        value = nfkc
    text = value.strip()
    if text.startswith('="'):
        inner = _unwrap_formula(text)
        if inner is not None:
            text, unwrapped = inner, True
    return (None if text in missing else text), normalised, unwrapped


def _clean_coded(columns: list[tuple[np.ndarray, np.ndarray, np.ndarray, Any]], name: str,
                 coded: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, bool, bool]:
    """:func:`_clean_columns` of columns given as codes and distinct texts (the fast path).

    Distinct texts that need no cleaning (:func:`cs_models.io._arrow.plain_texts`) are kept as
    they are; the others are cleaned one by one exactly as :func:`_clean_columns` does. ``coded``
    receives each column's codes and cleaned distinct texts. Returns which cells hold a value,
    whether NFKC changed any text and whether an Excel text formula was unwrapped.
    """
    n_rows = len(columns[0][0]) if columns else 0
    occupied = np.empty((n_rows, len(columns)), dtype=bool)
    normalised = unwrapped = False
    for j, (codes, uniques, keep, _) in enumerate(columns):
        cleaned = np.empty(len(uniques), dtype=object)
        cleaned[keep] = uniques[keep]
        for k in np.flatnonzero(~keep):
            text, changed, unwrapped_here = _clean_unique(uniques[k], name, codes, int(k), j, MISSING_VALUES)
            normalised, unwrapped = normalised or changed, unwrapped or unwrapped_here
            cleaned[k] = text
        present = ~pd.isna(cleaned)
        occupied[:, j] = present[codes] if not present.all() else True  # no blank text: every cell holds one
        coded.append((codes, cleaned))
    return occupied, normalised, unwrapped


def cell_too_long(name: str, length: int, *, row: int, column: int) -> IngestError:
    """``ingest_cell_too_long`` for the cell at ``row`` (1-based record) and ``column`` (0-based)."""
    letter = _column_letter(column)
    return IngestError("ingest_cell_too_long",
                       f"{name}: the cell in row {row}, column {letter} holds {length:,} characters; "
                       f"a cell may hold {MAX_CELL_CHARS:,}.",
                       file=name, row=row, column=letter, chars=f"{length:,}", limit=f"{MAX_CELL_CHARS:,}")


def too_many_columns(name: str, width: int, *, row: int) -> IngestError:
    """``ingest_too_many_columns``: a table wider than :data:`MAX_COLUMNS`, refused before it is read."""
    return IngestError("ingest_too_many_columns",
                       f"{name}: row {row} has {width:,} columns; the limit is {MAX_COLUMNS:,}.",
                       file=name, row=row, columns=f"{width:,}", limit=f"{MAX_COLUMNS:,}")

