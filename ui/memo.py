"""``derived``: what every session makes the same way from a shared result, made once.

With a hundred colleagues opening the Overview at once, each session built the same view models
(translated tables, card values, download frames) from the same shared result
(:func:`ui.caching.shared`). :func:`derived` keeps one copy per *anchor object*, arguments and
language, for every session in the process.

Isolation: an entry is found only through the **identity** of its anchor (a live object, checked
through a weak reference), which is stricter than a content digest: :func:`ui.caching.shared` hands
the same result object only to sessions whose data have the same full-content digest, and the frames
of one session's upload are objects no other session holds. An entry dies with its anchor, and the
memo is bounded (least recently used out first).

The values are shared: callers only read them (copy before changing).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ui.i18n import current_lang

R = TypeVar("R")

#: Most entries kept; the oldest unused entry goes first.
MAX_ENTRIES = 256

_LOCK = threading.Lock()
#: (function, id(anchor), arguments, language) -> (weak reference to the anchor, value).
_ENTRIES: OrderedDict[tuple[Any, ...], tuple[weakref.ref[Any], Any]] = OrderedDict()


def derived(fn: Callable[..., R], anchor: Any, *args: Hashable) -> R:
    """``fn(anchor, *args)``, made once per anchor object, arguments and language in this process.

    Parameters
    ----------
    fn : callable
        A pure function of the anchor, the arguments and the current language (it may call
        :func:`ui.i18n.t`). Module-level functions only: the key names it by module and name.
    anchor : object
        A shared, read-only object (a result of :func:`ui.caching.shared`, a frame of the loaded
        datasets); it must accept weak references.
    *args : hashable
        Further arguments; part of the key.

    Returns
    -------
    object
        The value, shared with every other session that asks for the same thing: read it only.

    Raises
    ------
    TypeError
        When ``anchor`` cannot be weakly referenced or an argument is not hashable.
    """
    key = (fn.__module__, fn.__qualname__, id(anchor), args, current_lang())
    with _LOCK:
        known = _ENTRIES.get(key)
        if known is not None and known[0]() is anchor:
            _ENTRIES.move_to_end(key)
            return known[1]  # type: ignore[no-any-return]
    value = fn(anchor, *args)
    ref = weakref.ref(anchor, lambda _, key=key: _forget(key))
    with _LOCK:
        _ENTRIES[key] = (ref, value)
        _ENTRIES.move_to_end(key)
        while len(_ENTRIES) > MAX_ENTRIES:
            _ENTRIES.popitem(last=False)
    return value


def _leading(result: Any, findings: Callable[[Any], list[Any]], n: int | None,
             codes: tuple[str, ...] | None) -> list[Any]:
    found = findings(result)
    if codes is not None:
        found = [f for f in found if f.code in codes]
    return found[:n] if n is not None else found


def leading_findings(findings: Callable[[Any], list[R]], result: Any, n: int | None = None,
                     codes: tuple[str, ...] | None = None) -> list[R]:
    """``findings(result)`` (only ``codes``, at most ``n``), made once per shared result.

    Parameters
    ----------
    findings : callable
        A module-level findings function of :mod:`cs_models`.
    result : object
        A shared result (see :func:`derived`).
    n : int, optional
        At most this many, first first.
    codes : tuple of str, optional
        Only findings with these codes.

    Returns
    -------
    list of Finding
        Shared: read only.
    """
    return derived(_leading, result, findings, n, codes)


def _forget(key: tuple[Any, ...]) -> None:
    with _LOCK:
        known = _ENTRIES.get(key)
        if known is not None and known[0]() is None:
            del _ENTRIES[key]


def entries() -> int:
    """How many values are remembered (for tests and diagnostics)."""
    with _LOCK:
        return len(_ENTRIES)


def clear() -> None:
    """Forget every value (tests)."""
    with _LOCK:
        _ENTRIES.clear()


_CONFIG_STATE: dict[str, Any] = {"generation": 0, "sections": {}}


def share_streamlit_config() -> None:
    """Read each ``[theme*]`` section of Streamlit's configuration once, not on every run.

    Streamlit builds a ``new_session`` message at the start of every script run and reads six
    theme sections for it, each a scan of every config option under the config lock: with a
    hundred sessions that was about a seventh of the server's CPU. The sections are the same for
    every session; this memo is dropped whenever an option is set or deleted, or the options are
    parsed again. Idempotent; the values returned are copies.
    """
    from streamlit import config

    if getattr(config.get_options_for_section, "_cs_lens_memo", False):
        return
    read, set_option, delete_option = config.get_options_for_section, config._set_option, config._delete_option
    state = _CONFIG_STATE

    def _changed() -> None:
        with _LOCK:
            state["generation"] += 1
            state["sections"] = {}

    def memo_set_option(key: str, value: Any, where_defined: str) -> None:
        set_option(key, value, where_defined)
        _changed()

    def memo_delete_option(key: str) -> None:
        delete_option(key)
        _changed()

    def memo_read(section: str) -> dict[str, Any]:
        key = (section, id(config._config_options), state["generation"])
        known = state["sections"].get(key)
        if known is None:
            known = read(section)
            with _LOCK:
                state["sections"][key] = known
        return dict(known)

    memo_read._cs_lens_memo = True  # type: ignore[attr-defined]
    config._set_option = memo_set_option
    config._delete_option = memo_delete_option
    config.get_options_for_section = memo_read
    config.on_config_parsed(lambda: _changed(), force_connect=True)
