"""Shared fixtures: the repository root on sys.path and clean Streamlit caches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _clear_streamlit_caches() -> None:
    """Each test starts with empty ``st.cache_data``/``st.cache_resource`` caches."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
