"""Detection and messages that name the real problem (issue 16): a UTF-16 tab-separated list of ids
and start dates is offered as customers (not a survey with no problems); a file named .xlsx that is
not a workbook says so (not an encoding message); a CSV saved under .xlsx is read, with a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from cs_models.catalogue import translate
from cs_models.errors import IngestError
from cs_models.io import read_table
from cs_models.io.isolated import read_table_isolated
from cs_models.pipeline import process_table
from cs_models.schema import detect_kind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "detection"


def test_utf16_tab_separated_ids_and_start_dates_are_customers():
    data = (FIXTURES / "utf16_tab_id_start.txt").read_bytes()
    read = read_table(data, "utf16_tab_id_start.txt")
    assert (read.encoding, read.delimiter, list(read.frame.columns)) == ("utf-16", "\t", ["id", "start"])
    assert detect_kind(read.frame).kind == "customers"
    report = process_table(read, "utf16_tab_id_start.txt")
    assert report.kind == "customers"
    assert report.validation.rows_used == 4
    assert report.frame["customer_id"].tolist() == ["A001", "A002", "A003", "A004"]


@pytest.mark.parametrize("reader", [read_table, read_table_isolated])
def test_a_non_workbook_named_xlsx_says_it_is_not_a_workbook(reader):
    with pytest.raises(IngestError) as caught:
        reader((FIXTURES / "text_named.xlsx").read_bytes(), "text_named.xlsx")
    assert caught.value.code == "ingest_not_a_workbook"
    for lang in ("ja", "en"):
        message = translate(lang, f"errors.{caught.value.code}", **caught.value.params, **caught.value.where())
        assert "text_named.xlsx" in message
        assert "Excel" in message


def test_a_csv_saved_as_xlsx_is_read_with_a_note():
    read = read_table((FIXTURES / "csv_named.xlsx").read_bytes(), "csv_named.xlsx")
    assert read.encoding == "cp932"
    assert "csv_renamed_xlsx" in read.notes
    assert list(read.frame.columns) == ["顧客ID", "契約開始日"]
