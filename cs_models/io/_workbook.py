"""XLSX workbooks: archive checks, sheet area and cells (part of :mod:`cs_models.io`)."""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
from datetime import date, datetime

import numpy as np
import python_calamine

from cs_models.errors import IngestError
from cs_models.io._base import (
    _NOT_OURS,
    EXCEL_COLUMNS,
    EXCEL_ROWS,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_RATIO,
    MAX_SPARSITY,
    MAX_UNCOMPRESSED,
    RATIO_FLOOR,
    SPARSE_FLOOR,
    WORKBOOK_PARTS,
    _Grid,
    _mb,
)
from cs_models.io._table import _column_number
from cs_models.io._text import _clean_text, _is_normalised, cell_too_long, too_many_columns


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
            (texts[v] if v in texts else texts.setdefault(v, _new_text(v, name, i, j))) if isinstance(v, str)
            else _clean_cell(v)
            for j, v in enumerate(row)
        ]
    notes = [] if all(_is_normalised(v) for v in texts) else ["text_normalised"]
    return _Grid(cells=grid, notes=notes), sheet, visible


def _new_text(value: str, name: str, i: int, j: int) -> str | None:
    """A text seen for the first time, cleaned; refused when longer than :data:`MAX_CELL_CHARS`."""
    if len(value) > MAX_CELL_CHARS:
        raise cell_too_long(name, len(value), row=i + 1, column=j)
    return _clean_text(value)


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
# Any number of letters and digits: a reference beyond Excel's grid (``ZZZZZZ1``) must be seen.
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\'][A-Za-z]*(\d+)')
_CELL_COLUMN = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]+)\d')
_ESCAPED_REF = re.compile(rb'\sr\s*=\s*["\'][^"\'<>]{0,40}&')
# The same for the form spreadsheet programs write (`` r="A1"``): a literal prefix, much faster.
_ROW_NUMBER_FAST = re.compile(rb' r="[A-Za-z]*(\d+)')
_CELL_COLUMN_FAST = re.compile(rb' r="([A-Za-z]+)\d')
#: Digits of a row number past which it is certainly beyond the grid (not converted to int).
_ROW_DIGITS = len(str(EXCEL_ROWS))
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
    rel_ids: list[str] = []
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
                    max_row = _row_number(row2 or row1)
                    max_col = _column_number((col2 or col1).decode().upper()[:8])
                first = False
            # A tag may straddle two chunks: keep the unfinished tail for the next round.
            cut = text.rfind(b"<")
            body, tail = (text[:cut], text[cut:]) if cut > 0 and len(text) - cut < 4096 else (text, b"")
            if b"&" in body and _ESCAPED_REF.search(body):
                raise ValueError("character references in cell positions")  # Excel never writes them
            fast = not any(form in body for form in _ODD_FORMS)
            rows = (_ROW_NUMBER_FAST if fast else _ROW_NUMBER).findall(body)
            if rows:
                max_row = max(max_row, _last_row(rows))
            found = (_CELL_COLUMN_FAST if fast else _CELL_COLUMN).findall(body)
            n_cells += len(found)
            columns.update(found)
    if columns:  # eight letters are already far beyond XFD: longer runs need not be converted
        max_col = max(max_col, *(_column_number(c.decode().upper()[:8]) for c in columns))
    return max_row, max_col, n_cells


def _last_row(rows: list[bytes]) -> int:
    """``max(_row_number(r) for r in rows)`` for a non-empty list, with the loops in C (``map``)."""
    if max(map(len, rows)) <= _ROW_DIGITS:
        return max(map(int, rows))
    return max(_row_number(r) for r in rows)  # a reference too long for Excel: the rare, slow way


def _row_number(digits: bytes) -> int:
    """A row reference as a number, capped just beyond Excel's last row (no huge int parsing)."""
    return int(digits) if len(digits) <= _ROW_DIGITS else EXCEL_ROWS + 1


def _sheet_extent(data: bytes, sheet: str) -> tuple[int, int, int]:
    """Last row, last column and number of referenced cells the reader would see for ``sheet``.

    The area is the larger of the sheet's declared ``<dimension>`` and the extent of the
    cell and row references actually present (streamed in chunks, so a sheet without a
    dimension, or with a false one, cannot make the parser allocate billions of cells).
    When the sheet's part cannot be told for sure, the largest of all parts counts.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        extents = [_part_extent(archive, path) for path in _sheet_parts(archive, sheet)]
    return max(extents, key=lambda e: e[0] * e[1], default=(0, 0, 0))


def _xml_unescape(text: str) -> str:
    for escaped, plain in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(escaped, plain)
    return text


def _check_sheet_area(data: bytes, name: str, sheet: str) -> None:
    rows, cols, n_cells = _sheet_extent(data, sheet)
    if rows > EXCEL_ROWS or cols > EXCEL_COLUMNS:
        raise IngestError("ingest_beyond_grid",
                          f"{name}: the sheet {sheet!r} refers to a cell beyond Excel's last column (XFD) "
                          "or row (1,048,576); the file is damaged or was not written by a spreadsheet.",
                          file=name, sheet=sheet)
    area = rows * cols
    if area > MAX_CELLS:
        raise IngestError("ingest_sheet_too_large",
                          f"{name}: the sheet {sheet!r} spans {area:,} cells; the limit is {MAX_CELLS:,}.",
                          file=name, sheet=sheet, cells=f"{area:,}", limit=f"{MAX_CELLS:,}")
    if area > SPARSE_FLOOR and 0 < n_cells * MAX_SPARSITY < area:
        raise IngestError("ingest_sheet_sparse",
                          f"{name}: the sheet {sheet!r} spans {area:,} cells but only {n_cells:,} hold values.",
                          file=name, sheet=sheet, cells=f"{area:,}", filled=f"{n_cells:,}")
    if cols > MAX_COLUMNS:
        raise too_many_columns(name, cols, row=1)


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


