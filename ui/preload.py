"""The browser loads Streamlit's chart code while the visitor reads the first page.

Streamlit's frontend loads its Plotly chart code (one 4.7 MB script) only when a page first draws a
chart. The Overview draws none, so the first chart page a visitor opened paid for the download and
the compilation (about 1 s of Story's 1.8 s first visit with its analyses already computed).
:func:`preload_chart_code` mounts an empty component whose script imports that chunk when the
browser is idle; the chart element later imports the same module and finds it ready.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from streamlit.components.v2.types import ComponentRenderer

#: The chart chunk's name in Streamlit's frontend build (its hash changes with Streamlit's version).
CHUNK_PATTERN = "PlotlyChart.*.js"

_JS = """
export default function ({ data }) {
  const main = Array.from(document.scripts).find((s) => /\\/static\\/js\\/index\\.[^/]+\\.js$/.test(s.src));
  if (!main || !data || !data.chunk || window.__csLensChartCode) return;
  window.__csLensChartCode = true;
  const load = () => import(new URL(data.chunk, main.src).href).catch(() => { window.__csLensChartCode = false; });
  (window.requestIdleCallback || ((f) => setTimeout(f, 200)))(load, { timeout: 3000 });
}
"""


@functools.cache
def chart_chunk() -> str | None:
    """The file name of the chart chunk in the installed Streamlit, ``None`` if it has none or several."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    found = sorted(path.name for path in folder.glob(CHUNK_PATTERN))
    return found[0] if len(found) == 1 else None


@functools.cache
def _component() -> ComponentRenderer:
    return st.components.v2.component("cs_lens_chart_code", js=_JS)


def preload_chart_code() -> None:
    """In the sidebar, an empty element whose script loads the chart code when the browser is idle
    (once per page load; nothing when the chunk is not found)."""
    chunk = chart_chunk()
    if chunk is None:
        return
    with st.sidebar:
        _component()(key="cs_lens_chart_code", data={"chunk": chunk}, height="content")
