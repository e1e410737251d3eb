"""Parquet uploads (issue 15): read like a CSV with its header on row 1, mapped and validated like the
same data as CSV, damaged files refused with ``ingest_bad_parquet`` naming the file.

Fixtures: ``tests/fixtures/parquet`` (``tests/fixtures/make_parquet_fixtures.py``); the customers in
them are those of ``tests/fixtures/ingest/utf8.csv``.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cs_models.catalogue import LANGUAGES, translate
from cs_models.errors import IngestError
from cs_models.io import read_table
from cs_models.io.isolated import read_table_isolated
from cs_models.pipeline import process_file

ROOT = Path(__file__).resolve().parent.parent / "fixtures"
PARQUET = ROOT / "parquet"
CSV = ROOT / "ingest" / "utf8.csv"


def read(name: str) -> object:
    return read_table((PARQUET / name).read_bytes(), name)


def test_text_columns_read_exactly_as_the_same_csv() -> None:
    parquet, csv = read("customers_text.parquet"), read_table(CSV.read_bytes(), "utf8.csv")
    pd.testing.assert_frame_equal(parquet.frame, csv.frame, check_exact=True)
    assert (parquet.kind, parquet.header_row, parquet.encoding, parquet.delimiter) == ("parquet", 1, None, None)


@pytest.mark.parametrize("name", ["customers_text.parquet", "customers_typed.parquet"])
def test_validated_like_the_same_data_as_csv(name: str) -> None:
    """Text or typed columns (dates, timestamps, a dictionary, int64): the same customers and no issue."""
    parquet = process_file((PARQUET / name).read_bytes(), name, kind="customers")
    csv = process_file(CSV.read_bytes(), "utf8.csv", kind="customers")
    assert parquet.mapping.fields == csv.mapping.fields
    pd.testing.assert_frame_equal(parquet.frame, csv.frame, check_exact=True)
    assert parquet.issues.empty
    assert csv.issues.empty


def test_native_cells_are_what_the_workbook_reader_gives() -> None:
    frame = read("customers_typed.parquet").frame
    assert frame.loc[2, "契約開始日"] == dt.datetime(2023, 4, 1)
    assert frame.loc[3, "解約日"] == dt.datetime(2024, 1, 31)
    assert frame.loc[2, "解約日"] is None
    assert frame.loc[4, "月額料金"] == 49800
    assert isinstance(frame.loc[4, "月額料金"], int)
    assert frame.loc[3, "プラン"] == "スタンダード"


def test_blank_rows_are_dropped_and_rows_keep_their_numbers() -> None:
    result = read("blank_row.parquet")
    assert result.blank_rows_dropped == 1
    assert list(result.frame.index) == [2, 4, 5]


def test_text_is_cleaned_once_per_distinct_value_as_in_csv() -> None:
    result = read("fullwidth.parquet")
    assert list(result.frame["顧客ID"]) == ["ABC1", "002", None]
    assert "text_normalised" in result.notes


@pytest.mark.parametrize(
    ("name", "code", "params"),
    [
        ("damaged.parquet", "ingest_bad_parquet", {}),
        ("truncated.parquet", "ingest_bad_parquet", {"detail": "no Parquet signature"}),
        ("renamed_csv.parquet", "ingest_bad_parquet", {"detail": "no Parquet signature"}),
        ("duplicate_columns.parquet", "ingest_duplicate_headers", {"names": "顧客ID"}),
        ("header_only.parquet", "ingest_header_only", {}),
    ],
)
def test_bad_files_are_refused_naming_the_file(name: str, code: str, params: dict[str, object]) -> None:
    with pytest.raises(IngestError) as caught:
        read(name)
    assert caught.value.code == code
    assert caught.value.file == name
    assert params.items() <= caught.value.params.items()
    for lang in LANGUAGES:
        message = translate(lang, f"errors.{code}", **caught.value.params, **caught.value.where())
        assert name in message
        assert "{" not in message


def test_a_cell_longer_than_a_spreadsheet_cell_is_refused_with_its_row() -> None:
    buf = io.BytesIO()
    pq.write_table(pa.table({"id": ["1", "2", "x" * 40_000]}), buf)
    with pytest.raises(IngestError) as caught:
        read_table(buf.getvalue(), "long.parquet")
    assert (caught.value.code, caught.value.row, caught.value.column) == ("ingest_cell_too_long", 4, "A")


def test_the_isolated_reader_gives_the_same_table() -> None:
    data = (PARQUET / "customers_typed.parquet").read_bytes()
    isolated, direct = read_table_isolated(data, "c.parquet"), read_table(data, "c.parquet")
    assert isolated.frame.equals(direct.frame)
    with pytest.raises(IngestError) as caught:
        read_table_isolated((PARQUET / "damaged.parquet").read_bytes(), "damaged.parquet")
    assert caught.value.code == "ingest_bad_parquet"


def test_damaged_bytes_are_read_or_refused_with_the_packages_own_error() -> None:
    """400 copies of a Parquet fixture with 1-8 random bytes changed (the signatures kept): each is read
    or refused as ``ingest_bad_parquet``; no other exception escapes."""
    import random

    base = (PARQUET / "customers_typed.parquet").read_bytes()
    rng = random.Random(0)
    codes = set()
    for _ in range(400):
        mutant = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            mutant[rng.randrange(4, len(mutant) - 4)] = rng.randrange(256)
        try:
            read_table(bytes(mutant), "m.parquet")
        except IngestError as exc:
            codes.add(exc.code)
    assert codes == {"ingest_bad_parquet"}
