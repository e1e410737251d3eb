"""Parsed uploads live in the session that uploaded them (``ui.upload_store``): read once per file
however often the page reruns, never shared with another session (not even for identical bytes),
and freed as soon as the file leaves the uploader."""

from __future__ import annotations

import pytest

import ui.data_view
from cs_models.io import isolated
from tests.app.util import assert_clean, run_app
from tests.uploads import title_cp932
from ui.upload_store import STORE_KEY

FILE = title_cp932(4)


@pytest.fixture
def calls(monkeypatch):
    """Counts of the isolated reader's and the mapping suggester's calls (the real ones still run)."""
    counts = {"read": 0, "suggest": 0}

    def counted(name, real):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)
        return wrapper

    # every read in a child, planned ahead or not, asks for the child's answer once
    monkeypatch.setattr(isolated, "_read_answer", counted("read", isolated._read_answer))
    monkeypatch.setattr(ui.data_view, "suggest_mapping", counted("suggest", ui.data_view.suggest_mapping))
    return counts


def _upload():
    at = run_app("pages/data.py", lang="en")
    at.file_uploader[0].upload("顧客一覧.csv", FILE, "text/csv")
    at.run()
    assert_clean(at)
    return at


def test_reruns_neither_read_nor_suggest_again(calls):
    at = _upload()
    assert calls == {"read": 1, "suggest": 1}
    at.run()
    at.run()
    assert calls == {"read": 1, "suggest": 1}
    assert len(at.metric) == 3  # read, used, excluded: the check is drawn on every rerun


def test_identical_files_in_two_sessions_are_read_twice(calls):
    first, second = _upload(), _upload()
    assert calls["read"] == 2  # no entry shared between sessions
    mine, theirs = first.session_state[STORE_KEY], second.session_state[STORE_KEY]
    assert not {id(v) for v in mine.values()} & {id(v) for v in theirs.values()}


def test_a_removed_file_is_forgotten(calls):
    at = _upload()
    assert at.session_state[STORE_KEY]
    at.file_uploader[0].clear()
    at.run()
    assert_clean(at)
    assert at.session_state[STORE_KEY] == {}


def test_a_bad_file_is_refused_once_not_on_every_rerun(calls):
    at = run_app("pages/data.py", lang="en")
    at.file_uploader[0].upload("broken.xlsx", b"PK\x03\x04" + b"\x14\x00" * 40, "application/octet-stream")
    at.run()
    at.run()
    assert len(at.error) == 1
    assert calls["read"] == 1
