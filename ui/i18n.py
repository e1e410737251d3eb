"""``t(key, **kw)``: the one way pages get user-visible text."""

from __future__ import annotations

from typing import Any

import streamlit as st

from cs_models.catalogue import DEFAULT_LANGUAGE, LANGUAGES, translate

LANG_KEY = "lang"


def browser_language() -> str:
    """The UI language matching the browser's locale (``st.context.locale``)."""
    locale = (st.context.locale or "").lower()
    for lang in LANGUAGES:
        if locale.startswith(lang):
            return lang
    return DEFAULT_LANGUAGE


def current_lang() -> str:
    """The language chosen in the sidebar, else the link's (``?lang=``, which the sidebar will
    choose), else the browser's."""
    for lang in (st.session_state.get(LANG_KEY), st.query_params.get(LANG_KEY)):
        if lang in LANGUAGES:
            return lang
    return browser_language()


def t(key: str, **params: Any) -> str:
    """Translated text of ``key`` in the current language.

    Parameters
    ----------
    key : str
        ``"<namespace>.<key>"`` as in ``locales/<lang>/*.toml``.
    **params
        Values for the template's ``{placeholders}``. Escape user text with
        :func:`ui.components.md_escape` before passing it where markdown is rendered.
    """
    return translate(current_lang(), key, **params)
