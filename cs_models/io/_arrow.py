"""The fast path of :mod:`cs_models.io` for CSV text: pyarrow splits the cells, each column is
cleaned once per distinct value (part of :mod:`cs_models.io`).

Used only for a file of at least :data:`FAST_MIN_BYTES` whose every record has the same number of
fields and whose quotes all sit at the edges of cells (what spreadsheet programs write): there pyarrow's parser and
pandas' give the same cells. Anything else (title rows, blank or ragged rows, a ``5" screen``
typed by hand) goes the straightforward way (:func:`cs_models.io._text._csv_grid`), and the
tests check that both ways give the same table.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from cs_models.io._base import MAX_CELL_CHARS
from cs_models.values import MISSING_VALUES

#: Smallest CSV (bytes of UTF-8 text) read this way: below it pandas is as quick, and small files keep
#: the straightforward path (tests lower it to compare the two on every fixture).
FAST_MIN_BYTES = 1024 * 1024

#: The ASCII characters Python's ``str.strip`` removes from either end (whitespace incl. \x1c-\x1f).
_EDGE_CHARS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "


def arrow_cells(raw: bytes, delimiter: str, width: int, multiline: bool = True,
                meanwhile: Sequence[Callable[[], Any]] = (),
                ) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray, Any]] | None, list[Any]]:
    """Codes and distinct texts of each column of UTF-8 CSV bytes, or ``None`` if pyarrow cannot.

    Parameters
    ----------
    raw : bytes
        UTF-8 text with ``\\n`` line ends, ending in ``\\n``.
    delimiter : str
        Field separator.
    width : int
        Fields of every record.
    multiline : bool
        Whether some quoted cell holds a line break (``False`` lets pyarrow split the text in
        blocks and parse them in parallel).
    meanwhile : sequence of callables
        Checks of the caller run while the columns are encoded (in the thread the narrow columns
        leave idle while a column of many distinct texts is hashed and sorted).

    Returns
    -------
    columns : list of (codes, uniques, plain, texts) or None
        Per column, the code of each record's cell (int32), the distinct texts (object, sorted:
        see :func:`sorted_dictionary`), which of them need no cleaning (:func:`plain_texts`) and
        the distinct texts as Arrow strings (``uniques`` is ``texts.to_numpy()``).
    results : list
        What each of ``meanwhile`` returned (empty when the columns are ``None``: they did not run).
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow comes with streamlit
        return None, []
    names = [str(i) for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                             escape_char=False, newlines_in_values=multiline,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                 null_values=[], check_utf8=False),
        )
    except (pa.ArrowException, ValueError):
        return None, []

    def encode(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
        encoded = pc.dictionary_encode(table.column(name).combine_chunks())
        codes, texts = sorted_dictionary(encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False),
                                         encoded.dictionary)
        return codes, texts.to_numpy(zero_copy_only=False), plain_texts(texts), texts

    # Arrow hashes and sorts without the GIL: the columns are encoded two at a time (a million distinct IDs
    # take most), the caller's checks queued behind them
    with ThreadPoolExecutor(max_workers=2) as pool:
        columns = [pool.submit(encode, name) for name in names]
        checks = [pool.submit(check) for check in meanwhile]
        return [c.result() for c in columns], [c.result() for c in checks]


def sorted_dictionary(codes: np.ndarray, texts: Any) -> tuple[np.ndarray, Any]:
    """Codes into distinct Arrow strings renumbered so that the strings are in sorted order.

    Arrow sorts UTF-8 bytes, which is the order of code points: Python's order of ``str``. The
    reader's child sorts here, while the server checks another file, so that validation finds an ID
    column's distinct texts already in the order of its categories (:mod:`cs_models.ids`).

    Parameters
    ----------
    codes : numpy.ndarray
        Integer code of each cell into ``texts`` (``-1``: null).
    texts : pyarrow.StringArray
        Distinct texts (no nulls).

    Returns
    -------
    tuple
        The codes (same dtype, ``-1`` kept) and the texts sorted.
    """
    import pyarrow.compute as pc

    order = np.asarray(pc.array_sort_indices(texts), dtype=np.intp)
    if bool((order == np.arange(len(order))).all()):
        return codes, texts
    rank = np.empty(len(order) + 1, dtype=codes.dtype)
    rank[order] = np.arange(len(order), dtype=codes.dtype)
    rank[-1] = -1  # a null's code -1 stays -1
    return rank[codes], texts.take(order)


def plain_texts(texts: Any) -> np.ndarray:
    """Which distinct texts need no cleaning: ASCII, no space at the ends, not a missing-value
    text, not an Excel text formula, not over :data:`MAX_CELL_CHARS` (checked vectorised).

    Parameters
    ----------
    texts : pyarrow.StringArray
        Distinct texts.

    Returns
    -------
    numpy.ndarray
        Boolean mask.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    # A space at either end: trimming those characters shortens the text (quicker than a regex).
    edge = pc.not_equal(pc.binary_length(pc.ascii_trim(texts, characters=_EDGE_CHARS)), pc.binary_length(texts))
    plain = pc.and_(pc.string_is_ascii(texts), pc.invert(edge))
    plain = pc.and_(plain, pc.invert(pc.starts_with(texts, '="')))
    plain = pc.and_(plain, pc.invert(pc.is_in(texts, value_set=pa.array(sorted(MISSING_VALUES)))))
    plain = pc.and_(plain, pc.less_equal(pc.utf8_length(texts), MAX_CELL_CHARS))
    return np.asarray(plain.to_numpy(zero_copy_only=False), dtype=bool)
