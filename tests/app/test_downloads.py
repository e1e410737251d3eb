"""Every table download of every page, in Japanese: translated headers, no unnamed index column,
numbers rounded as the page shows them (the CSV is what a CS lead forwards)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import ui.components
from tests.app.util import assert_clean, run_app

PAGES = ("pages/cohorts.py", "pages/churn.py", "pages/survey.py", "pages/gaps.py", "pages/data.py", "pages/risk.py",
         "pages/forecast.py")
#: A header still in code form (``time_days``, ``ci_low``): not translated.
CODE_NAME = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")


@pytest.fixture
def written(monkeypatch):
    """The frames the page's CSV buttons would write, with whether their index is written."""
    frames: list[tuple[pd.DataFrame, bool]] = []
    real = ui.components.to_csv_bytes

    def record(frame: pd.DataFrame, *, index: bool = True) -> bytes:
        frames.append((frame, index))
        return real(frame, index=index)

    monkeypatch.setattr(ui.components, "to_csv_bytes", record)
    # the files are written on the click; here on every rerun, so that they can be looked at
    real_deferred = ui.components.deferred
    monkeypatch.setattr(ui.components, "deferred", lambda write, frame: real_deferred(write, frame)())
    return frames


def _decimals(value: float) -> int:
    text = f"{value:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("page", PAGES)
def test_downloads_are_translated_without_row_numbers_and_rounded(page, written):
    at = run_app(page, lang="ja")
    assert_clean(at)
    if page != "pages/data.py":
        assert written, "the page offers no download"
    for frame, index in written:
        headers = [str(c) for c in frame.columns] + ([str(n) for n in frame.index.names] if index else [])
        assert not [h for h in headers if CODE_NAME.match(h)], headers
        assert index == any(n is not None for n in frame.index.names)
        for column in frame.columns:
            values = pd.to_numeric(frame[column], errors="coerce").dropna() if frame[column].dtype.kind == "f" else []
            assert all(_decimals(v) <= 3 for v in values), (column, list(values)[:5])


@pytest.mark.parametrize("page", ["pages/churn.py", "pages/cohorts.py", "pages/risk.py", "pages/forecast.py"])
def test_no_file_is_written_until_a_button_is_clicked(page, monkeypatch):
    """Building the CSV/XLSX on every rerun took 23-45% of a warm Churn rerun: a page renders
    its download buttons without writing either file."""

    def refuse(*_: object, **__: object) -> bytes:
        raise AssertionError("a download was written during a rerun")

    monkeypatch.setattr(ui.components, "to_csv_bytes", refuse)
    monkeypatch.setattr(ui.components, "to_xlsx_bytes", refuse)
    assert_clean(run_app(page, lang="en"))
