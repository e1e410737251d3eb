"""Translated texts for Streamlit's file uploader.

Streamlit 1.67 draws the uploader's button ("Upload") and its size hint ("200MB per
file • CSV, …") in English whatever the app's language, and offers no parameter to
change them. This module hides those two texts with CSS and shows catalogue strings
in their place, so the Japanese view has no English left in it.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

#: Streamlit's own DOM hooks (``data-testid``) for the two texts.
BUTTON_TEXT = '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p'
HINT_TEXT = '[data-testid="stFileUploaderDropzoneInstructions"] span'


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: quotes, backslashes, ``<`` and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", "\\A ")
    return f'"{escaped}"'


def uploader_css() -> str:
    """A ``<style>`` block replacing the uploader's English texts with translated ones."""
    button = css_string(t("common.upload_button"))
    hint = css_string(t("common.upload_hint", size=st.get_option("server.maxUploadSize")))
    return (
        "<style>"
        f"{BUTTON_TEXT}, {HINT_TEXT} {{ font-size: 0; }}"
        f"{BUTTON_TEXT}::after {{ content: {button}; font-size: 1rem; }}"
        f"{HINT_TEXT}::after {{ content: {hint}; font-size: 0.875rem; }}"
        "</style>"
    )


def translate_uploaders() -> None:
    """Apply :func:`uploader_css` to every file uploader of the page."""
    st.html(uploader_css())
