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
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or pd.api.types.is_string_dtype(column) or isinstance(
            column.dtype, pd.CategoricalDtype
        ):
            out.isetitem(i, column.map(neutralise_cell))
    out.columns = _neutral_index(out.columns, as_text=True)
    out.index = _neutral_index(out.index)
    return out


def _neutral_index(index: pd.Index, *, as_text: bool = False) -> pd.Index:
    """``index`` with its labels (every level of a MultiIndex, categories too) and names neutralised."""
    names = [None if n is None else neutralise_cell(str(n)) for n in index.names]
    if isinstance(index, pd.MultiIndex):
        levels = [_neutral_index(index.get_level_values(i), as_text=as_text) for i in range(index.nlevels)]
        return pd.MultiIndex.from_arrays(levels, names=names)
    values = [neutralise_cell(str(v) if as_text else v) for v in index]
    return pd.Index(values, name=names[0], tupleize_cols=False)


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
