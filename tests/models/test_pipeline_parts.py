"""One dataset split over several files (issue 15): ``assemble(..., combine=True)`` concatenates the parts
exactly as the same rows in one file, refuses parts with other columns (``pipeline_parts_differ``) and
one table uploaded twice (``pipeline_duplicate_kind``), and leaves out rows repeating an ID an earlier
part of a dataset keyed by ID holds (``duplicate_across_files``, file and row named)."""

from __future__ import annotations

import pandas as pd
import pytest

from cs_models.catalogue import LANGUAGES, translate
from cs_models.errors import IngestError
from cs_models.pipeline import assemble, cross_file_issues, load_files, process_file
from cs_models.sample import SAMPLE_DIR


def split(kind: str, parts: int) -> list[bytes]:
    """The English sample file of ``kind`` cut into ``parts`` files, each with the header."""
    header, *rows = (SAMPLE_DIR / "en" / f"{kind}.csv").read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    size = -(-len(rows) // parts)
    return ["".join([header, *rows[i: i + size]]).encode() for i in range(0, len(rows), size)]


@pytest.mark.parametrize("kind", ["events", "customers", "tickets"])
def test_parts_combined_equal_the_whole_file(kind: str) -> None:
    whole = process_file((SAMPLE_DIR / "en" / f"{kind}.csv").read_bytes(), f"{kind}.csv", kind=kind)
    datasets, reports = load_files([(f"{kind}_{i}.csv", data) for i, data in enumerate(split(kind, 3))],
                                   kind=kind, combine=True)
    pd.testing.assert_frame_equal(datasets.get(kind), whole.frame, check_exact=True)
    assert datasets.origins[kind] == f"{kind}_0.csv, {kind}_1.csv, {kind}_2.csv"
    assert cross_file_issues(reports).empty


def test_without_combine_two_files_of_one_kind_are_still_refused() -> None:
    parts = split("events", 2)
    with pytest.raises(IngestError) as caught:
        load_files([("a.csv", parts[0]), ("b.csv", parts[1])])
    assert caught.value.code == "pipeline_duplicate_kind"


def test_the_same_table_twice_is_refused_even_when_combining() -> None:
    data = (SAMPLE_DIR / "en" / "events.csv").read_bytes()
    with pytest.raises(IngestError) as caught:
        load_files([("a.csv", data), ("b.csv", data)], combine=True)
    assert (caught.value.code, caught.value.file, caught.value.params["other"]) == (
        "pipeline_duplicate_kind", "b.csv", "a.csv")


def test_parts_with_other_columns_are_refused_naming_both_files() -> None:
    a = b"customer_id,date,amount\nC1,2024-01-01,100\n"
    b = b"customer_id,date,amount,memo\nC2,2024-02-01,100,x\n"
    with pytest.raises(IngestError) as caught:
        load_files([("a.csv", a), ("b.csv", b)], kind="events", combine=True)
    err = caught.value
    assert (err.code, err.file, err.params["other"], err.params["columns"]) == (
        "pipeline_parts_differ", "b.csv", "a.csv", "memo")
    for lang in LANGUAGES:
        message = translate(lang, "errors.pipeline_parts_differ", **err.params, **err.where())
        assert "a.csv" in message
        assert "b.csv" in message


def test_an_id_repeated_across_parts_is_an_issue_naming_file_and_row() -> None:
    a = "顧客ID,開始日\n1,2024/1/1\n2,2024/2/1\n".encode()
    b = "顧客ID,開始日\n3,2024/1/1\n\n2,2024/3/1\n".encode()  # a blank line: the repeat is on row 4
    datasets, reports = load_files([("a.csv", a), ("b.csv", b)], kind="customers", combine=True)
    issues = cross_file_issues(reports)
    assert issues[["file", "row", "column", "code", "value", "detail", "action"]].to_dict("records") == [
        {"file": "b.csv", "row": 4, "column": "顧客ID", "code": "duplicate_across_files", "value": "2",
         "detail": "a.csv", "action": "excluded"}]
    assert datasets.customers["customer_id"].tolist() == ["1", "2", "3"]
    assert datasets.customers["start_date"].tolist() == [pd.Timestamp(d) for d in ("2024-01-01", "2024-02-01",
                                                                                     "2024-01-01")]
    for lang in LANGUAGES:
        assert "a.csv" in translate(lang, "validation.duplicate_across_files", value="2", detail="a.csv")


def test_events_may_repeat_a_customer_across_parts() -> None:
    a = b"customer_id,date\nC1,2024-01-01\n"
    b = b"customer_id,date\nC1,2024-02-01\n"
    datasets, reports = load_files([("a.csv", a), ("b.csv", b)], kind="events", combine=True)
    assert len(datasets.events) == 2
    assert cross_file_issues(reports).empty
    assert assemble(reports, combine=True).origins == {"events": "a.csv, b.csv"}
