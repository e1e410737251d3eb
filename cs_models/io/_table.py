"""From a raw grid to the table: header row, merged headers, ragged rows (part of :mod:`cs_models.io`)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from cs_models.errors import IngestError
from cs_models.io._base import DEFER_FRAME, SCAN_ROWS, ReadResult, _Grid, object_frame

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


def _merged_header(top: Sequence[object], nxt: Sequence[object]) -> list[str | None] | None:
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


def _coded_rows(coded: list[tuple[np.ndarray, np.ndarray]], start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of coded columns as a 2-D object array of cells."""
    n = len(coded[0][0][start:stop]) if coded else 0
    cells = np.empty((n, len(coded)), dtype=object)
    for j, (codes, cleaned) in enumerate(coded):
        cells[:, j] = cleaned[codes[start:stop]]
    return cells


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
    if grid.coded is not None:  # ``cells`` holds the first rows only; the codes hold them all
        n_rows, width = (len(grid.coded[0][0]) if grid.coded else 0), len(grid.coded)
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
        rows_h = cells[h: h + 2] if grid.coded is None else _coded_rows(grid.coded, h, h + 2)
        head = [list(r) for r in rows_h]
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
    index = pd.RangeIndex(start + 1, n_rows + 1, name="row")
    filled = occupied[start:]
    nonblank = filled.any(axis=1)
    if grid.field_counts is not None:
        _check_ragged(grid.field_counts, start, int(grid.field_counts[h]), np.asarray(nonblank), name)
    keep = _kept_columns(names, filled, index, name, h + 1)
    kept_names = [str(names[j]) for j in keep]
    if len(keep) < width:
        notes.append("blank_columns_dropped")
    frame = _cells_frame(grid, start, index, keep, kept_names)
    deferred = grid.coded is not None and DEFER_FRAME.get()
    blank = int((~nonblank).sum())
    if blank:
        frame = frame[nonblank]
    codes, plain_codes = _row_codes(grid, start, np.asarray(nonblank, dtype=bool), keep, kept_names)
    return ReadResult(
        frame=frame, file=name, kind=kind, encoding=encoding, delimiter=delimiter, sheet=sheet,
        sheets=sheets, header_row=h + 1, blank_rows_dropped=blank, rows_read=len(frame),
        notes=tuple(dict.fromkeys(notes)), header_rows=header_rows, codes=codes, deferred=deferred,
        plain_codes=plain_codes, arrow_texts=_arrow_texts(grid, keep, kept_names),
    )


def _arrow_texts(grid: _Grid, keep: list[int], kept_names: list[str]) -> dict[str, tuple[np.ndarray, Any]] | None:
    """Header -> (distinct cells, the same as Arrow strings) of the kept columns a coded grid has as Arrow."""
    if grid.coded is None or grid.arrow_texts is None:
        return None
    return {title: (grid.coded[j][1], grid.arrow_texts[j]) for j, title in zip(keep, kept_names, strict=True)
            if grid.arrow_texts[j] is not None}


def _cells_frame(grid: _Grid, start: int, index: pd.Index, keep: list[int], kept_names: list[str]) -> pd.DataFrame:
    """The kept columns from row ``start`` on (blank rows not yet dropped), headed by ``kept_names``."""
    if grid.coded is None:
        frame = pd.DataFrame(grid.cells[start:], dtype=object)
        frame.index = index
        if len(keep) < frame.shape[1]:
            frame = frame[keep]
        frame.columns = pd.Index(kept_names, dtype=object)
        return frame
    if DEFER_FRAME.get():  # the cells are built from the codes where the result is unpickled
        return pd.DataFrame(index=index)
    # one column at a time from its codes: no grid of every cell is built
    return object_frame([(grid.coded[j][0][start:], grid.coded[j][1]) for j in keep], kept_names, index)


def _row_codes(grid: _Grid, start: int, rows: np.ndarray, keep: list[int], kept_names: list[str],
               ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]] | None, frozenset[str]]:
    """The codes of the kept rows (``rows``: which rows from ``start`` on are kept) of a coded grid, and
    the headers of the columns whose kept rows use only texts that needed no cleaning."""
    if grid.coded is None:
        return None, frozenset()
    every = bool(rows.all())  # every row kept: a view of the codes, not a copy
    codes = {title: (grid.coded[j][0][start: start + rows.size] if every
                     else grid.coded[j][0][start: start + rows.size][rows], grid.coded[j][1])
             for j, title in zip(keep, kept_names, strict=True)}
    if grid.cleaned_codes is None:
        return codes, frozenset()
    # no kept row uses a text that was cleaned (the header's may have been)
    changed = dict(zip(kept_names, (grid.cleaned_codes[j] for j in keep), strict=True))
    return codes, frozenset(title for title, (c, texts) in codes.items()
                            if not changed[title].size or (changed[title].size <= 64
                                                           and not _uses_any(c, changed[title], len(texts))))


def _uses_any(codes: np.ndarray, some: np.ndarray, size: int) -> bool:
    """``np.isin(codes, some).any()`` for codes in ``range(size)``, by a lookup table (no sort, no loop)."""
    if codes.size and codes.min() < 0:  # a code -1 (no value) would index the table from its end
        return bool(np.isin(codes, some).any())
    table = np.zeros(size, dtype=bool)
    table[some] = True
    return bool(table[codes].any())


def _kept_columns(names: list[str | None], filled: np.ndarray, rows: pd.Index, name: str, header: int) -> list[int]:
    """Positions of the columns with a header; refuse data under a blank header and repeated headers."""
    keep: list[int] = []
    for j, title in enumerate(names):
        if title is not None:
            keep.append(j)
        elif filled[:, j].any():
            first = int(rows[filled[:, j]][0])
            raise IngestError("ingest_blank_header",
                              f"{name}: column {_column_letter(j)} has data (row {first}) but no header.",
                              file=name, row=header, column=_column_letter(j))
    duplicates = [n for n, c in Counter(str(names[j]) for j in keep).items() if c > 1]
    if duplicates:
        raise IngestError("ingest_duplicate_headers",
                          f"{name}: these headers appear more than once: {', '.join(duplicates)}.",
                          file=name, row=header, column=duplicates[0], names=", ".join(duplicates))
    return keep


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

