"""Uploads are read in a child interpreter: the same result as in-process, the reader's own errors
unchanged, and a crash, a hang or memory exhaustion of the child turned into a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from cs_models.errors import IngestError
from cs_models.io import read_table
from cs_models.io.isolated import read_table_isolated, run_isolated

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
