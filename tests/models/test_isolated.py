"""Uploads are read in a child interpreter: the same result as in-process, the reader's own errors
unchanged, and a crash, a hang or memory exhaustion of the child turned into a message."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from cs_models.errors import IngestError
from cs_models.io import read_table
from cs_models.io.isolated import BASE_MEMORY_MB, read_table_isolated, run_isolated

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"


@pytest.mark.parametrize("name", ["cp932_title.csv", "title_rows.xlsx", "utf16_unicode_text.txt"])
def test_the_child_reads_exactly_what_the_server_would(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    isolated, direct = read_table_isolated(data, name), read_table(data, name)
    assert isolated.frame.equals(direct.frame)
    assert (isolated.encoding, isolated.header_row, isolated.notes) == (direct.encoding, direct.header_row,
                                                                         direct.notes)


def test_the_readers_own_error_comes_back_unchanged() -> None:
    with pytest.raises(IngestError) as caught:
        read_table_isolated((FIXTURES / "ragged_short.csv").read_bytes(), "ragged_short.csv")
    assert (caught.value.code, caught.value.row, caught.value.params["fields"]) == ("ingest_ragged_row", 4, 3)


@pytest.mark.parametrize(
    ("target", "args", "timeout", "code"),
    [
        ("os:abort", (), 600, "ingest_reader_crashed"),  # as calamine's allocation failure (SIGABRT)
        ("time:sleep", (3600,), 10, "ingest_reader_timeout"),
        ("builtins:bytearray", (4 * 1024**3,), 600, "ingest_out_of_memory"),
    ],
)
def test_a_child_that_dies_hangs_or_runs_out_of_memory_becomes_a_message(target, args, timeout, code) -> None:
    """The server process survives each of them (this test process is the server here). The deadlines
    only separate a hang from the rest: the child's start-up never decides the outcome."""
    with pytest.raises(IngestError) as caught:
        run_isolated(target, *args, name="hostile.xlsx", memory_mb=1024, timeout=timeout)
    assert (caught.value.code, caught.value.file) == (code, "hostile.xlsx")


def test_the_child_works_in_a_private_folder_of_its_own_that_is_removed(tmp_path, monkeypatch) -> None:
    """Nothing of an upload lands in a shared path: each call's child runs in a new folder (mode 0700,
    a unique name) that is its working folder and its temp folder, and the folder is gone afterwards.
    (The parent's temp folder is redirected to ``tmp_path``, so other processes cannot disturb the check.)"""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cwd = run_isolated("os:getcwd", name="a.csv", memory_mb=1024, timeout=600)
    again = run_isolated("os:getcwd", name="b.csv", memory_mb=1024, timeout=600)
    assert Path(cwd).parent == tmp_path
    assert Path(cwd).name.startswith("cs_lens_read_")
    assert cwd != again
    assert run_isolated("tempfile:gettempdir", name="a.csv", memory_mb=1024, timeout=600).startswith(str(tmp_path))
    mode = run_isolated("os:stat", ".", name="a.csv", memory_mb=1024, timeout=600).st_mode
    assert stat.S_IMODE(mode) == 0o700
    _, written = run_isolated("tempfile:mkstemp", name="a.csv", memory_mb=1024, timeout=600)  # a parser's temp file
    assert Path(written).parent.parent == tmp_path
    assert not Path(written).exists()
    read_table_isolated((FIXTURES / "title_rows.xlsx").read_bytes(), "title_rows.xlsx")
    with pytest.raises(IngestError):
        run_isolated("time:sleep", 3600, name="slow.csv", memory_mb=1024, timeout=5)  # killed: still removed
    with pytest.raises(IngestError):
        run_isolated("os:abort", name="crash.csv", memory_mb=1024, timeout=600)
    assert list(tmp_path.iterdir()) == []


def test_a_small_files_read_is_limited_to_about_512_mb() -> None:
    """The child's address space for a small file leaves about 400 MB above the interpreter with pandas
    (≈ 370 MB mapped): asking it for 600 MB is refused as out of memory, not granted."""
    with pytest.raises(IngestError) as caught:
        run_isolated("builtins:bytearray", 600 * 1024**2, name="big.csv", memory_mb=BASE_MEMORY_MB, timeout=600)
    assert caught.value.code == "ingest_out_of_memory"


def test_children_are_forked_by_one_zygote_not_started_afresh() -> None:
    """Issue 15 (upload path): a read forks from the zygote, which imported the reader once, instead of
    starting an interpreter that imports pandas again (about a second per upload). Every child has the
    same parent, which is not this (server) process."""
    parents = {run_isolated("os:getppid", name="a.csv", memory_mb=1024, timeout=600) for _ in range(3)}
    assert len(parents) == 1
    assert parents != {os.getpid()}


def test_reads_ahead_give_each_file_once_as_read_alone(monkeypatch) -> None:
    """``ReadAhead`` (the Data page's reads: a child reads the next file while the page checks this
    one) hands out what ``read_table_isolated`` gives, the reader's error included, each result once;
    the planned reads run in its own threads, at most ``AHEAD`` files ahead of the caller, and a file
    it was not asked to plan (or asked for again) is read on the spot."""
    import threading

    from cs_models.io import isolated

    reads: list[tuple[str, str, int]] = []  # (file, thread, files taken when its read started)
    taken: list[str] = []
    real = isolated._read_answer  # the child's answer (unpickled by ``result``, in the caller's thread)

    started_ahead = threading.Event()  # AHEAD reads under way before anything is taken

    def counted(data, name, **options):
        reads.append((name, threading.current_thread().name, len(taken)))
        if len(reads) == isolated.ReadAhead.AHEAD and not taken:
            started_ahead.set()
        return real(data, name, **options)

    monkeypatch.setattr(isolated, "_read_answer", counted)
    names = ("cp932_title.csv", "ragged_short.csv", "title_rows.xlsx")
    files = {name: (FIXTURES / name).read_bytes() for name in names}
    ahead = isolated.ReadAhead()
    ahead.plan([(name, data, name, {}) for name, data in files.items()])
    assert started_ahead.wait(60)
    first = ahead.result("cp932_title.csv", files["cp932_title.csv"], "cp932_title.csv")
    taken.append("cp932_title.csv")
    assert first.frame.equals(read_table(files["cp932_title.csv"], "cp932_title.csv").frame)
    with pytest.raises(IngestError) as caught:
        ahead.result("ragged_short.csv", files["ragged_short.csv"], "ragged_short.csv")
    taken.append("ragged_short.csv")
    assert caught.value.code == "ingest_ragged_row"
    xlsx = ahead.result("title_rows.xlsx", files["title_rows.xlsx"], "title_rows.xlsx")
    assert xlsx.frame.equals(read_table(files["title_rows.xlsx"], "title_rows.xlsx").frame)
    again = ahead.result("cp932_title.csv", files["cp932_title.csv"], "cp932_title.csv")  # handed out once
    assert again.frame.equals(first.frame)
    main = threading.current_thread().name
    # each planned file was read in a worker, in order, never more than AHEAD files ahead of what was taken
    # (the first AHEAD reads start together, in either order)
    assert sorted(n for n, _, _ in reads[:2]) == sorted(names[:2])
    assert [n for n, _, _ in reads[2:]] == [names[2], "cp932_title.csv"]
    assert all(t.startswith("cs-lens-read-ahead_") for _, t, _ in reads[:3])
    assert reads[3][1] == main
    assert all(ahead_of <= i for i, (_, _, ahead_of) in enumerate(reads[:3]))
    assert all(i - ahead_of <= isolated.ReadAhead.AHEAD for i, (_, _, ahead_of) in enumerate(reads[:3]))


def test_bytes_arguments_reach_the_child_unchanged() -> None:
    """The file's bytes are sent after the request, not pickled into it: they arrive as they were."""
    big = bytes(range(256)) * 40_000  # 10 MB
    assert run_isolated("operator:concat", big, b"", name="a.csv", memory_mb=1024, timeout=600) == big
    assert run_isolated("operator:concat", b"", b"x", name="a.csv", memory_mb=1024, timeout=600) == b"x"
    assert run_isolated("builtins:isinstance", b"abc", bytes, name="a.csv", memory_mb=1024, timeout=600)
    assert run_isolated("operator:concat", bytearray(b"a"), b"b", name="a.csv", memory_mb=1024,
                        timeout=600) == bytearray(b"ab")
