"""Helpers for AppTest runs of the real app (router, sidebar and page together)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from cs_models.datasets import Datasets

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
LANGS = ("ja", "en")


def run_app(
    page: str | None = None,
    *,
    lang: str = "en",
    uploaded: Datasets | None = None,
    query: dict[str, Any] | None = None,
    timeout: float = 60,
) -> AppTest:
    """Run ``app.py`` (optionally switched to ``page``, e.g. ``"pages/churn.py"``) and return it.

    Parameters
    ----------
    page : str, optional
        Page script to open; the default page when omitted.
    lang : {"ja", "en"}
        UI language, passed as ``?lang=`` like a shared link.
    uploaded : Datasets, optional
        Datasets to put in the session as if the user had uploaded them.
    query : dict, optional
        Further query parameters (URL-bound widget values).
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = str(value)
    if uploaded is not None:
        at.session_state["uploaded_datasets"] = uploaded
        at.session_state["source"] = "upload"
    if page is not None:
        at.switch_page(page)
    at.run()
    return at


def assert_clean(at: AppTest) -> None:
    """No exception and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def chart_titles(at: AppTest) -> list[str]:
    """The titles drawn in the page's Plotly charts (with their data-source line)."""
    out = []
    for chart in at.get("plotly_chart"):
        title = json.loads(chart.proto.spec).get("layout", {}).get("title", {})
        out.append(html.unescape(str(title.get("text", ""))))
        out.append(html.unescape(str(title.get("subtitle", {}).get("text", ""))))
    return out


def texts(at: AppTest) -> str:
    """All markdown, captions, titles, headers, info boxes, metric labels/values and chart titles as one text."""
    parts: list[str] = []
    for group in (at.title, at.header, at.subheader, at.markdown, at.caption, at.info, at.warning, at.success):
        parts.extend(str(e.value) for e in group)
    for metric in at.metric:
        parts.extend([str(metric.label), str(metric.value)])
    parts.extend(chart_titles(at))
    return "\n".join(parts)
