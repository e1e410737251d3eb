"""Files -> canonical datasets (:mod:`cs_models.pipeline`), the path shared by the Data page and the CLI.

Reference: :func:`cs_models.sample.load_sample` reads the bundled files with plain
``pandas.read_csv`` and fixed formats; uploading the same files must give the same frames.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cs_models.catalogue import translate
from cs_models.errors import IngestError
from cs_models.pipeline import adapt_mapping, assemble, load_files, process_file
from cs_models.sample import SAMPLE_DIR, load_sample
from cs_models.schema import ColumnMapping


def sample_files(lang: str) -> list[tuple[str, bytes]]:
    return [(f"{k}.csv", (SAMPLE_DIR / lang / f"{k}.csv").read_bytes())
            for k in ("customers", "events", "survey", "gaps")]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_uploading_the_sample_files_gives_the_sample_datasets(lang):
    datasets, reports = load_files(sample_files(lang))
    reference = load_sample(lang)
    assert datasets.source == "upload"
    assert [r.kind for r in reports] == ["customers", "events", "survey", "gaps"]
    for kind in ("customers", "events", "gaps"):
        pd.testing.assert_frame_equal(datasets.get(kind), reference.get(kind))
    survey, expected = datasets.survey, reference.survey
    # the reader NFKC-normalises headers (full-width brackets become ASCII); the cells are identical
    assert len(survey.columns) == len(expected.columns)
    pd.testing.assert_frame_equal(survey.set_axis(expected.columns, axis=1).fillna(pd.NA),
                                  expected.fillna(pd.NA))
    assert datasets.latest_date() == reference.latest_date()
    assert all(r.validation.rows_excluded == 0 for r in reports)


def test_two_files_of_one_kind_are_refused():
    events = (SAMPLE_DIR / "en" / "events.csv").read_bytes()
    with pytest.raises(IngestError) as info:
        load_files([("a.csv", events), ("b.csv", events)])
    assert (info.value.code, info.value.file, info.value.params["other"]) == (
        "pipeline_duplicate_kind", "b.csv", "a.csv")


def test_mapping_by_file_name_and_forced_kind():
    data = "番号,日\nA,2024-01-01\nA,2024-02-01\n".encode()
    mapping = ColumnMapping("events", {"customer_id": "番号", "date": "日"})
    datasets, reports = load_files([("x.csv", data)], mappings={"x.csv": mapping})
    assert reports[0].kind == "events"
    assert datasets.events["date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    with pytest.raises(IngestError) as info:
        process_file(data, "x.csv", kind="customers")
    assert info.value.code == "schema_missing_field"


def test_adapt_mapping_keeps_saved_headers_and_suggests_the_rest():
    frame = pd.DataFrame(columns=["番号", "契約開始日", "解約日", "備考"], dtype=object)
    saved = ColumnMapping("customers", {"customer_id": "番号", "start_date": "開始", "mrr": "月額"},
                          ignored=("備考", "メモ"))
    adapted = adapt_mapping(saved, frame)
    assert dict(adapted.fields) == {"customer_id": "番号", "start_date": "契約開始日", "end_date": "解約日"}
    assert adapted.ignored == ("備考",)


def test_a_file_without_usable_rows_cannot_be_assembled():
    report = process_file(b"customer_id,start_date\nC1,2024-02-30\n", "bad.csv")
    assert (report.validation.rows_read, report.validation.rows_used) == (1, 0)
    with pytest.raises(IngestError) as info:
        assemble([report])
    assert (info.value.code, info.value.file) == ("pipeline_no_rows", "bad.csv")


def test_the_no_rows_message_says_which_column_excluded_them():
    """60 customers that all end the day they start: the message names the end-date column and
    how many rows its problems excluded (before, it only said that no row could be used)."""
    rows = "".join(f"C{i},2024-04-01,2024-04-01\n" for i in range(60))
    report = process_file(f"顧客ID,契約開始日,解約日\n{rows}".encode(), "zero.csv")
    with pytest.raises(IngestError) as info:
        assemble([report])
    assert info.value.code == "pipeline_no_rows"
    assert (info.value.column, info.value.params) == ("解約日", {"rows": 60, "excluded": 60})
    text = translate("ja", "errors.pipeline_no_rows", **info.value.params, file="zero.csv", column=info.value.column)
    assert "「解約日」列" in text
