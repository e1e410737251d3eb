"""Read the spreadsheets people bring: file bytes in, one clean table out.

:func:`read_table` takes the bytes and name of a CSV/TSV/TXT or XLSX file and
returns a :class:`ReadResult`: the table's cells (object dtype, indexed by the row
number the user sees in Excel) and what was found on the way: encoding, delimiter,
sheet, header row, blank rows dropped and the fixes applied (``notes``).

Everything a user can get wrong raises :class:`cs_models.errors.IngestError` with a
stable code (``ingest_*``, translated in ``locales/*/ingest.toml``), the file name
and, where it applies, the spreadsheet row and column. Nothing else escapes:
unexpected parser failures are wrapped as ``ingest_unreadable``.

Cells
-----
- Text is NFKC-normalised (``１，０００`` → ``1,000``, ``ｶﾌﾞｼｷ`` → ``カブシキ``) and
  stripped; texts in :data:`cs_models.values.MISSING_VALUES` and empty cells become
  ``None``. ``"None"`` and ``"NA"`` stay text: in a name column they are data.
- CSV cells written as Excel text formulas (``="007"``, how exports protect leading
  zeros) are read as the text Excel shows (``007``; note ``text_formula_unwrapped``).
- CSV cells are always text, so IDs keep their leading zeros; XLSX cells keep their
  native types (``str``, ``int`` for whole numbers, ``float``, ``bool``,
  ``datetime.datetime``, ``datetime.time``).
- Use :mod:`cs_models.values` to parse dates and numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import posixpath
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

import numpy as np
import pandas as pd
import python_calamine

from cs_models.errors import IngestError
from cs_models.values import MISSING_VALUES

#: Largest file accepted by default (bytes); Streamlit's upload limit is 200 MB.
MAX_BYTES = 200 * 1024 * 1024
#: Largest total uncompressed size of an XLSX (bytes).
MAX_UNCOMPRESSED = 1024 * 1024 * 1024
#: Largest compression ratio of an XLSX whose content exceeds :data:`RATIO_FLOOR` bytes.
MAX_RATIO = 200
RATIO_FLOOR = 20 * 1024 * 1024
#: Largest sheet area (rows x columns from A1 to the last used cell) we load.
MAX_CELLS = 20_000_000
#: A sheet spanning more than this many cells must fill at least 1 in :data:`MAX_SPARSITY`
#: of them: a stray value at row 1,000,000 would make the reader build a million empty rows.
SPARSE_FLOOR = 2_000_000
MAX_SPARSITY = 20
#: Rows looked at to find the header and the delimiter.
SCAN_ROWS = 30
DELIMITERS: tuple[str, ...] = (",", "\t", ";", "|")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
WORKBOOK_PARTS = ("xl/workbook.xml", "xl/workbook.bin")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", "")

#: Codes that may appear in :attr:`ReadResult.notes` (translated as ``ingest.note_<code>``).
NOTE_CODES: tuple[str, ...] = (
    "csv_renamed_xlsx",
    "xlsx_renamed_csv",
    "merged_header_flattened",
    "blank_columns_dropped",
    "text_normalised",
    "text_formula_unwrapped",
)


@dataclass(frozen=True)
class ReadResult:
    """One table read from one file.

    Attributes
    ----------
    frame : pandas.DataFrame
        The table's cells, object dtype, columns named by the header; the index is the
        1-based row number the user sees in Excel (named ``"row"``).
    file : str
        File name as given.
    kind : {"csv", "xlsx"}
        How the file was read (by content, not by name).
    encoding : str or None
        Text encoding of a CSV: ``"utf-8-sig"``, ``"utf-8"``, ``"cp932"`` or ``"utf-16"``.
    delimiter : str or None
        Field separator of a CSV.
    sheet : str or None
        Sheet read from an XLSX.
    sheets : tuple of str
        Visible worksheets of an XLSX, for a chooser (empty for CSV).
    header_row : int
        1-based row of the header (the first of two rows when a merged header was flattened).
    header_rows : int
        1, or 2 when a two-row merged header was flattened.
    blank_rows_dropped : int
        Blank rows below the header that were dropped (not counted in ``rows_read``).
    rows_read : int
        Rows in ``frame``.
    notes : tuple of str
        Codes of fixes applied (see :data:`NOTE_CODES`).
    """

    frame: pd.DataFrame
    file: str
    kind: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sheets: tuple[str, ...]
    header_row: int
    blank_rows_dropped: int
    rows_read: int
    notes: tuple[str, ...] = ()
    header_rows: int = 1


#: Exceptions that stop the program rather than describe the file: never wrapped.
_NOT_OURS = (KeyboardInterrupt, SystemExit, GeneratorExit)


@dataclass
class _Grid:
    """Raw cells of a file before the header is found (internal)."""

    cells: np.ndarray  # 2-D object array, row i = spreadsheet row i + 1
    field_counts: np.ndarray | None = None  # CSV: fields per record, for the ragged-row check
    notes: list[str] = field(default_factory=list)
    occupied: np.ndarray | None = None  # which cells hold a value, when already known


# ----------------------------------------------------------------------------- public API
def read_table(
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    max_bytes: int = MAX_BYTES,
) -> ReadResult:
    """Read one CSV/TSV/TXT or XLSX file into a table.

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str
        Its name (used for messages and as a hint; the content decides the format).
    sheet : str, optional
        Worksheet to read; default: the first visible one.
    header_row : int, optional
        1-based row of the header; default: detected (title rows above are skipped).
    max_bytes : int
        Files larger than this are refused (``ingest_too_large``).

    Returns
    -------
    ReadResult

    Raises
    ------
    IngestError
        With one of the ``ingest_*`` codes; never anything else.
    """
    name = PurePath(str(filename)).name or str(filename)
    try:
        return _read(bytes(data), name, sheet=sheet, header_row=header_row, max_bytes=max_bytes)
    except IngestError:
        raise
    except BaseException as exc:  # the contract: nothing but IngestError escapes
        if isinstance(exc, _NOT_OURS):
            raise
        raise IngestError(
            "ingest_unreadable",
            f"{name} could not be read ({type(exc).__name__}).",
            file=name,
            detail=type(exc).__name__,
        ) from exc


def read_tables(files: Sequence[tuple[bytes, str]]) -> list[ReadResult]:
    """Read several files (``(data, filename)`` pairs) with :func:`read_table` defaults.

    Raises the first file's :class:`IngestError`; call :func:`read_table` per file to
    collect every error.
    """
    return [read_table(data, filename) for data, filename in files]


# ----------------------------------------------------------------------------- dispatch
def _read(data: bytes, name: str, *, sheet: str | None, header_row: int | None,
          max_bytes: int) -> ReadResult:
    if len(data) > max_bytes:
        raise IngestError(
            "ingest_too_large",
            f"{name} is {_mb(len(data))} MB; the limit is {_mb(max_bytes)} MB.",
            file=name, size_mb=_mb(len(data)), limit_mb=_mb(max_bytes),
        )
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise IngestError("ingest_empty_file", f"{name} is empty.", file=name)
    if data.startswith(OLE2_MAGIC):
        raise IngestError(
            "ingest_xls_or_encrypted",
            f"{name} is an old .xls or a password-protected workbook; save it as .xlsx without a password.",
            file=name,
        )
    suffix = PurePath(name).suffix.lower()
    if data.startswith(ZIP_MAGIC):
        grid, sheet_name, sheets = _xlsx_grid(data, name, sheet)
        if suffix in (".csv", ".tsv", ".txt"):
            grid.notes.append("xlsx_renamed_csv")
        return _table(grid, name, kind="xlsx", encoding=None, delimiter=None, sheet=sheet_name,
                      sheets=sheets, header_row=header_row)
    raw, encoding = _decode(data, name)  # a text file has no sheets: ``sheet`` does not apply
    grid, delimiter = _csv_grid(raw, name, prefer_tab=suffix in (".tsv", ".tab") or encoding == "utf-16")
    if suffix in (".xlsx", ".xlsm"):
        grid.notes.append("csv_renamed_xlsx")
    return _table(grid, name, kind="csv", encoding=encoding, delimiter=delimiter, sheet=None, sheets=(),
                  header_row=header_row)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


# ----------------------------------------------------------------------------- text files
def _decode(data: bytes, name: str) -> tuple[bytes, str]:
    """The text as UTF-8 bytes (no BOM) and its encoding: UTF-8 with BOM, UTF-16 with BOM, UTF-8, cp932."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp932"]
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
    if quotes.size:
        edges = np.array([ord(delimiter), ord("\n"), ord('"')], dtype=np.uint8)
        before = np.isin(buf[np.maximum(quotes - 1, 0)], edges) | (quotes == 0)
        after = np.isin(buf[np.minimum(quotes + 1, buf.size - 1)], edges) | (quotes == buf.size - 1)
        if not (before | after).all():
            return None
    newlines = np.flatnonzero(buf == ord("\n"))
    delims = np.flatnonzero(buf == ord(delimiter))
    del buf
    if quotes.size:
        newlines = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
        delims = delims[np.searchsorted(quotes, delims) % 2 == 0]
    record_of = np.searchsorted(newlines, delims)
    return np.bincount(record_of, minlength=newlines.size)[: newlines.size] + 1


def _exact_field_counts(raw: bytes, delimiter: str) -> np.ndarray:
    """Fields per record counted by :mod:`csv` (slower; quotes inside cells are literal, as in pandas)."""
    rows = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter=delimiter)
    counts = np.fromiter((len(r) for r in rows), dtype=np.int64)
    return np.where(counts == 0, 1, counts)


def _bad_quotes(name: str) -> IngestError:
    return IngestError("ingest_bad_quotes",
                       f"{name}: a quoted cell is not closed, so its rows cannot be told apart.", file=name)


def _csv_grid(raw: bytes, name: str, *, prefer_tab: bool) -> tuple[_Grid, str]:
    """Cells of UTF-8 CSV bytes, with the delimiter and the number of fields of each record."""
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if not raw.endswith(b"\n"):
        raw += b"\n"
    cut = raw.rfind(b"\n", 0, 65536)
    sample = raw[: cut + 1] if cut > 0 else raw
    delimiter = _sniff_delimiter(sample.decode("utf-8", errors="replace"), prefer_tab)
    counts = _field_counts(raw, delimiter)
    if counts is None:
        try:
            counts = _exact_field_counts(raw, delimiter)
        except csv.Error as exc:
            raise _bad_quotes(name) from exc
    width = int(counts.max()) if counts.size else 1
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
    cells, occupied, normalised, unwrapped = _clean_columns(frame.to_numpy(dtype=object))
    notes = (["text_normalised"] if normalised else []) + (["text_formula_unwrapped"] if unwrapped else [])
    return _Grid(cells=cells, field_counts=counts, notes=notes, occupied=occupied), delimiter


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


def _clean_columns(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool, bool]:
    """Clean a 2-D object array of texts column by column, once per distinct value.

    Returns the cleaned cells, which of them hold a value, whether NFKC changed any text
    and whether an Excel text formula (``="007"``) was unwrapped.
    """
    out = np.empty(cells.shape, dtype=object)
    occupied = np.empty(cells.shape, dtype=bool)
    normalised = unwrapped = False
    missing = MISSING_VALUES
    for j in range(cells.shape[1]):
        codes, uniques = pd.factorize(cells[:, j])
        cleaned: list[str | None] = []
        for value in uniques:
            if not value.isascii():
                nfkc = unicodedata.normalize("NFKC", value)
                normalised = normalised or nfkc != value
                value = nfkc
            text = value.strip()
            if text.startswith('="'):
                inner = _unwrap_formula(text)
                if inner is not None:
                    text, unwrapped = inner, True
            cleaned.append(None if text in missing else text)
        cleaned.append(None)
        take = np.where(codes < 0, len(uniques), codes)
        column = np.asarray(cleaned, dtype=object)
        out[:, j] = column[take]
        occupied[:, j] = np.array([c is not None for c in cleaned], dtype=bool)[take]
    return out, occupied, normalised, unwrapped


# ----------------------------------------------------------------------------- workbooks
def _xlsx_grid(data: bytes, name: str, sheet: str | None) -> tuple[_Grid, str, tuple[str, ...]]:
    _check_zip(data, name)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = list(book.sheets_metadata)
    except python_calamine.PasswordError as exc:
        raise IngestError("ingest_xls_or_encrypted", f"{name} is password-protected.", file=name) from exc
    except BaseException as exc:  # calamine raises several types (a Rust panic is a BaseException)
        if isinstance(exc, _NOT_OURS):
            raise
        raise _corrupt(name) from exc
    worksheets = [m for m in metadata if str(m.typ).endswith("WorkSheet")]
    visible = tuple(m.name for m in worksheets if str(m.visible).endswith(".Visible"))
    if sheet is None:
        if not (visible or worksheets):
            raise IngestError("ingest_empty_file", f"{name} has no worksheet.", file=name)
        sheet = visible[0] if visible else worksheets[0].name
    elif sheet not in [m.name for m in worksheets]:
        raise IngestError("ingest_unknown_sheet", f"{name} has no sheet {sheet!r}.", file=name,
                          sheet=sheet, sheets=", ".join(visible))
    try:
        _check_sheet_area(data, name, sheet)
    except IngestError:
        raise
    except Exception as exc:  # a damaged part (bad CRC, truncated stream) while scanning
        raise _corrupt(name) from exc
    try:
        cells = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except BaseException as exc:  # calamine raises several types (a Rust panic is a BaseException)
        if isinstance(exc, _NOT_OURS):
            raise
        raise _corrupt(name) from exc
    width = max((len(row) for row in cells), default=0)
    grid = np.full((len(cells), width), None, dtype=object)
    texts: dict[str, str | None] = {}  # each distinct text is cleaned once
    for i, row in enumerate(cells):
        grid[i, : len(row)] = [
            (texts[v] if v in texts else texts.setdefault(v, _clean_text(v))) if isinstance(v, str)
            else _clean_cell(v)
            for v in row
        ]
    notes = [] if all(_is_normalised(v) for v in texts) else ["text_normalised"]
    return _Grid(cells=grid, notes=notes), sheet, visible


def _corrupt(name: str) -> IngestError:
    return IngestError("ingest_corrupt_xlsx",
                       f"{name} is damaged or incomplete; open it in Excel and save it again.", file=name)


def _check_zip(data: bytes, name: str) -> None:
    """Refuse broken archives, non-workbooks and zip bombs before any parser sees them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception as exc:  # BadZipFile, NotImplementedError (unknown zip version), OSError…
        raise _corrupt(name) from exc
    names = {i.filename for i in infos}
    if not names & set(WORKBOOK_PARTS):
        raise IngestError("ingest_unsupported_format",
                          f"{name} is a zip archive but not an Excel workbook.", file=name)
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    ratio = total / max(packed, 1)
    if total > MAX_UNCOMPRESSED or (total > RATIO_FLOOR and ratio > MAX_RATIO):
        raise IngestError("ingest_zip_bomb",
                          f"{name} would expand to {_mb(total)} MB ({ratio:.0f}x); refused for safety.",
                          file=name, size_mb=_mb(total))


# Tolerant of what XML allows (prefixes, spaces around "=", single quotes, lower case).
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref\s*=\s*["\']([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?')
# ``r="123"`` is a row's number, ``r="AB12"`` a cell's reference (whatever the element's prefix).
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\'][A-Za-z]{0,4}(\d{1,9})')
_CELL_COLUMN = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]{1,4})\d')
_ESCAPED_REF = re.compile(rb'\sr\s*=\s*["\'][^"\'<>]{0,40}&')
# The same for the form spreadsheet programs write (`` r="A1"``): a literal prefix, much faster.
_ROW_NUMBER_FAST = re.compile(rb' r="[A-Za-z]{0,4}(\d{1,9})')
_CELL_COLUMN_FAST = re.compile(rb' r="([A-Za-z]{1,4})\d')
_ODD_FORMS = (b"r =", b"r= ", b"r='", b"\nr=", b"\tr=", b"\rr=")
_CHUNK = 4 * 1024 * 1024


def _sheet_parts(archive: zipfile.ZipFile, sheet: str) -> list[str]:
    """XML parts that may hold ``sheet``: its own part when the workbook says so unambiguously,
    else (a damaged or unusual workbook) every XML part under ``xl/``, so the check fails closed."""
    names = set(archive.namelist())
    every = sorted(n for n in names if n.startswith("xl/") and n.endswith(".xml"))
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return every
    book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    rel_ids = []
    for tag in re.findall(r"<(?:\w+:)?sheet\s[^>]*>", book):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', tag))
        if _xml_unescape(attrs.get("name", "")) == sheet:
            rel_ids.extend(v for k, v in attrs.items() if k.endswith(":id"))
    targets = []
    for tag in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", rels):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', tag))
        if attrs.get("Id") in rel_ids:
            target = attrs.get("Target", "")
            targets.append(posixpath.normpath(target.lstrip("/") if target.startswith("/") else f"xl/{target}"))
    if len(rel_ids) == 1 and len(targets) == 1 and targets[0] in names:
        return targets
    return every


def _part_extent(archive: zipfile.ZipFile, path: str) -> tuple[int, int, int]:
    """Last row, last column and number of cell references of one sheet part (streamed)."""
    max_row = max_col = n_cells = 0
    columns: set[bytes] = set()
    tail = b""
    first = True
    with archive.open(path) as handle:
        while chunk := handle.read(_CHUNK):
            text = tail + chunk
            if first:
                match = _DIMENSION.search(text)
                if match:
                    col1, row1, col2, row2 = match.groups()
                    max_row = int(row2 or row1)
                    max_col = _column_number((col2 or col1).decode().upper())
                first = False
            # A tag may straddle two chunks: keep the unfinished tail for the next round.
            cut = text.rfind(b"<")
            body, tail = (text[:cut], text[cut:]) if cut > 0 and len(text) - cut < 4096 else (text, b"")
            if b"&" in body and _ESCAPED_REF.search(body):
                raise ValueError("character references in cell positions")  # Excel never writes them
            fast = not any(form in body for form in _ODD_FORMS)
            rows = (_ROW_NUMBER_FAST if fast else _ROW_NUMBER).findall(body)
            if rows:
                max_row = max(max_row, *map(int, rows))
            found = (_CELL_COLUMN_FAST if fast else _CELL_COLUMN).findall(body)
            n_cells += len(found)
            columns.update(found)
    if columns:
        max_col = max(max_col, *(_column_number(c.decode().upper()) for c in columns))
    return max_row, max_col, n_cells


def _sheet_area(data: bytes, sheet: str) -> tuple[int, int]:
    """Rows x columns the reader would allocate for ``sheet``, and the cells referenced in it.

    The area is the larger of the sheet's declared ``<dimension>`` and the extent of the
    cell and row references actually present (streamed in chunks, so a sheet without a
    dimension, or with a false one, cannot make the parser allocate billions of cells).
    When the sheet's part cannot be told for sure, the largest of all parts counts.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        extents = [_part_extent(archive, path) for path in _sheet_parts(archive, sheet)]
    rows, cols, cells = max(extents, key=lambda e: e[0] * e[1], default=(0, 0, 0))
    return rows * cols, cells


def _xml_unescape(text: str) -> str:
    for escaped, plain in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(escaped, plain)
    return text


def _check_sheet_area(data: bytes, name: str, sheet: str) -> None:
    area, n_cells = _sheet_area(data, sheet)
    if area > MAX_CELLS:
        raise IngestError("ingest_sheet_too_large",
                          f"{name}: the sheet {sheet!r} spans {area:,} cells; the limit is {MAX_CELLS:,}.",
                          file=name, sheet=sheet, cells=f"{area:,}", limit=f"{MAX_CELLS:,}")
    if area > SPARSE_FLOOR and 0 < n_cells * MAX_SPARSITY < area:
        raise IngestError("ingest_sheet_sparse",
                          f"{name}: the sheet {sheet!r} spans {area:,} cells but only {n_cells:,} hold values.",
                          file=name, sheet=sheet, cells=f"{area:,}", filled=f"{n_cells:,}")


def _clean_cell(value: object) -> object:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


# ----------------------------------------------------------------------------- the table
_NUMBERISH = re.compile(r"^[-+(▲△¥$]?[\d.,:/%年月日()¥円\s-]+$|^(?:令和|平成|昭和|[RHS])\d")


def _is_label(value: object) -> bool:
    return isinstance(value, str) and not _NUMBERISH.match(value)


def _filled(row: Sequence[object]) -> int:
    return sum(v is not None for v in row)


def _detect_header(rows: list[list[object]]) -> int:
    """Index of the header: the first row of labels filling at least half the table's width.

    Title rows ("顧客一覧", "出力日: 2024/4/1") fill one or two cells or hold dates and
    numbers, so they are skipped. When no row is all labels (months as headers:
    ``顧客ID, 2024/04, 2024/05``), the first row filling that much of the width and holding
    a label is the header when only one-cell rows (titles) stand above it.
    """
    scan = rows[:SCAN_ROWS]
    widest = max((_filled(r) for r in scan), default=0)
    need = max(min(widest, 2), math.ceil(widest / 2))
    for i, row in enumerate(scan):
        filled = _filled(row)
        if filled >= need and all(_is_label(v) for v in row if v is not None):
            return i
    # Only one-cell title rows may be skipped this way: a sparse header above a fuller row
    # must still be reported, not replaced by the first data row.
    wide = next((i for i, r in enumerate(scan) if widest and _filled(r) >= need), None)
    if wide is not None and any(_is_label(v) for v in scan[wide]) and all(
        _filled(r) <= 1 for r in scan[:wide]
    ):
        return wide
    return next((i for i, r in enumerate(rows) if _filled(r)), 0)


def _merged_header(top: list[object], nxt: list[object]) -> list[str | None] | None:
    """Flattened names when ``top``/``nxt`` form a two-row merged header, else ``None``.

    Pattern: a group label over blank cells in ``top`` with sub-labels below it in
    ``nxt``; single columns (a label in ``top`` followed by another label) have nothing
    below them.
    """
    width = len(top)
    if not any(v is not None for v in nxt) or not all(_is_label(v) for v in nxt if v is not None):
        return None
    spans = False
    group: object = None
    names: list[str | None] = []
    for j in range(width):
        single = top[j] is not None and (j + 1 == width or top[j + 1] is not None)
        if single and nxt[j] is not None:
            return None
        if top[j] is not None:
            group = top[j]
        elif nxt[j] is None:
            group = None
        elif group is not None:
            spans = True
        if group is None and top[j] is None:
            names.append(None if nxt[j] is None else str(nxt[j]))
        elif nxt[j] is None:
            names.append(str(group))
        else:
            names.append(f"{group} / {nxt[j]}")
    return names if spans else None


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _header_name(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return re.sub(r"\s+", " ", str(value)).strip() or None


def _table(grid: _Grid, name: str, *, kind: str, encoding: str | None, delimiter: str | None,
           sheet: str | None, sheets: tuple[str, ...], header_row: int | None) -> ReadResult:
    cells = grid.cells
    n_rows, width = cells.shape if cells.ndim == 2 else (0, 0)
    if grid.occupied is not None:
        occupied = grid.occupied
    else:
        occupied = ~pd.isna(cells) if n_rows and width else np.zeros((0, 0), bool)
    if not occupied.any():
        raise IngestError("ingest_empty_file", f"{name} has no data.", file=name)
    notes = list(grid.notes)
    last_row = int(np.flatnonzero(occupied.any(axis=1))[-1])
    head = [list(r) for r in cells[: SCAN_ROWS * 2 + 2]]
    if header_row is None:
        h = _detect_header(head)
    else:
        if not 1 <= header_row <= n_rows:
            raise IngestError("ingest_bad_header_row", f"{name} has no row {header_row}.", file=name,
                              row=header_row)
        h = header_row - 1
        head = [list(r) for r in cells[h: h + 2]]
    h_local = h if header_row is None else 0
    names: list[str | None] = [_header_name(v) for v in head[h_local]]
    header_rows = 1
    if h + 1 < last_row:
        merged = _merged_header(names, [_header_name(v) for v in head[h_local + 1]])
        if merged is not None:
            names, header_rows = merged, 2
            notes.append("merged_header_flattened")
    start = h + header_rows
    if start > last_row:
        raise IngestError("ingest_header_only", f"{name}: there are no rows below the header (row {h + 1}).",
                          file=name, row=h + 1)
    frame = pd.DataFrame(cells[start:], dtype=object)
    frame.index = pd.RangeIndex(start + 1, n_rows + 1, name="row")
    filled = occupied[start:]
    nonblank = filled.any(axis=1)
    if grid.field_counts is not None:
        _check_ragged(grid.field_counts, start, int(grid.field_counts[h]), nonblank, name)
    keep: list[int] = []
    for j, header in enumerate(names):
        if header is not None:
            keep.append(j)
        elif filled[:, j].any():
            first = int(frame.index[filled[:, j]][0])
            raise IngestError("ingest_blank_header",
                              f"{name}: column {_column_letter(j)} has data (row {first}) but no header.",
                              file=name, row=h + 1, column=_column_letter(j))
    if len(keep) < width:
        notes.append("blank_columns_dropped")
    kept_names = [str(names[j]) for j in keep]
    duplicates = [n for n, c in Counter(kept_names).items() if c > 1]
    if duplicates:
        raise IngestError("ingest_duplicate_headers",
                          f"{name}: these headers appear more than once: {', '.join(duplicates)}.",
                          file=name, row=h + 1, column=duplicates[0], names=", ".join(duplicates))
    if len(keep) < width:
        frame = frame[keep]
    frame.columns = pd.Index(kept_names, dtype=object)
    blank = int((~nonblank).sum())
    if blank:
        frame = frame[nonblank]
    return ReadResult(
        frame=frame, file=name, kind=kind, encoding=encoding, delimiter=delimiter, sheet=sheet,
        sheets=sheets, header_row=h + 1, blank_rows_dropped=blank, rows_read=len(frame),
        notes=tuple(dict.fromkeys(notes)), header_rows=header_rows,
    )


def _check_ragged(counts: np.ndarray, start: int, expected: int, nonblank: np.ndarray, name: str) -> None:
    """Refuse CSV rows below the header whose number of cells differs from the header's."""
    body = counts[start: start + nonblank.size]
    bad = np.flatnonzero((body != expected) & nonblank)
    if bad.size:
        row = int(start + bad[0] + 1)
        fields = int(body[bad[0]])
        raise IngestError(
            "ingest_ragged_row",
            f"{name}: row {row} has {fields} cells; the header has {expected}"
            + (f" ({bad.size} such rows)." if bad.size > 1 else "."),
            file=name, row=row, fields=fields, expected=expected, count=int(bad.size),
        )
