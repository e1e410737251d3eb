"""Customer IDs as a pandas ``Categorical``: the dtype every canonical dataset carries them in.

A column of ten million Python strings costs a hash per row in every ``groupby``, ``merge`` and
``isin``; the same IDs as a categorical cost an integer per row. Validation
(:func:`cs_models.schema.validate`) and the sample data give ``customer_id`` as a categorical of
string categories in sorted order (so a ``groupby`` lists IDs as it would list the strings), and
:func:`align_ids` gives every dataset of one session the same categories, so merges between
customers, events and tickets join on equal dtypes. Every analysis gives the same result on object
IDs (tests/models/test_categorical_ids.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

#: The ID columns kept as categoricals.
ID_COLUMNS: tuple[str, ...] = ("customer_id",)


def is_categorical(values: pd.Series | pd.Index) -> bool:
    """Whether ``values`` is a pandas categorical.

    Parameters
    ----------
    values : pandas.Series or pandas.Index
        A column or index.

    Returns
    -------
    bool
    """
    return isinstance(values.dtype, pd.CategoricalDtype)


def lookup(ids: pd.Series, values: pd.Series | Mapping[object, object]) -> pd.Series:
    """``values`` of each ID in ``ids`` (NaN where absent) as a plain column, whatever the IDs' dtype.

    ``Series.map`` on a categorical gives a categorical when every category maps to a distinct value;
    a later ``fillna(0)`` on it raises. This gives the values' own dtype instead.

    Parameters
    ----------
    ids : pandas.Series
        IDs (object or categorical).
    values : pandas.Series or Mapping
        Value by ID.

    Returns
    -------
    pandas.Series
        Indexed like ``ids``.
    """
    out = ids.map(values)
    if is_categorical(out):
        out = out.astype(out.cat.categories.dtype) if not out.isna().any() else out.astype(object).infer_objects()
    return out


def categorical_ids(frame: pd.DataFrame, columns: Iterable[str] = ID_COLUMNS,
                    codes: Mapping[str, np.ndarray | None] | None = None) -> pd.DataFrame:
    """``frame`` with its ID columns as categoricals of sorted string categories (blank IDs stay NaN).

    Parameters
    ----------
    frame : pandas.DataFrame
        A canonical frame; columns it lacks are skipped.
    columns : Iterable[str]
        The ID columns (default :data:`ID_COLUMNS`).
    codes : Mapping of str to numpy.ndarray, optional
        Per column, a code per row that tells its distinct IDs apart (``-1`` where blank), as
        validation found them: the rows are then not hashed again.

    Returns
    -------
    pandas.DataFrame
        The same frame when nothing changes, else a shallow copy with the columns replaced.
    """
    todo = [c for c in columns if c in frame.columns and not _sorted_text_categories(frame[c])]
    if not todo:
        return frame
    out = frame.copy(deep=False)
    for column in todo:
        known = (codes or {}).get(column)
        out[column] = _as_categorical(frame[column], known)
    return out


def _sorted_text_categories(values: pd.Series) -> bool:
    if not is_categorical(values):
        return False
    categories = values.cat.categories
    return bool(categories.dtype == object and categories.is_monotonic_increasing and not values.cat.ordered)


def _text_order(texts: np.ndarray) -> np.ndarray | None:
    """The positions of ``texts`` (distinct ``str``) in sorted order; ``None`` when already sorted.

    Arrow sorts UTF-8 bytes, which is the order of code points: Python's order of ``str``, found
    without a Python comparison per pair (a tenth of the time at a million IDs).
    """
    if pd.Index(texts, dtype=object).is_monotonic_increasing:
        return None
    return _arrow_order(texts)


def _arrow_order(texts: np.ndarray) -> np.ndarray:
    """The positions of ``texts`` (``str``) in sorted order, found by Arrow (see :func:`_text_order`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return np.asarray(pc.array_sort_indices(pa.array(texts, type=pa.string())), dtype=np.intp)


def _sorted_codes(codes: np.ndarray, texts: np.ndarray) -> pd.Categorical:
    """Codes into distinct ``texts`` (``-1`` blank) as a categorical of the texts sorted."""
    categories = _strictly_sorted_index(texts)
    if categories is None:
        if not pd.Index(texts, dtype=object).is_monotonic_increasing:
            order = _arrow_order(texts)
            rank = np.empty(len(order), dtype=np.intp)
            rank[order] = np.arange(len(order), dtype=np.intp)
            codes = np.where(codes >= 0, rank[codes], -1) if (codes < 0).any() else rank[codes]
            texts = texts[order]
            categories = _strictly_sorted_index(texts)
        if categories is None:  # equal texts: the dtype refuses them, as it always did
            categories = pd.Index(texts, dtype=object)
    dtype = pd.CategoricalDtype(categories, ordered=False)  # checks uniqueness: known from the order
    return pd.Categorical.from_codes(codes, dtype=dtype)


def _strictly_sorted_index(texts: np.ndarray) -> pd.Index | None:
    """``texts`` as an object Index when they are strictly increasing, else ``None``.

    pandas finds the order and, when strict, the uniqueness in one pass over neighbours: the Index
    then knows it is unique without hashing every text (a sixth of the time at a million IDs).
    """
    index = pd.Index(texts, dtype=object)
    return index if index.is_monotonic_increasing and index.is_unique else None


def _from_known_codes(values: pd.Series, known: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Compact codes and the text of each, from codes that tell the IDs apart; ``None`` when they do not fit."""
    known = np.asarray(known)
    if len(known) != len(values) or not len(known) or not np.issubdtype(known.dtype, np.integer):
        return None
    cells = values.to_numpy()
    blank = known < 0
    some_blank = bool(blank.any())
    if some_blank and not pd.isna(cells[blank]).all():
        return None
    rows = np.flatnonzero(~blank) if some_blank else np.arange(len(known))
    coded = known[rows] if some_blank else known
    first = np.full(int(known.max()) + 1, -1, dtype=np.intp)
    first[coded[::-1]] = rows[::-1]  # the first row of each code
    used = first >= 0
    texts = np.asarray(cells[first[used]], dtype=object)
    if pd.isna(texts).any() or not _is_unique(texts):  # codes that do not tell IDs apart
        return None
    if used.all():
        codes = known
    else:
        new = np.cumsum(used) - 1
        codes = np.where(blank, -1, new[np.maximum(known, 0)]) if some_blank else new[known]
    probe = np.unique(np.linspace(0, len(codes) - 1, min(len(codes), 10_000)).astype(np.intp))
    probe = probe[codes[probe] >= 0]  # the codes are the caller's word: checked on up to 10,000 rows
    if not np.array_equal(texts[codes[probe]], cells[probe]):
        return None
    return codes, texts


def _is_unique(texts: np.ndarray) -> bool:
    """Whether ``texts`` are distinct: without hashing them when they are strictly increasing."""
    index = pd.Index(texts)
    index.is_monotonic_increasing  # noqa: B018  (when strictly increasing, this pass also tells is_unique)
    return bool(index.is_unique)


def _as_categorical(values: pd.Series, known: np.ndarray | None = None) -> pd.Series:
    """One ID column as a categorical of its distinct texts, sorted (one hash pass over the rows, none
    when ``known`` codes tell the IDs apart)."""
    found = None if known is None or is_categorical(values) else _from_known_codes(values, known)
    if found is not None:
        codes, texts = found
    elif is_categorical(values):  # only its categories are sorted (or made text)
        codes = values.cat.codes.to_numpy(np.intp)
        texts = np.asarray(values.cat.categories, dtype=object)
    else:
        codes, uniques = pd.factorize(values)
        texts = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(texts, skipna=False) != "string":  # numbers as IDs: their text
        texts = texts.astype(str).astype(object)
        if pd.Index(texts).has_duplicates:  # 1 and "1" are one ID
            joined = texts[np.maximum(codes, 0)]
            joined[codes < 0] = None
            codes, merged = pd.factorize(joined)
            texts = np.asarray(merged, dtype=object)
    return pd.Series(_sorted_codes(codes, texts), index=values.index, name=values.name)


def align_ids(frames: Mapping[str, pd.DataFrame | None], columns: Iterable[str] = ID_COLUMNS
              ) -> dict[str, pd.DataFrame | None]:
    """The frames with each ID column recoded to one shared set of categories (the sorted union).

    Customers and events read from two files know different IDs; with the same categories a merge
    of the two joins on integer codes and keeps the categorical dtype.

    Parameters
    ----------
    frames : Mapping of str to pandas.DataFrame or None
        Frames by dataset kind.
    columns : Iterable[str]
        The ID columns (default :data:`ID_COLUMNS`).

    Returns
    -------
    dict of str to pandas.DataFrame or None
        The same keys; frames without the columns are returned unchanged.
    """
    out: dict[str, pd.DataFrame | None] = dict(frames)
    for column in columns:
        holders = {k: categorical_ids(f, (column,)) for k, f in out.items()
                   if f is not None and column in f.columns}
        if not holders:
            continue
        out.update(holders)
        sets = [f[column].cat.categories for f in holders.values()]
        if all(c is sets[0] for c in sets[1:]):  # one kind, or already aligned
            continue
        dtype, recodes = _union(sets)
        for (kind, frame), recode in zip(holders.items(), recodes, strict=True):
            codes = frame[column].cat.codes.to_numpy()
            if recode is not None:
                codes = np.append(recode, -1)[codes]  # a blank's code -1 takes the -1 at the end
            frame = frame.copy(deep=False)  # one categories object for all: found aligned by identity
            frame[column] = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
            out[kind] = frame
    return out


def _union(sets: list[pd.Index]) -> tuple[pd.CategoricalDtype, list[np.ndarray | None]]:
    """The sorted union of text category sets, and per set the position of each of its categories
    in the union (``None``: the same categories). One Arrow hash pass over all the sets: the union
    of four sets of a million IDs took seconds of Python string hashing in pandas."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if all(c is sets[0] or c.equals(sets[0]) for c in sets[1:]):
        return pd.CategoricalDtype(sets[0], ordered=False), [None] * len(sets)
    encoded = pa.concat_arrays([pa.array(np.asarray(c, dtype=object), type=pa.string()) for c in sets]
                               ).dictionary_encode()
    union = encoded.dictionary
    order = pc.array_sort_indices(union).to_numpy()  # UTF-8 byte order: Python's order of str
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order), dtype=np.intp)
    texts = union.take(order).to_numpy(zero_copy_only=False)
    categories = _strictly_sorted_index(texts)  # strictly increasing: unique without a hash of every ID
    if categories is None:
        categories = pd.Index(texts, dtype=object)
    recodes = np.split(rank[encoded.indices.to_numpy()], np.cumsum([len(c) for c in sets])[:-1])
    return pd.CategoricalDtype(categories, ordered=False), [
        None if len(r) == len(rank) and bool((r == np.arange(len(r))).all()) else r for r in recodes]


def concat_ids(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pandas.concat(frames, ignore_index=True)`` of frames with the same columns, each ID column one
    categorical of the sorted union of the frames' IDs (:func:`align_ids`).

    The codes of the ID columns are joined as integers: ``pandas.concat`` of the categoricals would
    hash the million categories of every part to compare their dtypes.

    Parameters
    ----------
    frames : list of pandas.DataFrame
        Frames with the same columns in the same order.

    Returns
    -------
    pandas.DataFrame
        The rows of every frame in order, with a fresh ``RangeIndex``.
    """
    aligned = align_ids({str(i): frame for i, frame in enumerate(frames)})
    parts = [frame for frame in aligned.values() if frame is not None]
    columns = list(frames[0].columns)
    ids = [c for c in ID_COLUMNS if c in columns]
    out = pd.concat([p.drop(columns=ids) for p in parts], ignore_index=True)
    for column in ids:
        codes = np.concatenate([p[column].cat.codes.to_numpy() for p in parts])
        dtype = parts[0][column].dtype
        out.insert(columns.index(column), column, pd.Categorical.from_codes(codes, dtype=dtype, validate=False))
    return out
