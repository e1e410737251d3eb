"""The browser loads Streamlit's chart and table code while the visitor reads the first page.

Streamlit's frontend loads the code of its Plotly charts (one 4.7 MB script) and of its tables
(1.2 MB) only when a page first draws one. The Overview draws neither, so the first chart page a
visitor opened paid for the download and the compilation (about 1 s of Story's 1.8 s first visit
with its analyses already computed), and the first table page (Revenue) paid 0.3–0.4 s more.
:func:`preload_element_code` mounts an empty component whose script imports those chunks when the
browser is idle; the elements later import the same modules and find them ready.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from streamlit.components.v2.types import ComponentRenderer

#: The chunks' names in Streamlit's frontend build (their hashes change with Streamlit's version):
#: the Plotly chart's and the table's (``st.dataframe``, ``st.data_editor``).
CHUNK_PATTERNS = ("PlotlyChart.*.js", "DataFrame.*.js")

_JS = """
export default function ({ data }) {
  const main = Array.from(document.scripts).find((s) => /\\/static\\/js\\/index\\.[^/]+\\.js$/.test(s.src));
  if (!main || !data || !data.chunks || window.__csLensChartCode) return;
  window.__csLensChartCode = true;
  const load = () => Promise.all(data.chunks.map((chunk) => import(new URL(chunk, main.src).href)))
    .catch(() => { window.__csLensChartCode = false; });
  (window.requestIdleCallback || ((f) => setTimeout(f, 200)))(load, { timeout: 3000 });
}
"""


@functools.cache
def code_chunks() -> tuple[str, ...]:
    """The file names of :data:`CHUNK_PATTERNS` in the installed Streamlit (a pattern that matches
    no file or several is left out)."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    found = [sorted(path.name for path in folder.glob(pattern)) for pattern in CHUNK_PATTERNS]
    return tuple(names[0] for names in found if len(names) == 1)


@functools.cache
def _component() -> ComponentRenderer:
    return st.components.v2.component("cs_lens_chart_code", js=_JS)


def preload_element_code() -> None:
    """In the sidebar, an empty element whose script loads the chart and table code when the browser
    is idle (once per page load; nothing when no chunk is found)."""
    chunks = code_chunks()
    if not chunks:
        return
    with st.sidebar:
        _component()(key="cs_lens_chart_code", data={"chunks": list(chunks)}, height="content")
