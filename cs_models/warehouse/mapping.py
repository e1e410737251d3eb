"""Column mapping of database tables, exactly as of file headers, and canonical frames from them.

A table's column names (and a few sample rows, for the value-based guesses) go through
:func:`cs_models.schema.suggest_mapping`; per-customer and per-ticket tables come back as
text cells and pass :func:`cs_models.schema.validate` like an uploaded file, so ids, dates and
segments are cleaned by the same code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cs_models.io import ReadResult
from cs_models.schema import ColumnMapping, suggest_mapping, validate
from cs_models.warehouse.connection import Warehouse

#: Rows read to guess a mapping from values (the headers decide first).
SAMPLE_ROWS = 200


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed database cells as the text cells a CSV reader gives (blank = ``None``).

    Parameters
    ----------
    frame : DataFrame
        A query result.

    Returns
    -------
    DataFrame
        Object columns of ``str`` or ``None``; the index is the spreadsheet row (2, 3, ...).
    """
    out = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            stamps = pd.to_datetime(values)
            midnight = bool((stamps.dropna() == stamps.dropna().dt.normalize()).all())
            text = stamps.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S")
        elif pd.api.types.is_float_dtype(values):
            whole = values.dropna()
            integral = bool(np.all(np.floor(whole) == whole)) and len(whole) > 0
            text = values.map(_whole if integral else _decimal, na_action="ignore")
        else:
            text = values.map(str, na_action="ignore")
        out[str(column)] = text.astype(object).where(values.notna(), None)
    result = pd.DataFrame(out)
    result.index = pd.RangeIndex(2, 2 + len(result), name="row")
    return result


def _whole(value: float) -> str:
    return f"{int(value)}"


def _decimal(value: float) -> str:
    return repr(float(value))


def suggest(wh: Warehouse, kind: str) -> ColumnMapping:
    """The mapping suggested for the table of ``kind`` from its column names (and sample rows).

    Parameters
    ----------
    wh : Warehouse
        The connection; ``wh.tables[kind]`` names the table.
    kind : str
        Dataset kind.

    Returns
    -------
    ColumnMapping
        The same suggestion a file with these headers gets.
    """
    sample = wh.fetch(wh.table(kind).limit(SAMPLE_ROWS), wh.tables.get(kind, kind))
    return suggest_mapping(as_text(sample), kind)


def canonical_frame(wh: Warehouse, kind: str, mapping: ColumnMapping | None = None) -> pd.DataFrame:
    """The whole table of ``kind`` (one row per customer or ticket) as its canonical frame.

    Parameters
    ----------
    wh : Warehouse
        The connection.
    kind : str
        ``"customers"``, ``"tickets"`` (or any kind small enough for the row limit).
    mapping : ColumnMapping, optional
        Field -> column; :func:`suggest` when omitted.

    Returns
    -------
    DataFrame
        What the upload of the same table as CSV gives (:func:`cs_models.schema.validate`).

    Raises
    ------
    DataError
        ``warehouse_too_many_rows`` over the row limit.
    """
    ref = wh.tables.get(kind, kind)
    mapping = mapping or suggest(wh, kind)
    frame = as_text(wh.fetch(wh.table(kind), ref))
    read = ReadResult(frame=frame, file=ref, kind="csv", encoding=None, delimiter=None, sheet=None, sheets=(),
                      header_row=1, blank_rows_dropped=0, rows_read=len(frame))
    return validate(read, kind, mapping, file=ref).frame


def columns_of(mapping: ColumnMapping, *fields: str) -> dict[str, str]:
    """Database column of each mapped canonical field among ``fields``.

    Parameters
    ----------
    mapping : ColumnMapping
        The table's mapping.
    *fields : str
        Canonical field names (``"customer_id"``, ``"date"``, ...).

    Returns
    -------
    dict
        Field -> column, for the fields that are mapped.
    """
    return {f: mapping.fields[f] for f in fields if f in mapping.fields}


def column(table: Any, name: str, kind: str) -> Any:
    """A table column cast for the aggregations: dates to ``date``/``timestamp``, amounts to ``float64``.

    Parameters
    ----------
    table : ibis.Table
        The table.
    name : str
        Its column.
    kind : {"date", "timestamp", "float64", "string"}
        The type wanted.

    Returns
    -------
    ibis column expression
        The column, cast only when its type differs.
    """
    value = table[name]
    dtype = value.type()
    if kind == "date" and not dtype.is_date():
        return value.cast("timestamp").date() if not dtype.is_timestamp() else value.date()
    if kind == "float64" and not dtype.is_float64():
        return value.cast("float64")
    if kind == "string" and not dtype.is_string():
        return value.cast("string")
    return value
