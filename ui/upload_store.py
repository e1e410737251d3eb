"""This session's parsed uploads: private to the session, freed with it, never re-hashed on a rerun.

A parsed upload (and its check) is kept in the session's own state, keyed by the uploader's
``file_id`` (unique per uploaded file and session) and the reading options. Nothing is shared with
another session, not even for identical bytes; a file removed from the uploader is forgotten at the
next rerun, and everything goes when the session ends. Errors are kept too, so a bad file is not
parsed again on every widget click.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Hashable
from typing import TypeVar

import streamlit as st

from cs_models.errors import CSLensError

T = TypeVar("T")
STORE_KEY = "_upload_store"
#: Results kept per file and step (the latest reading options, mappings, ...): older ones are dropped.
PER_STEP = 2


def remembered(file_id: str, step: str, options: tuple[Hashable, ...], make: Callable[[], T]) -> T:
    """``make()`` once per uploaded file, step and options in this session; a package error is kept
    and raised again.

    Parameters
    ----------
    file_id : str
        The uploader's id of the file.
    step : str
        What is kept (``"read"``, ``"check"``, ...).
    options : tuple
        The options the result depends on (sheet, header row, mapping, ...).
    make : callable
        Makes the result.

    Returns
    -------
    object
        The kept or new result.
    """
    store: dict[tuple[str, str, tuple[Hashable, ...]], object] = st.session_state.setdefault(STORE_KEY, {})
    key = (file_id, step, options)
    if key not in store:
        try:
            store[key] = make()
        except CSLensError as exc:
            store[key] = exc
        same = [k for k in store if k[:2] == key[:2]]
        for old in same[:-PER_STEP]:  # insertion order: the oldest first
            del store[old]
    value = store[key]
    if isinstance(value, CSLensError):
        raise value
    return value  # type: ignore[return-value]


def is_remembered(file_id: str, step: str, options: tuple[Hashable, ...]) -> bool:
    """Whether :func:`remembered` holds a result (or an error) of this file, step and options.

    Parameters
    ----------
    file_id, step, options
        As for :func:`remembered`.

    Returns
    -------
    bool
    """
    return (file_id, step, options) in st.session_state.get(STORE_KEY, {})


def keep_only(file_ids: Collection[str]) -> None:
    """Forget every kept result of a file that is no longer uploaded.

    Parameters
    ----------
    file_ids : collection of str
        The uploader's current files.
    """
    store = st.session_state.get(STORE_KEY)
    if store:
        for key in [k for k in store if k[0] not in file_ids]:
            del store[key]


def widget_key(file_id: str, name: str, data: bytes) -> str:
    """The key prefix of a file's widgets: it follows the content (the same file uploaded again keeps
    its options), hashed once per uploaded file, not on every rerun.

    Parameters
    ----------
    file_id : str
        The uploader's id of the file.
    name : str
        The file's name.
    data : bytes
        Its content.

    Returns
    -------
    str
        ``"data_"`` and 12 hex digits.
    """
    digest = remembered(file_id, "digest", (), lambda: hashlib.sha256(data + name.encode("utf-8")).hexdigest())
    return f"data_{digest[:12]}"
