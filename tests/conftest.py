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


@pytest.fixture(autouse=True)
def _warm_server_routing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run AppTests as on a warm server.

    AppTest puts Streamlit back into a fresh server's legacy ``pages/`` mode on every run,
    so ``ui.router`` would reroute (and run the page twice) each time. A real server does
    that only for its very first request, which the browser tests cover
    (``tests/e2e/test_shell_e2e.py``).
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def _no_prefetch(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTests start no background prefetch (it would fill the caches a test counts);
    ``tests/app/test_prefetch.py`` runs it in the foreground, without waiting for quiet after runs."""
    import threading

    from ui import prefetch
    from ui.i18n import LANGUAGES

    started = threading.Event()
    started.set()
    monkeypatch.setattr(prefetch, "_STARTED", started)
    monkeypatch.setattr(prefetch, "_ASKED", set(LANGUAGES))
    monkeypatch.setattr(prefetch, "QUIET_SECONDS", 0.0)
