"""Make deep links work on a freshly started server.

Because the project has a ``pages/`` folder, Streamlit serves the very first
request in its legacy multipage mode (it runs ``pages/<name>.py`` directly,
without ``app.py``) until ``st.navigation`` has been called once. A page that
finds itself run that way switches the server to ``st.navigation`` mode and
reruns: the rerun goes through ``app.py`` to the same page (legacy and ``st.Page``
pages both hash their URL path), keeping the link's query parameters.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


def ensure_router() -> None:
    """Rerun through ``app.py`` when this page was started in legacy pages/ mode."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        ctx = get_script_run_ctx()
        script = Path(ctx.pages_manager.get_pages()[ctx.page_script_hash]["script_path"])
        page = script.relative_to(Path(ctx.main_script_path).parent).as_posix()
        st.switch_page(page, query_params=st.query_params.to_dict())
