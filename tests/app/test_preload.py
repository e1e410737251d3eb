"""``ui.preload``: the chart and table code's chunks are found in the installed Streamlit and every
page mounts the empty element that loads them (the browser side is ``tests/e2e/test_shell_e2e.py``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from tests.app.util import assert_clean, run_app
from ui import preload


def test_the_installed_streamlit_has_one_chart_chunk_and_one_table_chunk() -> None:
    """A Streamlit upgrade that renames a chunk fails here rather than silently loading nothing."""
    chunks = preload.code_chunks()
    assert [chunk.split(".")[0] for chunk in chunks] == ["PlotlyChart", "DataFrame"]
    for chunk in chunks:
        assert (Path(st.__file__).parent / "static" / "static" / "js" / chunk).is_file()


def test_every_run_mounts_the_loader_in_the_sidebar_with_the_chunks() -> None:
    at = run_app("pages/cohorts.py")
    assert_clean(at)
    specs = [e for e in at.sidebar.get("bidi_component") if "cs_lens_chart_code" in str(e.proto)]
    assert len(specs) == 1
    for chunk in preload.code_chunks():
        assert chunk in str(specs[0].proto)
