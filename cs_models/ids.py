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


def categorical_ids(frame: pd.DataFrame, columns: Iterable[str] = ID_COLUMNS) -> pd.DataFrame:
    """``frame`` with its ID columns as categoricals of sorted string categories (blank IDs stay NaN).

    Parameters
    ----------
    frame : pandas.DataFrame
        A canonical frame; columns it lacks are skipped.
    columns : Iterable[str]
        The ID columns (default :data:`ID_COLUMNS`).

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
        out[column] = _as_categorical(frame[column])
    return out


def _sorted_text_categories(values: pd.Series) -> bool:
    if not is_categorical(values):
        return False
    categories = values.cat.categories
    return bool(categories.dtype == object and categories.is_monotonic_increasing and not values.cat.ordered)


def _as_categorical(values: pd.Series) -> pd.Series:
    """One ID column as a categorical of its distinct texts, sorted."""
    if is_categorical(values):
        values = values.astype(object)
    codes, uniques = pd.factorize(values, sort=True)  # one hash pass; NaN -> -1
    uniques = pd.Index(np.asarray(uniques, dtype=object).astype(str), dtype=object)
    if not uniques.is_monotonic_increasing:  # non-text IDs (numbers): sort as text
        order = np.argsort(uniques.to_numpy(), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
        uniques = uniques[order]
    if uniques.has_duplicates:  # 1 and "1" read as one ID
        return _as_categorical(values.map(lambda v: v if pd.isna(v) else str(v)))
    dtype = pd.CategoricalDtype(uniques, ordered=False)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=values.index, name=values.name)


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
        categories = pd.Index(sorted(set().union(*(f[column].cat.categories for f in holders.values()))),
                              dtype=object)
        dtype = pd.CategoricalDtype(categories, ordered=False)
        for kind, frame in holders.items():
            if frame[column].dtype != dtype:
                frame = frame.copy(deep=False)
                frame[column] = frame[column].cat.set_categories(categories).astype(dtype)
            out[kind] = frame
    return out
