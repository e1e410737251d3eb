"""The Overview's report button: the report is built on the click, never while the page is drawn."""

from __future__ import annotations

from datetime import date

import pytest

import cs_models.report
from cs_models.catalogue import translate
from cs_models.errors import DataError
from cs_models.report import render_error_html
from tests.app.util import run_app
from ui.components import error_message


def test_drawing_the_overview_builds_no_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 (first page drawn): the Overview draws its cards and the button without building the
    report (8 MB of complete results). (The click's download is checked in tests/e2e/test_report_e2e.py.)"""
    calls: list[date] = []
    # the button imports the report on the click: patch the function where the click finds it
    monkeypatch.setattr(cs_models.report, "datasets_report", lambda *a, **k: calls.append(k["as_of"]) or {})
    at = run_app(lang="en")
    assert not at.exception
    assert calls == []
    labels = [b.proto.label for b in at.get("download_button")]
    assert translate("en", "report.download") in labels


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_data_error_gives_a_page_that_says_so_escaped(lang: str) -> None:
    """A report stopped by a package error downloads as a short page with the translated message,
    user text escaped (a file name with markup stays text)."""
    exc = DataError("report_no_file", "<b>x</b>.csv: no such file", file="<b>x</b>.csv")
    page = render_error_html(error_message(exc, lang=lang, escape=str), lang=lang)
    assert translate(lang, "report.title") in page
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;.csv" in page
