"""A CSV with a few rows far wider than the rest (a fuzz shape of issue 16: a chunk repeated without its
newlines) is refused as a ragged row before the padded grid is built: a 270 KB file took 170 MB."""

from __future__ import annotations

import tracemalloc

import pytest

from cs_models.errors import IngestError
from cs_models.io import read_table

HEADER = ",".join(f"col{j}" for j in range(10))


def _file(wide_cells: int, rows: int = 3000) -> bytes:
    body = [",".join(f"v{i}_{j}" for j in range(10)) for i in range(rows)]
    body.insert(16, ",".join("x" for _ in range(wide_cells)))
    return ("\n".join([HEADER, *body]) + "\n").encode()


def test_one_far_wider_row_is_refused_before_the_read_with_little_memory():
    data = _file(1248)
    tracemalloc.start()
    try:
        with pytest.raises(IngestError) as caught:
            read_table(data, "tickets.csv")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    exc = caught.value
    assert (exc.code, exc.row, exc.params["fields"], exc.params["expected"]) == ("ingest_ragged_row", 18, 1248, 10)
    assert peak < 10 * len(data)  # the padded grid (3,001 x 1,248 cells) would be ~ 30 MB of pointers alone


def test_a_slightly_wider_row_is_still_found_by_the_usual_check():
    with pytest.raises(IngestError) as caught:
        read_table(_file(12), "tickets.csv")
    assert (caught.value.code, caught.value.row, caught.value.params["fields"]) == ("ingest_ragged_row", 18, 12)
