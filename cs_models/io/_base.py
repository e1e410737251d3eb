"""Limits, notes and the raw cell grid shared by the readers of :mod:`cs_models.io`."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

#: Largest file accepted by default (bytes): Streamlit's ``server.maxUploadSize`` (400 MB, in
#: ``.streamlit/config.toml``; 10 million events are about 260 MB as CSV).
MAX_BYTES = 400 * 1024 * 1024
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
#: Excel's grid: columns A to XFD and 1,048,576 rows. A reference beyond it is refused before the
#: parser sees the sheet (calamine would try to allocate the whole grid up to it).
EXCEL_COLUMNS = 16_384
EXCEL_ROWS = 1_048_576
#: Longest cell accepted, in characters: Excel's own limit. A longer one (a 20 MB cell, a 5 M-character
#: header) is refused before it is normalised or matched against headers.
MAX_CELL_CHARS = 32_767
#: Most columns accepted: far more than any CS export, far fewer than 16,384 (which took a minute).
MAX_COLUMNS = 2_000
#: Rows looked at to find the header and the delimiter.
SCAN_ROWS = 30
DELIMITERS: tuple[str, ...] = (",", "\t", ";", "|")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
WORKBOOK_PARTS = ("xl/workbook.xml", "xl/workbook.bin")

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
    kind : {"csv", "xlsx", "parquet"}
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
    #: Header -> (code of each row's cell, the distinct cells) for the columns a fast path read as
    #: codes (``frame[h]`` is ``cells[codes]``): validation uses them instead of hashing every cell.
    #: The CSV and Parquet readers give the distinct texts in sorted order (as read, before cleaning).
    codes: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = field(default=None, compare=False, repr=False)
    #: Set by the reader's child (see :data:`DEFER_FRAME`): ``frame`` holds the row numbers only and
    #: every column is in ``codes``; the frame is built where the result is unpickled.
    deferred: bool = field(default=False, compare=False, repr=False)
    #: Headers among ``codes`` whose distinct cells are distinct, non-blank ASCII texts the reader kept
    #: as they were (no cleaning applied; a Parquet null has the code ``-1``): validation then needs
    #: neither to hash nor to clean them, and takes customer IDs in the cells' (sorted) order as categories.
    plain_codes: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    #: Header -> (distinct cells of ``codes``, the same texts as an Arrow string array), for columns a
    #: fast path read from Arrow: pickled as Arrow buffers, not a Python object per text.
    arrow_texts: Mapping[str, tuple[np.ndarray, Any]] | None = field(default=None, compare=False, repr=False)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled compactly: the columns known as codes travel as codes and distinct cells, not as a
        Python object per cell (the reader's child hands a file back this way, and caches store it)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["arrow_texts"] = None
        coded = dict(self.codes or {})
        if not coded:
            return _rebuild_read, (values, None)
        frame = self.frame
        names = list(coded) if self.deferred else list(frame.columns)
        plain = {h: frame[h].to_numpy() for h in names if h not in coded}
        # distinct texts known as Arrow strings travel as those (only when they are these very texts)
        arrow = {h: texts for h, (cells, texts) in (self.arrow_texts or {}).items()
                 if h in coded and coded[h][1] is cells and len(cells) >= ARROW_MIN_TEXTS}
        values["codes"] = {h: (codes, None) if h in arrow else (codes, cells) for h, (codes, cells) in coded.items()}
        values["frame"] = None
        values["deferred"] = False
        return _rebuild_read, (values, (frame.index, names, plain, arrow))


def _rebuild_read(values: dict[str, Any], layout: tuple[Any, ...] | None) -> ReadResult:
    """A :class:`ReadResult` from its pickled form (see :meth:`ReadResult.__reduce__`)."""
    if layout is not None:
        index, names, plain, *rest = layout
        arrow: dict[str, Any] = rest[0] if rest else {}
        coded = {h: (codes, np.asarray(arrow[h].to_numpy(zero_copy_only=False), dtype=object) if h in arrow
                     else cells) for h, (codes, cells) in values["codes"].items()}
        frame = object_frame([(coded[h][0], coded[h][1]) if h in coded else plain[h] for h in names], names, index)
        values = {**values, "frame": frame, "codes": coded}
    return ReadResult(**values)


def object_frame(columns: list[np.ndarray | tuple[np.ndarray, np.ndarray]], names: list[str],
                 index: pd.Index) -> pd.DataFrame:
    """A frame of object columns held in one block, filled column by column (pandas would copy a dict
    of columns into one block again).

    Parameters
    ----------
    columns : list of numpy.ndarray or (codes, cells)
        The cells of each column (any dtype; stored as object), each as long as ``index``; or its
        codes and distinct cells (``cells[codes]``, taken straight into the block).
    names : list of str
        The headers.
    index : pandas.Index
        The row numbers.

    Returns
    -------
    pandas.DataFrame
    """
    block = np.empty((len(columns), len(index)), dtype=object)
    for j, column in enumerate(columns):
        if isinstance(column, tuple):
            # mode="wrap": unbuffered (numpy buffers ``out`` under mode="raise": twice the time); the codes
            # are in range, and a code -1 takes the last cell, as indexing does
            np.take(np.asarray(column[1], dtype=object), column[0], out=block[j], mode="wrap")
        else:
            block[j] = column
    return pd.DataFrame(block.T, index=index, columns=pd.Index(names, dtype=object), dtype=object, copy=False)


#: Fewest distinct texts of a column pickled as Arrow strings (:attr:`ReadResult.arrow_texts`): below
#: it Arrow's fixed overhead outweighs the Python objects (tests lower it to compare both ways).
ARROW_MIN_TEXTS = 4096


#: While set, a reader whose every column comes as codes leaves the frame's cells unbuilt
#: (:attr:`ReadResult.deferred`): the reader's child sets it, as its result travels as codes.
DEFER_FRAME: ContextVar[bool] = ContextVar("cs_models_defer_frame", default=False)


#: Exceptions that stop the program rather than describe the file: never wrapped.
_NOT_OURS = (KeyboardInterrupt, SystemExit, GeneratorExit)


@dataclass
class _Grid:
    """Raw cells of a file before the header is found (internal)."""

    cells: np.ndarray  # 2-D object array, row i = spreadsheet row i + 1
    field_counts: np.ndarray | None = None  # CSV: fields per record, for the ragged-row check
    notes: list[str] = field(default_factory=list)
    occupied: np.ndarray | None = None  # which cells hold a value, when already known
    #: per column, the code of each record's cell and the cleaned distinct cells (the fast paths)
    coded: list[tuple[np.ndarray, np.ndarray]] | None = None
    #: per coded column, the codes of the distinct texts that were not kept as they were (cleaned)
    cleaned_codes: list[np.ndarray] | None = None
    #: per coded column, its cleaned distinct texts as Arrow strings (None: not known as such)
    arrow_texts: list[Any] | None = None



def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"
