"""Parquet files: the columns of a table a program wrote, read as the cells of a spreadsheet
(part of :mod:`cs_models.io`).

A Parquet file has no title rows, no encoding and no delimiter: its column names are the header
(row 1, as a CSV header would be) and its rows are the data (rows 2, 3, … in messages). The cells
come out as the XLSX reader gives them, so the mapping and the validation treat them alike: text
NFKC-normalised and stripped (missing-value texts become ``None``), whole numbers as ``int``, other
numbers as ``float``, dates and timestamps as ``datetime.datetime`` (a timestamp with a time zone as
the wall time in that zone), ``bool`` as ``bool``, nulls as ``None``. Each column is cleaned once per
distinct value (pyarrow's dictionary encoding), not once per row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from cs_models.errors import IngestError
from cs_models.io._base import (
    _NOT_OURS,
    DEFER_FRAME,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_UNCOMPRESSED,
    ReadResult,
    _mb,
    object_frame,
)
from cs_models.io._table import _column_letter, _header_name
from cs_models.io._text import _clean_unique, cell_too_long, too_many_columns
from cs_models.io._workbook import _clean_cell
from cs_models.values import MISSING_VALUES

#: The first and last four bytes of every Parquet file.
PARQUET_MAGIC = b"PAR1"
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


def bad_parquet(name: str, detail: str) -> IngestError:
    """``ingest_bad_parquet``: ``name`` is not a Parquet file pyarrow can read (``detail``: why)."""
    return IngestError("ingest_bad_parquet", f"{name} is not a readable Parquet file ({detail}).", file=name,
                       detail=detail)


def is_parquet(data: bytes) -> bool:
    """Whether ``data`` starts and ends with the Parquet signature."""
    return len(data) >= 12 and data.startswith(PARQUET_MAGIC) and data.endswith(PARQUET_MAGIC)


def parquet_table(data: bytes, name: str) -> ReadResult:
    """Read a Parquet file into a table of cells.

    Parameters
    ----------
    data : bytes
        The file's content (starting and ending with ``PAR1``).
    name : str
        Its name, for messages.

    Returns
    -------
    ReadResult
        ``kind="parquet"``, header on row 1, rows from 2 on (blank rows dropped and counted).

    Raises
    ------
    IngestError
        ``ingest_bad_parquet`` for a damaged file, ``ingest_too_large`` for a file that would
        expand beyond :data:`~cs_models.io._base.MAX_UNCOMPRESSED`, ``ingest_too_many_columns``,
        ``ingest_blank_header``, ``ingest_duplicate_headers``, ``ingest_cell_too_long``,
        ``ingest_empty_file`` and ``ingest_header_only``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(pa.BufferReader(data))
        meta = source.metadata
        width = meta.num_columns
        expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except BaseException as exc:  # ArrowInvalid, OSError, a Thrift error …: the file is damaged
        if isinstance(exc, (*_NOT_OURS, MemoryError)):
            raise
        raise bad_parquet(name, type(exc).__name__) from exc
    if width > MAX_COLUMNS:
        raise too_many_columns(name, width, row=1)
    if expanded > MAX_UNCOMPRESSED:
        raise IngestError("ingest_too_large", f"{name} expands to {_mb(expanded)} MB; the limit is "
                          f"{_mb(MAX_UNCOMPRESSED)} MB.", file=name, size_mb=_mb(expanded),
                          limit_mb=_mb(MAX_UNCOMPRESSED))
    try:
        table = source.read()
        table.validate(full=True)  # e.g. text that is not UTF-8: refused here, not while it is cleaned
    except BaseException as exc:
        if isinstance(exc, (*_NOT_OURS, MemoryError)):
            raise
        raise bad_parquet(name, type(exc).__name__) from exc
    names = _headers(list(table.column_names), name)
    if not names:
        raise IngestError("ingest_empty_file", f"{name} has no data.", file=name)
    n_rows = table.num_rows
    if n_rows == 0:
        raise IngestError("ingest_header_only", f"{name}: there are no rows below the header (row 1).",
                          file=name, row=1)
    coded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    arrow_texts: dict[str, tuple[np.ndarray, Any]] = {}
    occupied = np.zeros(n_rows, dtype=bool)
    notes: list[str] = []
    for j, header in enumerate(names):
        codes, cleaned, column_notes, arrow = _column_cells(table.column(j), name, j)
        coded[header] = (codes, cleaned)
        if arrow is not None:
            arrow_texts[header] = (cleaned, arrow)
        occupied |= ~pd.isna(cleaned)[codes]  # per distinct cell, taken by code (-1: the last, None)
        notes.extend(column_notes)
    blank = int((~occupied).sum())
    if blank == n_rows:
        raise IngestError("ingest_empty_file", f"{name} has no data.", file=name)
    if blank:
        coded = {h: (codes[occupied], cleaned) for h, (codes, cleaned) in coded.items()}
    index = pd.RangeIndex(2, n_rows + 2, name="row")
    index = index[occupied] if blank else index
    deferred = DEFER_FRAME.get()  # the reader's child: the cells are built where the result is unpickled
    frame = pd.DataFrame(index=index) if deferred else object_frame(list(coded.values()), names, index)
    return ReadResult(frame=frame, file=name, kind="parquet", encoding=None, delimiter=None, sheet=None,
                      sheets=(), header_row=1, blank_rows_dropped=blank, rows_read=len(index),
                      notes=tuple(dict.fromkeys(notes)), codes=coded, deferred=deferred, arrow_texts=arrow_texts,
                      plain_codes=frozenset(arrow_texts))  # the text columns that needed no cleaning


def _headers(raw: list[str], name: str) -> list[str]:
    """The column names as headers (spaces collapsed); a blank or repeated name is refused."""
    names = [_header_name(v) for v in raw]
    for j, title in enumerate(names):
        if title is None:
            raise IngestError("ingest_blank_header",
                              f"{name}: column {_column_letter(j)} has data (row 2) but no header.",
                              file=name, row=1, column=_column_letter(j))
    duplicates = [n for n, c in Counter(names).items() if c > 1]
    if duplicates:
        raise IngestError("ingest_duplicate_headers",
                          f"{name}: these headers appear more than once: {', '.join(map(str, duplicates))}.",
                          file=name, row=1, column=str(duplicates[0]), names=", ".join(map(str, duplicates)))
    return [str(n) for n in names]


def _column_cells(column: Any, name: str, j: int) -> tuple[np.ndarray, np.ndarray, list[str], Any]:
    """One column as the code of each row's cell, the distinct cells cleaned once each (the last one
    ``None``: no value, code ``-1``), the notes the cleaning gives, and the distinct cells as Arrow
    strings when cleaning changed none of them (they travel from the reader's child as those)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = kind.value_type
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        try:
            column = column.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            column = pa.chunked_array([pa.array([None if v is None else v.hex() for v in column.to_pylist()],
                                                pa.string())])
        kind = pa.string()
    if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        column = column.cast(pa.string())
        kind = pa.string()
    nested = pa.types.is_nested(kind) or pa.types.is_null(kind)
    if nested:  # lists, structs, maps: shown as the text of their value
        column = pa.chunked_array([pa.array([None if v is None else str(v) for v in column.to_pylist()],
                                            pa.string())], pa.string())
        kind = pa.string()
    encoded = pc.dictionary_encode(column.combine_chunks())
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    uniques = encoded.dictionary
    if pa.types.is_string(kind):  # texts in sorted order, as the CSV reader gives them
        from cs_models.io._arrow import sorted_dictionary

        codes, uniques = sorted_dictionary(codes, uniques)
    notes: list[str] = []
    cleaned = np.empty(len(uniques) + 1, dtype=object)  # the last one: null
    arrow = None
    if pa.types.is_string(kind):
        from cs_models.io._arrow import plain_texts

        texts = uniques.to_numpy(zero_copy_only=False)
        keep = plain_texts(uniques)
        if keep.all():
            arrow = pa.concat_arrays([uniques, pa.nulls(1, pa.string())])
        cleaned[: len(texts)][keep] = texts[keep]
        for k in np.flatnonzero(~keep):
            if len(texts[k]) > MAX_CELL_CHARS:  # row 1 is the header: record i is row i + 2
                raise cell_too_long(name, len(texts[k]), row=int(np.argmax(codes == k)) + 2, column=j)
            text, changed, unwrapped = _clean_unique(texts[k], name, codes, int(k), j, MISSING_VALUES)
            cleaned[k] = text
            if changed:
                notes.append("text_normalised")
            if unwrapped:
                notes.append("text_formula_unwrapped")
    else:
        cleaned[: len(uniques)] = [_native(v) for v in uniques.to_pylist()]
    return codes, cleaned, notes, arrow


def _native(value: object) -> object:
    """A non-text Parquet value as the XLSX reader gives a cell."""
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    elif isinstance(value, dt.timedelta):
        value = value.total_seconds()
    elif isinstance(value, bytes):
        value = value.hex()
    return _clean_cell(value)
