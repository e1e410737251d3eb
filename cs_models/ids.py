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
from typing import Any

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


def drop_unused_ids(frame: pd.DataFrame, columns: Iterable[str] = ID_COLUMNS) -> pd.DataFrame:
    """``frame`` with the categories no row uses removed from its categorical ID columns.

    What :meth:`pandas.Series.cat.remove_unused_categories` gives, found by counting codes (no hash
    of the categories, no sort of the codes).

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame whose ID columns (those it has) may be categorical.
    columns : Iterable[str]
        The ID columns (default :data:`ID_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        The same frame when every category is used, else a shallow copy with the columns replaced.
    """
    out = frame
    for column in columns:
        if column not in frame.columns or not is_categorical(frame[column]):
            continue
        values = frame[column]
        codes, used = compact_codes(values.cat.codes.to_numpy(), len(values.cat.categories))
        if used is None:
            continue
        kept = values.cat.categories[used]
        kept.is_monotonic_increasing  # noqa: B018  (sorted categories: this pass also tells is_unique)
        dtype = pd.CategoricalDtype(kept, ordered=values.cat.ordered)
        if out is frame:
            out = frame.copy(deep=False)
        out[column] = pd.Series(pd.Categorical.from_codes(codes, dtype=dtype, validate=False),
                                index=values.index, name=column)
    return out


def _sorted_text_categories(values: pd.Series) -> bool:
    if not is_categorical(values):
        return False
    categories = values.cat.categories
    return bool(categories.dtype == object and categories.is_monotonic_increasing and not values.cat.ordered)


def _sort_texts(texts: np.ndarray, arrow: Any = None) -> tuple[np.ndarray | None, pd.Index]:
    """Distinct texts sorted: the new position of each (``None`` when already sorted) and the sorted
    texts as an Index whose order was checked first, so that its uniqueness comes from that same pass
    (pandas would otherwise hash every text: a sixth of the time at a million IDs).

    Arrow sorts UTF-8 bytes, which is the order of code points: Python's order of ``str``, found
    without a Python comparison per pair (a tenth of the time at a million IDs). ``arrow``: the same
    texts as Arrow strings, when the caller has them.
    """
    index = pd.Index(texts, dtype=object)
    if index.is_monotonic_increasing:
        return None, index
    import pyarrow as pa
    import pyarrow.compute as pc

    order = np.asarray(pc.array_sort_indices(pa.array(texts, type=pa.string()) if arrow is None else arrow),
                       dtype=np.intp)
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order), dtype=np.intp)
    index = pd.Index(texts[order], dtype=object)
    index.is_monotonic_increasing  # noqa: B018  (strictly increasing: this pass also tells is_unique)
    return rank, index


def _recode(codes: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """``rank[codes]``, a blank's code ``-1`` staying ``-1``."""
    return np.append(rank, -1)[codes]


def compact_codes(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Codes into ``size`` values renumbered so that the values no code uses are left out (by a
    scatter of the codes: no hash, no sort; the others keep their order).

    Parameters
    ----------
    codes : numpy.ndarray
        Integer codes, ``-1`` for a blank (kept).
    size : int
        How many values the codes point into.

    Returns
    -------
    tuple
        The codes (same dtype) and which values are used; ``(codes, None)`` when all are.
    """
    used = np.zeros(size + 1, dtype=bool)
    used[codes] = True  # a blank's code -1 marks the spare last slot
    used = used[:size]
    if used.all():
        return codes, None
    renumber = np.append(np.cumsum(used) - 1, -1).astype(codes.dtype)  # the last slot: a blank's -1 stays -1
    return renumber[codes], used


def _sorted_codes(codes: np.ndarray, texts: np.ndarray) -> pd.Categorical:
    """Codes into distinct ``texts`` (``-1`` blank) as a categorical of the texts sorted."""
    rank, categories = _sort_texts(texts)
    dtype = pd.CategoricalDtype(categories, ordered=False)  # refuses equal texts, as it always did
    return pd.Categorical.from_codes(codes if rank is None else _recode(codes, rank), dtype=dtype)


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
    index.is_monotonic_increasing  # noqa: B018  (strictly increasing: this pass also tells is_unique)
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
                codes = _recode(codes, recode)
            frame = frame.copy(deep=False)  # one categories object for all: found aligned by identity
            frame[column] = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
            out[kind] = frame
    return out


def _union(sets: list[pd.Index]) -> tuple[pd.CategoricalDtype, list[np.ndarray | None]]:
    """The sorted union of sorted text category sets, and per set the position of each of its categories
    in the union (``None``: the same categories).

    The sets are merged one after the other as sorted lists (:meth:`pandas.Index.join` of monotonic
    unique indexes: one comparison per text, no hash, no sort); the positions of a set's texts in the
    merge are where the merge's indexer of that side is not ``-1``.
    """
    if all(c is sets[0] or c.equals(sets[0]) for c in sets[1:]):
        return pd.CategoricalDtype(sets[0], ordered=False), [None] * len(sets)
    union = sets[0]
    positions: list[np.ndarray | None] = [None]  # None: every position of the union so far
    for categories in sets[1:]:
        joined, left, right = union.join(categories, how="outer", return_indexers=True)
        ours = None if left is None else np.flatnonzero(left >= 0)
        positions = [p if ours is None else ours if p is None else ours[p] for p in positions]
        positions.append(None if right is None else np.flatnonzero(right >= 0))
        union = joined
    union.is_monotonic_increasing  # noqa: B018  (strictly increasing: this pass also tells is_unique)
    return pd.CategoricalDtype(union, ordered=False), [
        None if p is None or (len(p) == len(union)) else p for p in positions]


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
    ids = [c for c in ID_COLUMNS if c in frames[0].columns]
    coded = []
    for part in parts:  # the ID columns as their integer codes, the other columns not copied
        part = part.copy(deep=False)
        for column in ids:
            part[column] = part[column].cat.codes.to_numpy()
        coded.append(part)
    out = pd.concat(coded, ignore_index=True)
    for column in ids:
        out[column] = pd.Categorical.from_codes(out[column].to_numpy(), dtype=parts[0][column].dtype,
                                                validate=False)
    return out
