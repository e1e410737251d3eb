"""The Data page with one dataset split over several files (issue 15): the parts are combined into one
dataset named by its files, parts with other columns are refused, IDs repeated across the parts of a
dataset keyed by ID are listed row by row and left out."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from cs_models.catalogue import translate
from cs_models.sample import SAMPLE_DIR
from tests.app.util import LANGS, assert_clean, run_app, texts
from ui.components import md_escape

PAGE = "pages/data.py"


def upload(at, *files: tuple[str, bytes]):
    for name, data in files:
        at.file_uploader[0].upload(name, data, "application/octet-stream")
    at.run()
    return at


def halves(lang: str, kind: str) -> tuple[bytes, bytes]:
    """The sample file of ``kind`` split in two CSV files, each with the header."""
    lines = (SAMPLE_DIR / lang / f"{kind}.csv").read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    middle = len(lines) // 2
    return "".join(lines[:middle]).encode(), "".join([lines[0], *lines[middle:]]).encode()


def as_parquet(csv: bytes) -> bytes:
    """A CSV file's cells (all text) as a Parquet file."""
    buf = io.BytesIO()
    pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False).to_parquet(buf, index=False)
    return buf.getvalue()


@pytest.mark.parametrize("lang", LANGS)
def test_two_event_files_are_used_as_one_dataset(lang):
    first, second = halves(lang, "events")
    at = upload(run_app(PAGE, lang=lang), ("events_2025.csv", first), ("events_2026.parquet", as_parquet(second)))
    assert_clean(at)
    kinds = [s.value for s in at.selectbox if s.label == translate(lang, "data.kind")]
    assert kinds == ["events", "events"]
    files = translate(lang, "data.list_separator").join(["events\\_2025\\.csv", "events\\_2026\\.parquet"])
    assert translate(lang, "data.parts_combined", dataset=translate(lang, "common.dataset_events"), files=files,
                     n=2) in texts(at)
    at.button(key="data_use_files").click().run()
    assert_clean(at)
    datasets = at.session_state["uploaded_datasets"]
    assert datasets.available() == ["events"]
    assert datasets.row_counts() == {"events": 23816}
    assert datasets.origins["events"] == "events_2025.csv, events_2026.parquet"
    # the loaded datasets list one events dataset, named by both files
    assert translate(lang, "data.origin", file=md_escape("events_2025.csv, events_2026.parquet"),
                     columns=3) in texts(at)


@pytest.mark.parametrize("lang", LANGS)
def test_parts_with_other_columns_are_refused_naming_both_files(lang):
    first, second = halves(lang, "events")
    header, *rows = second.decode().splitlines(keepends=True)
    second = "".join([header.rstrip("\n") + ",memo\n", *(r.rstrip("\n") + ",x\n" for r in rows)]).encode()
    at = upload(run_app(PAGE, lang=lang), ("a.csv", first), ("b.csv", second))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert "a\\.csv" in errors[0]
    assert "b\\.csv" in errors[0]
    assert not [b for b in at.button if b.key == "data_use_files"]


def test_an_id_in_two_customer_files_is_listed_and_left_out():
    first, second = halves("en", "customers")
    repeated = first.decode().splitlines(keepends=True)[1]  # C00001, again in the second file
    second = second + repeated.encode()
    at = upload(run_app(PAGE, lang="en"), ("customers_a.csv", first), ("customers_b.csv", second))
    assert not at.exception
    assert translate("en", "data.issues_across_files", n="1") in texts(at)
    rows = at.table[-1].value
    assert rows[translate("en", "data.col_file")].tolist() == ["customers_b.csv"]
    assert rows[translate("en", "data.col_value")].tolist() == ["C00001"]
    assert rows[translate("en", "data.col_row")].tolist() == [len(second.decode().splitlines())]
    label = translate("en", "validation_label.duplicate_across_files")
    assert rows[translate("en", "data.col_code")].tolist() == [label]
    at.button(key="data_use_files").click().run()
    customers = at.session_state["uploaded_datasets"].customers
    assert len(customers) == 2000
    assert customers["customer_id"].is_unique


def test_the_parts_are_read_ahead_once_each(monkeypatch):
    """The page plans every uploaded file's read (``ReadAhead``): a child reads the second part while
    the page checks the first; each part is read once, in the read-ahead thread, and reruns read nothing."""
    import threading

    from cs_models.io import isolated

    reads: list[tuple[str, str]] = []
    real = isolated._read_answer  # the child's answer (unpickled by ReadAhead.result, in the page's thread)
    monkeypatch.setattr(isolated, "_read_answer", lambda data, name, **k: reads.append(
        (name, threading.current_thread().name)) or real(data, name, **k))
    first, second = halves("en", "events")
    at = upload(run_app(PAGE, lang="en"), ("events_2025.csv", first), ("events_2026.csv", second))
    assert_clean(at)
    assert sorted(name for name, _ in reads) == ["events_2025.csv", "events_2026.csv"]
    assert all(thread.startswith("cs-lens-read-ahead_") for _, thread in reads)
    at.run()
    assert len(reads) == 2
    at.button(key="data_use_files").click().run()
    assert_clean(at)
    assert at.session_state["uploaded_datasets"].row_counts() == {"events": 23816}
