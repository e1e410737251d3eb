"""Widgets whose value lives in the URL, so a copied link reopens the same view.

Streamlit's own ``bind="query-params"`` writes the *displayed* label into the URL,
which changes with the UI language; these helpers write the option's code instead
(``?metric=nrr``), so a link works in Japanese and English alike.

Column names and segment values of the bundled sample data differ by language
(``勉強会参加`` / ``study_sessions``): they go into the URL as the sample's
language-neutral codes (:func:`cs_models.sample.vocabulary`), so switching the
language keeps the view. Uploaded data keep their own names in either language.

Usage: ``url_widget(st.selectbox, label, options, key="metric", default="logo",
format_func=...)``. The value is seeded from the URL (or, when the URL has none,
from the last value this session chose on the page, so leaving a page and coming
back restores its view), then kept in session state and mirrored to the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import streamlit as st

from cs_models.sample import vocabulary
from ui.i18n import current_lang
from ui.state import unfiltered_datasets

SEPARATOR = ","
#: Session-state prefix of the last value each view widget held (widget state itself is
#: dropped by Streamlit when a page that draws the widget is left).
VIEW_PREFIX = "_view_"


def _words() -> Mapping[str, str]:
    """Text -> code for the values that depend on the data's language (the sample's only)."""
    return vocabulary(current_lang()) if unfiltered_datasets().source == "sample" else {}


def url_code(value: Any) -> str:
    """The text a URL holds for ``value``: the sample's language-neutral code of a word, else the text itself.

    Parameters
    ----------
    value : Any
        A column name, segment value or other option.

    Returns
    -------
    str
        E.g. ``"region"`` for the sample's ``地域``.
    """
    return _code(value)


def _code(value: Any) -> str:
    text = str(value)
    return _words().get(text, text) if isinstance(value, str) else text


def _encode(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return SEPARATOR.join(_code(v) for v in value)
    return _code(value)


def _by_code(options: Sequence[Any]) -> dict[str, Any]:
    """Options by the text a URL holds for them: their code, and their own text."""
    out = {str(o): o for o in options}
    out.update({_code(o): o for o in options})
    return out


def _decode(raw: str, default: Any, options: Sequence[Any] | None) -> Any:
    """Parse ``raw`` like ``default``; return ``default`` when it is not a valid value."""
    try:
        if isinstance(default, bool):
            value: Any = {"1": True, "0": False, "true": True, "false": False}[raw.lower()]
        elif isinstance(default, date):
            value = date.fromisoformat(raw)
        elif isinstance(default, (list, tuple)):
            value = [v for v in raw.split(SEPARATOR) if v] if raw else []
            if options is not None:
                by_text = _by_code(options)
                value = [by_text[v] for v in value if v in by_text]
            return value
        elif isinstance(default, int):
            value = int(raw)
        elif isinstance(default, float):
            value = float(raw)
        else:
            value = raw
    except (KeyError, ValueError):
        return default
    if options is not None:
        return _by_code(options).get(str(value), default)
    return value


def _valid(value: Any, options: Sequence[Any] | None) -> bool:
    if options is None:
        return True
    if isinstance(value, list):
        return all(v in options for v in value)
    return value in options


def seed_from_url(key: str, default: Any, options: Sequence[Any] | None = None) -> None:
    """Put the value of ``key`` in session state: the URL's, else this session's last, else ``default``.

    A value no longer among ``options`` (the language or the data changed) is re-read
    from its code, so ``?churn_segment=study_sessions`` is 勉強会参加 in Japanese and
    study_sessions in English.
    """
    if key in st.session_state and _valid(st.session_state[key], options):
        # Set again from the script on every run: the browser then redraws an option whose label
        # changed with the language, and a widget whose state the browser did not send keeps the
        # session's value instead of falling back to its default (a fresh server's first session
        # sends no widget states with its first page switch).
        st.session_state[key] = st.session_state[key]
        return
    raw = st.query_params.get(key, st.session_state.get(VIEW_PREFIX + key))
    st.session_state[key] = default if raw is None else _decode(raw, default, options)


def _clamp(key: str, low: Any, high: Any) -> None:
    """Keep a seeded scalar inside the widget's bounds (Streamlit refuses values outside them)."""
    value = st.session_state.get(key)
    if value is None or isinstance(value, (list, tuple)):
        return
    if low is not None and value < low:
        st.session_state[key] = low
    elif high is not None and value > high:
        st.session_state[key] = high


def write_to_url(key: str, value: Any, default: Any = None) -> None:
    """Mirror a value into the URL (removed when it is ``None`` or equals ``default``) and
    remember it for this session's next visit of the page."""
    encoded = _encode(value)
    st.session_state[VIEW_PREFIX + key] = encoded
    if encoded is None or encoded == _encode(default):
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != encoded:
        st.query_params[key] = encoded


def url_widget(
    widget: Callable[..., Any],
    label: str,
    options: Sequence[Any] | None = None,
    *,
    key: str,
    default: Any,
    keep_default: bool = False,
    **kwargs: Any,
) -> Any:
    """Draw ``widget`` with its value kept in session state and in the URL as ``?key=``.

    Parameters
    ----------
    widget : callable
        A Streamlit widget function such as ``st.selectbox``, ``st.radio``,
        ``st.segmented_control``, ``st.multiselect``, ``st.slider``, ``st.toggle``
        or ``st.date_input`` (or the same on a container, e.g. ``st.sidebar.radio``).
    label : str
        Translated label.
    options : sequence, optional
        Choices for selection widgets; the URL holds ``str(option)``.
    key : str
        Session-state key and URL parameter name.
    default : Any
        Value when the URL has none (also fixes the type used to parse the URL).
    keep_default : bool
        Write the value to the URL even when it equals ``default`` (by default the
        URL holds only what differs from the defaults, which keeps links short).
    **kwargs
        Passed to ``widget`` (``format_func``, ``min_value``, ``help`` …).
    """
    seed_from_url(key, default, options)
    _clamp(key, kwargs.get("min_value"), kwargs.get("max_value"))
    args = (label,) if options is None else (label, options)
    value = widget(*args, key=key, **kwargs)
    write_to_url(key, value, None if keep_default else default)
    return value
