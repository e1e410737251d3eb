"""The Data page: dataset overview, uploads, mapping, validation report and "use these data"."""

from __future__ import annotations

import hashlib
import json

import pytest

from cs_models.catalogue import catalogue, translate
from cs_models.errors import IngestError
from cs_models.io import read_table
from cs_models.sample import SAMPLE_DIR
from tests.app.util import LANGS, assert_clean, run_app, texts
from tests.uploads import CORRUPT_XLSX, title_cp932
from ui.components import md_escape
from ui.data_view import ISSUES_SHOWN
from ui.uploader_texts import css_string

PAGE = "pages/data.py"
TITLE_CP932 = title_cp932(3)


def upload(at, *files: tuple[str, bytes]):
    for name, data in files:
        at.file_uploader[0].upload(name, data, "application/octet-stream")
    at.run()
    return at


def file_key(data: bytes, name: str) -> str:
    """The widget-key prefix the page gives an uploaded file."""
    return "data_" + hashlib.sha256(data + name.encode("utf-8")).hexdigest()[:12]


def selectbox_values(at) -> dict[str, object]:
    return {s.label: s.value for s in at.selectbox}


@pytest.mark.parametrize("lang", LANGS)
def test_page_lists_the_loaded_datasets(lang):
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    assert at.title[0].value == translate(lang, "data.page_title")
    assert translate(lang, "data.upload_title") in texts(at)
    assert len(at.file_uploader) == 1
    assert at.file_uploader[0].accept_multiple_files
    # Streamlit's own English uploader texts are replaced by catalogue strings
    style = "".join(element.proto.body for element in at.get("html"))
    assert css_string(translate(lang, "common.upload_button")) in style
    assert css_string(translate(lang, "common.upload_hint", size="400")) in style


def test_uploader_texts_are_valid_css_strings():
    """Quotes, backslashes, ``<`` (a ``</style>`` would end the block) and line breaks are escaped
    as CSS 2.1 §4.1.3 requires, so a translation can never break out of its ``content:`` string."""
    assert css_string("ファイル") == '"ファイル"'
    assert css_string('a "b" \\ c') == '"a \\"b\\" \\\\ c"'
    assert css_string("</style>\nx") == '"\\3C /style>\\A x"'


@pytest.mark.parametrize("lang", LANGS)
def test_cp932_upload_with_a_title_row_shows_mapping_report_and_preview(lang):
    at = upload(run_app(PAGE, lang=lang), ("顧客.csv", TITLE_CP932))
    assert not at.exception
    assert not at.error
    shown = texts(at)
    assert translate(lang, "data.encoding_cp932") in shown
    assert translate(lang, "data.read_summary", encoding=translate(lang, "data.encoding_cp932"),
                     row=3, rows="3") in shown
    boxes = selectbox_values(at)
    assert boxes[translate(lang, "data.kind")] == "customers"
    star = lambda f: translate(lang, "data.required_mark", field=translate(lang, f"data.field_{f}"))  # noqa: E731
    assert boxes[star("customer_id")] == "会社ID"
    assert boxes[star("start_date")] == "開始日"
    assert boxes[translate(lang, "data.field_end_date")] == "終了日"
    assert boxes[translate(lang, "data.field_mrr")] == "月額"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {translate(lang, "data.rows_read"): "3", translate(lang, "data.rows_used"): "1",
                       translate(lang, "data.rows_excluded"): "2"}
    issues = at.table[-1].value  # the first problems: a static table that wraps the messages
    assert issues[translate(lang, "data.col_row")].tolist() == [5, 6]
    assert issues[translate(lang, "data.col_message")].tolist() == [
        translate(lang, "validation.invalid_date", value="2024/2/30"),
        translate(lang, "validation.end_before_start", value="2024-05-01", detail="2024-06-01"),
    ]
    preview = at.dataframe[-1].value  # canonical headers in the UI language, dates as written, blanks blank
    field = {name: translate(lang, f"data.field_{name}") for name in ("customer_id", "start_date", "end_date", "mrr")}
    assert preview[field["customer_id"]].tolist() == ["007"]
    assert preview["会社名"].tolist() == ["髙橋商店"]
    assert preview[field["start_date"]].tolist() == ["2024-04-01"]
    assert preview[field["end_date"]].tolist() == [""]
    assert preview[field["mrr"]].tolist() == [9800.0]


@pytest.mark.parametrize("lang", LANGS)
def test_corrupt_file_shows_a_translated_error_and_no_exception(lang):
    with pytest.raises(IngestError) as info:  # the reader's own verdict on this file
        read_table(CORRUPT_XLSX, "broken.xlsx")
    exc = info.value
    assert f"errors.{exc.code}" in catalogue(lang), f"errors.{exc.code} is not translated"
    at = upload(run_app(PAGE, lang=lang), ("broken.xlsx", CORRUPT_XLSX))
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    escaped = {k: md_escape(v) for k, v in {**exc.params, **exc.where()}.items()}
    assert message.startswith(translate(lang, f"errors.{exc.code}", **escaped))
    assert "Traceback" not in message
    assert translate(lang, "data.nothing_to_use") in texts(at)


def test_several_files_then_use_them_for_the_session():
    files = [(f"{k}.csv", (SAMPLE_DIR / "en" / f"{k}.csv").read_bytes()) for k in ("customers", "events")]
    at = upload(run_app(PAGE, lang="en"), *files)
    assert_clean(at)
    kinds = [s.value for s in at.selectbox if s.label == translate("en", "data.kind")]
    assert kinds == ["customers", "events"]
    at.button(key="data_use_files").click().run()
    assert_clean(at)
    datasets = at.session_state["uploaded_datasets"]
    assert datasets.source == "upload"
    assert datasets.available() == ["customers", "events"]
    assert datasets.row_counts() == {"customers": 2000, "events": 23816}
    assert translate("en", "data.used", datasets="customers, activity / payments") in texts(at)


def test_two_files_of_one_kind_cannot_be_used_together():
    data = (SAMPLE_DIR / "ja" / "events.csv").read_bytes()
    at = upload(run_app(PAGE, lang="ja"), ("a.csv", data), ("b.csv", data))
    assert not at.exception
    assert translate("ja", "data.duplicate_kind", first="a\\.csv", second="b\\.csv",
                     dataset=translate("ja", "common.dataset_events")) in [w.value for w in at.warning]
    assert not [b for b in at.button if b.key == "data_use_files"]


def test_saved_mapping_json_is_reapplied_and_missing_fields_are_asked_for():
    undated = "番号,はじまり\n1,未定\n2,未定\n".encode()
    at = upload(run_app(PAGE, lang="ja"), ("undated.csv", undated))
    kind = next(s for s in at.selectbox if s.label == translate("ja", "data.kind"))
    assert kind.value == "survey"  # nothing looks like customers, not even the values: read as a survey
    partial = {"version": 1, "kind": "customers", "fields": {"customer_id": "番号"}}
    at.file_uploader[1].set_value(("m.json", json.dumps(partial).encode(), "application/json")).run()
    assert not at.exception
    assert translate("ja", "data.mapping_applied") in [e.value for e in at.success]
    field = translate("ja", "data.field_start_date")
    assert translate("ja", "data.mapping_incomplete", fields=field) in [w.value for w in at.warning]


def test_unknown_headers_are_offered_as_customers_by_their_values_and_a_saved_mapping_wins():
    """No header is known, but a unique first column and dates: offered as customers (such a file
    was read as a survey "with no problems"); a saved mapping is still re-applied over the suggestion."""
    odd = "番号,はじまり,おわり\n1,2024-01-01,\n2,2024-02-01,2024-03-01\n".encode()
    at = upload(run_app(PAGE, lang="ja"), ("odd.csv", odd))
    kind = next(s for s in at.selectbox if s.label == translate("ja", "data.kind"))
    assert kind.value == "customers"
    full = {"version": 1, "kind": "customers",
            "fields": {"customer_id": "番号", "start_date": "はじまり", "end_date": "おわり"}}
    at.file_uploader[1].set_value(("m2.json", json.dumps(full, ensure_ascii=False).encode(),
                                   "application/json")).run()
    assert_clean(at)
    assert {m.label: m.value for m in at.metric}[translate("ja", "data.rows_used")] == "2"
    preview = at.dataframe[-1].value
    assert preview[translate("ja", "data.field_customer_id")].tolist() == ["1", "2"]
    assert [v == "" for v in preview[translate("ja", "data.field_end_date")]] == [True, False]


def test_a_file_that_is_not_a_mapping_is_refused_politely():
    at = upload(run_app(PAGE, lang="en"), ("c.csv", (SAMPLE_DIR / "en" / "customers.csv").read_bytes()))
    at.file_uploader[1].set_value(("m.json", b"{not json", "application/json")).run()
    assert not at.exception
    assert [e.value for e in at.error] == [translate("en", "errors.schema_bad_mapping")]


def test_long_problem_lists_show_the_first_twenty_and_count_them_all():
    rows = "\n".join(f"C{i},2024-02-30" for i in range(150))
    at = upload(run_app(PAGE, lang="en"), ("bad.csv", f"customer_id,start_date\n{rows}\n".encode()))
    assert not at.exception
    counts, first = at.dataframe[-2].value, at.table[-1].value
    assert counts[translate("en", "data.col_count")].tolist() == [150]
    assert len(first) == ISSUES_SHOWN
    assert first[translate("en", "data.col_row")].tolist()[:2] == [2, 3]


def test_workbook_sheets_can_be_chosen_and_each_is_detected():
    data = (SAMPLE_DIR / "ja" / "cs_lens_sample.xlsx").read_bytes()
    at = upload(run_app(PAGE, lang="ja"), ("cs_lens_sample.xlsx", data))
    assert not at.exception
    sheet = next(s for s in at.selectbox if s.label == translate("ja", "data.sheet"))
    assert (sheet.value, sheet.options) == ("customers", ["customers", "events", "survey", "gaps", "tickets"])
    assert selectbox_values(at)[translate("ja", "data.kind")] == "customers"
    sheet.set_value("events").run()
    assert_clean(at)
    assert selectbox_values(at)[translate("ja", "data.kind")] == "events"
    assert {m.label: m.value for m in at.metric}[translate("ja", "data.rows_used")] == "23,816"
    assert translate("ja", "data.read_summary_sheet", sheet="events", row=1, rows="23,816") in texts(at)
    sheet = next(s for s in at.selectbox if s.label == translate("ja", "data.sheet"))
    sheet.set_value("tickets").run()  # the Zendesk-like sheet is detected as tickets
    assert_clean(at)
    assert selectbox_values(at)[translate("ja", "data.kind")] == "tickets"


def test_a_file_without_usable_rows_cannot_be_used():
    at = upload(run_app(PAGE, lang="ja"), ("bad.csv", b"customer_id,start_date\nC1,2024-02-30\n"))
    assert not at.exception
    assert translate("ja", "data.no_rows", file="bad\\.csv") in [w.value for w in at.warning]
    assert translate("ja", "data.nothing_to_use") in texts(at)


def test_survey_upload_offers_answer_scales_from_the_headers():
    data = (SAMPLE_DIR / "ja" / "survey.csv").read_bytes()
    at = upload(run_app(PAGE, lang="ja"), ("survey.csv", data))
    assert_clean(at)
    assert selectbox_values(at)[translate("ja", "data.kind")] == "survey"
    assert translate("ja", "data.scales_help") in texts(at)
    assert {m.label: m.value for m in at.metric}[translate("ja", "data.rows_used")] == "374"


def test_file_names_are_shown_as_text_not_markdown():
    name = "[click](http://evil.example)*x*.csv"
    at = upload(run_app(PAGE, lang="en"), (name, b"customer_id,start_date\nC1,2024-01-01\n"))
    assert_clean(at)
    assert [s.value for s in at.subheader] == [md_escape(name)]


def test_hand_kept_sheet_with_dashes_text_formulas_and_us_dates_is_read_whole():
    """A hand-kept cp932 sheet (title row, ``="007"`` IDs, ``ー`` for "not churned", a US-style
    ``m/d/yyyy`` churn date settled by the start dates) is used whole: 3 rows read, 3 used, none
    excluded, the IDs keep their zeros. When the user maps the ID to ``顧客番号``, the file's own
    ``customer_id`` column is kept as ``customer_id (2)`` instead of doubling ``customer_id``.
    """
    data = (
        "顧客一覧\r\n"
        "顧客番号,契約開始日,解約日,customer_id\r\n"
        '="007",4/13/2024,ー,x1\r\n'
        '="008",4/1/2024,5/1/2024,x2\r\n'
        '="010",4/2/2024,ー,x3\r\n'
    ).encode("cp932")
    at = upload(run_app(PAGE, lang="ja"), ("顧客.csv", data))
    assert_clean(at)
    at.selectbox(key=f"{file_key(data, '顧客.csv')}_customers_customer_id").set_value("顧客番号").run()
    assert_clean(at)
    assert translate("ja", "ingest.note_text_formula_unwrapped") in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {translate("ja", "data.rows_read"): "3", translate("ja", "data.rows_used"): "3",
                       translate("ja", "data.rows_excluded"): "0"}
    preview = at.dataframe[-1].value
    field = {name: translate("ja", f"data.field_{name}") for name in ("customer_id", "start_date", "end_date")}
    assert list(preview.columns) == [*field.values(), "customer_id (2)"]
    assert preview[field["customer_id"]].tolist() == ["007", "008", "010"]
    assert preview[field["end_date"]].tolist() == ["", "2024-05-01", ""]


def test_the_preview_shows_categorical_ids_as_their_texts():
    """The preview converts only its rows of a categorical ID column (not a million categories): the
    same table as the plain-text column gives, blanks as empty cells. Reference: the object column."""
    import pandas as pd

    from ui.data_view import PREVIEW_ROWS, preview_table

    ids = pd.Series([f"C{i:03d}" if i % 7 else None for i in range(PREVIEW_ROWS + 5)], dtype=object)
    plain = pd.DataFrame({"customer_id": ids, "mrr": range(len(ids))})
    coded = plain.assign(customer_id=pd.Categorical(ids, categories=[*sorted(ids.dropna().unique()), "Z999"]))
    shown = preview_table(coded)
    pd.testing.assert_frame_equal(shown, preview_table(plain))
    assert shown.iloc[0, 0] == ""
    assert shown.iloc[1, 0] == "C001"
