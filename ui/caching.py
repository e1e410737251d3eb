"""``cache_data``: Streamlit's data cache keyed by the *full* content of DataFrames.

Streamlit hashes a DataFrame of 50,000 rows or more from a 10,000-row sample, so a
re-upload that corrects a few rows could be served a stale result, and two users
whose sampled rows agree could share an entry. Every page caches through this
decorator instead, which hashes every cell.
"""

from __future__ import annotations

import copy
import ctypes
import functools
import gc
import hashlib
import pickle
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any, ParamSpec, TypeVar

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from cs_models.datasets import Datasets

P = ParamSpec("P")
R = TypeVar("R")


#: Analysis results (of uploads too) expire after an hour: an ended session's results do not stay.
RESULT_TTL_SECONDS = 3600

#: id(frame) -> (weak reference, digest) of the frames of assembled datasets, hashed once.
_KNOWN: dict[int, tuple[weakref.ref[pd.DataFrame], str]] = {}


def remember_digests(datasets: Datasets) -> Datasets:
    """Hash every frame of ``datasets`` once, so later cache keys cost O(1) in the data size.

    The frames of assembled datasets are never modified (pages and :mod:`cs_models` work on
    copies), so their digest stays true for as long as the frame lives; any other frame is
    hashed in full on every call.

    Parameters
    ----------
    datasets : Datasets
        Freshly assembled datasets (the sample, an upload).

    Returns
    -------
    Datasets
        ``datasets`` itself.
    """
    for kind in datasets.available():
        frame = datasets.get(kind)
        key = id(frame)
        known = _KNOWN.get(key)
        if frame is not None and (known is None or known[0]() is not frame):
            _KNOWN[key] = (weakref.ref(frame, lambda _, key=key: _KNOWN.pop(key, None)), _full_digest(frame))
    return datasets


#: id(datasets) -> (weak reference, latest date) of datasets whose latest date was looked up.
_LATEST: dict[int, tuple[weakref.ref[Datasets], date | None]] = {}


def latest_date(datasets: Datasets) -> date | None:
    """``datasets.latest_date()``, scanned once per datasets object (the as-of date is read many
    times per rerun; a scan of 10M events takes tens of milliseconds each time).

    The frames of assembled datasets are never modified (see :func:`remember_digests`), so the
    date stays true for as long as the object lives.

    Parameters
    ----------
    datasets : Datasets
        The loaded datasets.

    Returns
    -------
    datetime.date or None
        As :meth:`cs_models.datasets.Datasets.latest_date`.
    """
    key = id(datasets)
    known = _LATEST.get(key)
    if known is not None and known[0]() is datasets:
        return known[1]
    latest = datasets.latest_date()
    _LATEST[key] = (weakref.ref(datasets, lambda _, key=key: _LATEST.pop(key, None)), latest)
    return latest


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's columns, dtypes, index and every cell (remembered for datasets' frames).

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame.

    Returns
    -------
    str
        Hex digest.
    """
    known = _KNOWN.get(id(frame))
    if known is not None and known[0]() is frame:
        return known[1]
    return _full_digest(frame)


def _full_digest(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256(repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode())
    try:
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    except TypeError:  # unhashable cells (e.g. lists): hash the pickled frame instead
        digest.update(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL))
    return digest.hexdigest()


def series_digest(series: pd.Series) -> str:
    """SHA-256 of a series' name, dtype, index and values."""
    return frame_digest(series.to_frame(name=str(series.name)))


def datasets_digest(datasets: Datasets) -> str:
    """SHA-256 of every frame's digest (remembered), the source and the origins of ``datasets``.

    Streamlit hashes a dataclass through ``dataclasses.asdict``, which deep-copies every frame (and
    so misses the remembered digests): on the sample that was a quarter of a session's CPU.

    Parameters
    ----------
    datasets : Datasets
        Any datasets.

    Returns
    -------
    str
        Hex digest.
    """
    parts = [(kind, frame_digest(datasets.get(kind))) for kind in datasets.available()]  # type: ignore[arg-type]
    return hashlib.sha256(repr((parts, datasets.source, sorted(datasets.origins.items()))).encode()).hexdigest()


def _hash_funcs() -> dict[Any, Callable[[Any], str]]:
    return {pd.DataFrame: frame_digest, pd.Series: series_digest, Datasets: datasets_digest}


def cache_data(**kwargs: Any) -> Any:
    """``st.cache_data(**kwargs)`` with full-content hashing of DataFrames, Series and Datasets."""
    return st.cache_data(hash_funcs=_hash_funcs(), **kwargs)


def cache_resource(**kwargs: Any) -> Any:
    """``st.cache_resource(**kwargs)``: one shared object, never copied (read-only data only).

    Parameters
    ----------
    **kwargs
        Options of ``st.cache_resource``.

    Returns
    -------
    callable
        The decorator.
    """
    return st.cache_resource(**kwargs)


#: Session-state keys of this session's uploaded datasets and of which data it shows (``ui.state``).
UPLOADED_KEY = "uploaded_datasets"
SOURCE_KEY = "source"
#: Session-state key of the results computed on this session's uploaded data, and how many it keeps.
PRIVATE_KEY = "_private_results"
PRIVATE_ENTRIES = 64
#: Seconds between two full garbage collections (see :func:`collect_garbage`).
GC_INTERVAL_SECONDS = 60.0
_GC_LOCK = threading.Lock()
_LAST_GC = [time.monotonic()]


def _private_results() -> OrderedDict[Any, Any] | None:
    """This session's own results when it shows uploaded data (``None``: the sample, or no script run).

    Results on uploaded data never go into a cache that another session reads, and they go with
    the session (20 sessions that each uploaded a 52 MB file left 5.9 GB in the shared caches).
    """
    if get_script_run_ctx() is None:
        return None
    state = st.session_state
    if state.get(UPLOADED_KEY) is None or state.get(SOURCE_KEY, "upload") != "upload":
        return None
    return state.setdefault(PRIVATE_KEY, OrderedDict())


def _arg_key(value: Any) -> Any:
    """A hashable key of a cached function's argument: frames by their full-content digests."""
    if isinstance(value, pd.DataFrame):
        return "frame", frame_digest(value)
    if isinstance(value, pd.Series):
        return "series", series_digest(value)
    if isinstance(value, Datasets):
        return "datasets", datasets_digest(value)
    if isinstance(value, dict):
        return "dict", tuple(sorted((repr(k), _arg_key(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return type(value).__name__, tuple(_arg_key(v) for v in value)
    if isinstance(value, set | frozenset):
        return "set", tuple(sorted(repr(v) for v in value))
    return type(value).__name__, repr(value)


def _remember(memo: OrderedDict[Any, Any], fn: Callable[..., R], copy_result: bool, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> R:
    key = (fn.__module__, fn.__qualname__, _arg_key(args), _arg_key(kwargs))
    if key in memo:
        memo.move_to_end(key)
        value = memo[key]
    else:
        value = memo[key] = fn(*args, **kwargs)
        while len(memo) > PRIVATE_ENTRIES:
            memo.popitem(last=False)
    return copy.deepcopy(value) if copy_result else value


def collect_garbage() -> None:
    """A full garbage collection at most once a minute (``runner.postScriptGC`` is off).

    Ended sessions hold their uploads in reference cycles, which only a full collection frees; after
    every run it cost a fifth of the server's CPU under load, once a minute it costs nothing. Then
    the freed heap is handed back to the system (``malloc_trim``).
    """
    now = time.monotonic()
    if now - _LAST_GC[0] < GC_INTERVAL_SECONDS or not _GC_LOCK.acquire(blocking=False):
        return
    try:
        _LAST_GC[0] = now
        gc.collect()
        _trim()
    finally:
        _GC_LOCK.release()


@functools.cache
def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to trim
        return None


def _trim() -> None:
    """Give freed heap memory back to the system (glibc keeps it in the arenas of the script
    threads otherwise: ended sessions' uploads stayed resident)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


@functools.cache
def cached(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` (a :mod:`cs_models` function) behind :func:`cache_data`: pages call
    ``cached(cohorts.build)(frame, ...)`` instead of writing their own wrappers.

    Parameters
    ----------
    fn : callable
        A pure function of its arguments (frames are keyed by their full content).

    Returns
    -------
    callable
        The cached function, the same object for every call with the same ``fn``. On a session's
        uploaded data the results stay in that session (a copy per call, as from the cache).
    """
    return _private_or(fn, cache_data(show_spinner=False, max_entries=32, ttl=RESULT_TTL_SECONDS)(fn), True)


@functools.cache
def shared(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` behind ``st.cache_resource``, keyed like :func:`cached`: **one** result object for every
    session with the same arguments, instead of an unpickled copy on every hit.

    For callers that only read the result (``Result`` dataclasses are frozen; their frames and
    figures must not be modified: copy them first). With a hundred sessions opening the Overview at
    once, the copies of :func:`cached` were a large share of each session's CPU. Sessions share an
    entry only when the full content of their data is equal and it is the sample, never for uploads.

    Parameters
    ----------
    fn : callable
        A pure function of its arguments (frames are keyed by their full content).

    Returns
    -------
    callable
        The cached function, the same object for every call with the same ``fn``. On a session's
        uploaded data the result is that session's own (never shared, gone with the session).
    """
    common = st.cache_resource(hash_funcs=_hash_funcs(), show_spinner=False, max_entries=32,
                               ttl=RESULT_TTL_SECONDS)(fn)
    return _private_or(fn, common, False)


def _private_or(fn: Callable[P, R], common: Callable[P, R], copy_result: bool) -> Callable[P, R]:
    """``fn`` through this session's own memo when it shows uploaded data, else through ``common``."""

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = _private_results()
        if memo is None:
            return common(*args, **kwargs)
        return _remember(memo, fn, copy_result, args, kwargs)

    return call

