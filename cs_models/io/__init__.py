"""Read the spreadsheets people bring: file bytes in, one clean table out.

:func:`read_table` takes the bytes and name of a CSV/TSV/TXT, XLSX or Parquet file and
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
- CSV cells are always text, so IDs keep their leading zeros; XLSX and Parquet cells keep their
  native types (``str``, ``int`` for whole numbers, ``float``, ``bool``,
  ``datetime.datetime``, ``datetime.time``).
- Use :mod:`cs_models.values` to parse dates and numbers.
"""

from __future__ import annotations

import csv
from pathlib import PurePath

from cs_models.errors import IngestError
from cs_models.io._base import _NOT_OURS, MAX_BYTES, OLE2_MAGIC, ZIP_MAGIC, ReadResult, _mb
from cs_models.io._parquet import PARQUET_SUFFIXES, bad_parquet, is_parquet, parquet_table
from cs_models.io._table import _table
from cs_models.io._text import _csv_grid, _decode
from cs_models.io._workbook import _xlsx_grid

__all__ = ["MAX_BYTES", "NOTE_CODES", "ReadResult", "read_table"]


# ----------------------------------------------------------------------------- public API
def read_table(
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    max_bytes: int = MAX_BYTES,
) -> ReadResult:
    """Read one CSV/TSV/TXT, XLSX or Parquet file into a table.

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
    except MemoryError as exc:
        raise IngestError("ingest_out_of_memory", f"{name} needs more memory to read than the server has.",
                          file=name) from exc
    except csv.Error as exc:  # the text could not be split into fields (e.g. a NUL inside quotes)
        raise IngestError("ingest_bad_csv", f"{name} could not be split into columns: {exc}.", file=name,
                          detail=str(exc)) from exc
    except BaseException as exc:  # the contract: nothing but IngestError escapes
        if isinstance(exc, _NOT_OURS):
            raise
        raise IngestError(
            "ingest_unreadable",
            f"{name} could not be read ({type(exc).__name__}).",
            file=name,
            detail=type(exc).__name__,
        ) from exc


# ----------------------------------------------------------------------------- dispatch
def _read(data: bytes, name: str, *, sheet: str | None, header_row: int | None,
          max_bytes: int) -> ReadResult:
    if len(data) > max_bytes:
        raise IngestError(
            "ingest_too_large",
            f"{name} is {_mb(len(data))} MB; the limit is {_mb(max_bytes)} MB.",
            file=name, size_mb=_mb(len(data)), limit_mb=_mb(max_bytes),
        )
    blank = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
    if not data[:4096].strip(blank) and not data.strip(blank):  # the whole file copied only if its head is blank
        raise IngestError("ingest_empty_file", f"{name} is empty.", file=name)
    if data.startswith(OLE2_MAGIC):
        raise IngestError(
            "ingest_xls_or_encrypted",
            f"{name} is an old .xls or a password-protected workbook; save it as .xlsx without a password.",
            file=name,
        )
    suffix = PurePath(name).suffix.lower()
    if is_parquet(data):
        return parquet_table(data, name)
    if suffix in PARQUET_SUFFIXES:  # named like Parquet but not one (a truncated upload, a renamed CSV)
        raise bad_parquet(name, "no Parquet signature")
    if data.startswith(ZIP_MAGIC):
        grid, sheet_name, sheets = _xlsx_grid(data, name, sheet)
        if suffix in (".csv", ".tsv", ".txt"):
            grid.notes.append("xlsx_renamed_csv")
        return _table(grid, name, kind="xlsx", encoding=None, delimiter=None, sheet=sheet_name,
                      sheets=sheets, header_row=header_row)
    try:  # a text file has no sheets: ``sheet`` does not apply
        raw, encoding = _decode(data, name)
        grid, delimiter = _csv_grid(raw, name, prefer_tab=suffix in (".tsv", ".tab") or encoding == "utf-16")
    except IngestError as exc:
        if suffix in (".xlsx", ".xlsm"):  # the user thinks it is a workbook: say that it is not one
            raise IngestError("ingest_not_a_workbook", f"{name} is not an Excel workbook.", file=name) from exc
        raise
    if suffix in (".xlsx", ".xlsm"):
        grid.notes.append("csv_renamed_xlsx")
    return _table(grid, name, kind="csv", encoding=encoding, delimiter=delimiter, sheet=None, sheets=(),
                  header_row=header_row)
