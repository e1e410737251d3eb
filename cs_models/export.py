"""Safe spreadsheet exports: CSV for Excel (UTF-8 with BOM) and XLSX.

Text cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``,
``@``, tab or carriage return) are prefixed with an apostrophe (OWASP CSV injection
guidance). Numbers are left alone.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Prefix a text value that a spreadsheet would treat as a formula.

    Parameters
    ----------
    value : object
        A cell value; only text starting with one of :data:`FORMULA_PREFIXES` is changed.

    Returns
    -------
    object
        ``value`` with a leading apostrophe when it is such text, else ``value`` unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, index and headers cannot run as formulas.

    Parameters
    ----------
    frame : pandas.DataFrame
        The frame to export; it is not modified.

    Returns
    -------
    pandas.DataFrame
        The copy, its headers turned to text and its text cells and text index neutralised.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    if out.index.dtype == object:
        out.index = out.index.map(neutralise_cell)
    return out


def to_csv_bytes(frame: pd.DataFrame, *, index: bool = True) -> bytes:
    """CSV encoded as UTF-8 with BOM, so Excel opens Japanese text correctly.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to write (neutralised first).
    index : bool
        Write the index as the first column.

    Returns
    -------
    bytes
        The CSV file with CRLF line endings.
    """
    return neutralise(frame).to_csv(index=index, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(sheets: pd.DataFrame | Mapping[str, pd.DataFrame], *, index: bool = True) -> bytes:
    """An XLSX workbook with one sheet per frame (sheet names cut to Excel's 31 characters).

    Parameters
    ----------
    sheets : pandas.DataFrame or Mapping[str, pandas.DataFrame]
        Frames by sheet name; a single frame is written to a sheet named ``data``.
    index : bool
        Write each frame's index as its first column.

    Returns
    -------
    bytes
        The workbook file (written with xlsxwriter).
    """
    if isinstance(sheets, pd.DataFrame):
        sheets = {"data": sheets}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        for name, frame in sheets.items():
            neutralise(frame).to_excel(writer, sheet_name=str(name)[:31], index=index)
    return buffer.getvalue()
