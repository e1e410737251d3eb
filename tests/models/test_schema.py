"""Kind detection, mapping suggestions and validation (:mod:`cs_models.schema`).

Expected values are written by hand from the tables in each test: the row numbers are
the spreadsheet rows a person sees in Excel (header on row 1, first data row 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_models.errors import IngestError
from cs_models.sample import SAMPLE_DIR
from cs_models.schema import (
    ISSUE_COLUMNS,
    ColumnMapping,
    detect_kind,
    normalise_header,
    numeric_columns,
    suggest_mapping,
    suggest_scale,
    validate,
)


@dataclass(frozen=True)
class Table:
    """The part of ``cs_models.io.ReadResult`` that validation reads."""

    frame: pd.DataFrame


def table(header: list[str], *rows: list[object], first_row: int = 2) -> Table:
    """Object-dtype cells indexed by spreadsheet row number, as the reader returns them."""
    frame = pd.DataFrame([list(r) for r in rows], columns=header, dtype=object)
    frame.index = pd.RangeIndex(first_row, first_row + len(rows))
    return Table(frame)


def sample(lang: str, kind: str) -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE_DIR / lang / f"{kind}.csv", dtype=object, encoding="utf-8-sig",
                        keep_default_na=False)
    frame.index = frame.index + 2
    return frame


def issues_of(result) -> list[tuple[int, str, str, str]]:
    return [(r.row, r.column, r.code, r.action) for r in result.issues.itertuples(index=False)]


# ----------------------------------------------------------------------------- detection
def test_normalise_header_folds_width_case_and_separators():
    assert normalise_header("Ｃｕｓｔｏｍｅｒ_ID ") == "customer id"
    assert normalise_header("Account-ID") == "account id"
    assert normalise_header("顧客ＩＤ") == "顧客id"


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("kind", ["customers", "events", "survey", "gaps", "adoption"])
def test_sample_files_are_detected_as_their_kind(lang, kind):
    assert detect_kind(sample(lang, kind)).kind == kind


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sample_customers_mapping(lang):
    mapping = suggest_mapping(sample(lang, "customers"))
    expected = {
        "ja": {"customer_id": "顧客ID", "start_date": "契約開始日", "end_date": "解約日", "mrr": "月額料金"},
        "en": {"customer_id": "customer_id", "start_date": "start_date", "end_date": "end_date", "mrr": "mrr"},
    }[lang]
    assert mapping.kind == "customers"
    assert dict(mapping.fields) == expected


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sample_events_mapping(lang):
    mapping = suggest_mapping(sample(lang, "events"))
    expected = {"ja": ("顧客ID", "請求日", "請求額"), "en": ("customer_id", "date", "amount")}[lang]
    assert mapping.kind == "events"
    assert dict(mapping.fields) == dict(zip(("customer_id", "date", "amount"), expected, strict=True))


@pytest.mark.parametrize(
    ("header", "kind", "expected"),
    [
        # Salesforce account report
        (["Account ID", "Account Name", "Close Date", "Churn Date", "MRR", "Industry"], "customers",
         {"customer_id": "Account ID", "start_date": "Close Date", "end_date": "Churn Date", "mrr": "MRR"}),
        # HubSpot companies export
        (["Record ID", "Company name", "Create Date", "Cancellation Date", "Monthly Recurring Revenue"],
         "customers",
         {"customer_id": "Record ID", "start_date": "Create Date", "end_date": "Cancellation Date",
          "mrr": "Monthly Recurring Revenue"}),
        # Japanese hand-kept sheet
        (["会社ID", "会社名", "開始日", "終了日", "月額", "業種"], "customers",
         {"customer_id": "会社ID", "start_date": "開始日", "end_date": "終了日", "mrr": "月額"}),
        (["取引先ID", "利用開始日", "解約フラグ", "解約日", "プラン"], "customers",
         {"customer_id": "取引先ID", "start_date": "利用開始日", "end_date": "解約日", "churned": "解約フラグ"}),
        (["customer", "signup date", "churned on", "plan"], "customers",
         {"customer_id": "customer", "start_date": "signup date", "end_date": "churned on"}),
        # Stripe-like invoices and a Japanese billing sheet
        (["Customer ID", "Invoice Date", "Amount Paid"], "events",
         {"customer_id": "Customer ID", "date": "Invoice Date", "amount": "Amount Paid"}),
        (["取引先ID", "請求日", "金額"], "events", {"customer_id": "取引先ID", "date": "請求日", "amount": "金額"}),
        # long gaps and a plain survey
        (["respondent id", "item", "expectation", "satisfaction", "importance"], "gaps",
         {"respondent_id": "respondent id", "item": "item", "expectation": "expectation",
          "satisfaction": "satisfaction", "importance": "importance"}),
        (["回答者ID", "業種", "Q1 満足していますか（1〜5）"], "survey", {"respondent_id": "回答者ID"}),
    ],
)
def test_crm_and_hand_made_headers(header, kind, expected):
    frame = table(header, ["x"] * len(header), ["y"] * len(header)).frame
    mapping = suggest_mapping(frame)
    assert mapping.kind == kind
    assert dict(mapping.fields) == expected


def test_zendesk_tickets_with_repeated_organisations_are_events():
    """``Created at`` is both a sign-up and an event date; repeated IDs settle it."""
    frame = table(
        ["Ticket ID", "Organization ID", "Created at", "Status"],
        ["1", "900", "2024-04-01", "solved"],
        ["2", "900", "2024-04-03", "open"],
        ["3", "901", "2024-04-05", "open"],
    ).frame
    guess = detect_kind(frame)
    assert guess.kind == "events"
    assert guess.scores["events"] > guess.scores["customers"] > 0
    assert dict(suggest_mapping(frame).fields) == {"customer_id": "Organization ID", "date": "Created at"}


@pytest.mark.parametrize(("header", "expected"), [
    (["ユーザーID", "部署", "利用開始日"], {"user_id": "ユーザーID", "first_used": "利用開始日"}),
    (["Email", "Team", "First login"], {"user_id": "Email", "first_used": "First login"}),
    (["社員番号", "チャンネル", "日時"], {"user_id": "社員番号", "first_used": "日時"}),
])
def test_tool_users_and_usage_logs_are_adoption(header, expected):
    """A user column and a (first-use) date make an adoption log; other columns stay as segments."""
    frame = table(header, ["a", "x", "2024-04-01"], ["b", "y", "2024-05-02"], ["a", "x", "2024-06-03"])
    assert detect_kind(frame.frame).kind == "adoption"
    assert dict(suggest_mapping(frame.frame).fields) == expected
    result = validate(frame, "adoption")
    assert result.rows_used == 3
    assert set(result.frame.columns) == {"user_id", "first_used", header[1]}


def test_adoption_rows_without_a_user_or_a_date_are_excluded():
    frame = table(["user_id", "first_used"], ["a", "2024-04-01"], ["", "2024-04-02"], ["c", "not a date"])
    result = validate(frame, "adoption")
    assert issues_of(result) == [(3, "user_id", "missing_id", "excluded"),
                                 (4, "first_used", "invalid_date", "excluded")]
    assert result.frame["user_id"].tolist() == ["a"]


def test_loose_synonyms_match_decorated_headers():
    frame = table(["Account ID (18 digit)", "最終解約日", "契約開始日"], ["a", "", "2024-01-01"]).frame
    assert dict(suggest_mapping(frame, "customers").fields) == {
        "customer_id": "Account ID (18 digit)", "start_date": "契約開始日", "end_date": "最終解約日",
    }


def test_unknown_headers_fall_back_to_survey():
    frame = table(["好きな色", "理由"], ["赤", "明るい"]).frame
    assert detect_kind(frame).kind == "survey"


def test_unknown_headers_with_an_id_and_dates_are_offered_as_customers():
    """A UTF-16 TSV ``id``/``start`` was read as a survey "with no problems". Its values say what it
    is: a unique first column and a date column. A survey's free columns stay a survey."""
    data = table(["id", "start"], ["1", "2024-01-01"], ["2", "2024-02-01"])
    assert detect_kind(data.frame).kind == "customers"
    mapping = suggest_mapping(data.frame)
    assert dict(mapping.fields) == {"customer_id": "id", "start_date": "start"}
    assert validate(data, "customers", mapping).rows_used == 2
    answers = table(["id", "よく使う機能"], ["1", "レポート"], ["2", "予約"])
    assert detect_kind(answers.frame).kind == "survey"


def test_scale_from_header_and_from_data():
    assert suggest_scale("Q5 CSの勉強会を同業者に勧めたいと思いますか（0〜10）") == (0, 10)
    assert suggest_scale("Q2 (1-5)") == (1, 5)
    assert suggest_scale("satisfaction", pd.Series([1, 2, 5, 4, 3, 2, 1, 4, 5, 3], dtype=object)) == (1, 5)
    assert suggest_scale("score", pd.Series([1.5, 2, 3, 4, 5], dtype=object)) is None
    assert suggest_scale("Q1") is None


# ----------------------------------------------------------------------------- validation
CUSTOMER_HEADER = ["顧客ID", "契約開始日", "解約日", "月額", "プラン", "店舗数"]


def customers_table() -> Table:
    return table(
        CUSTOMER_HEADER,
        ["C001", "2024/4/1", "", "9,800", "ライト", "1"],          # 2 ok
        ["C002", "2024-02-30", "", "9800", "ライト", "1"],         # 3 invalid start date
        ["C003", "2024-03-01", "2024-02-01", "9800", "プロ", "2"],  # 4 end before start
        ["C001", "2024-05-01", "", "9800", "プロ", "1"],           # 5 duplicate of row 2
        ["C005", "2024-01-01", "2024-01-01", "9800", "プロ", "3"],  # 6 zero duration
        ["", "2024-01-01", "", "9800", "プロ", "1"],               # 7 missing ID
        ["C007", "", "", "9800", "プロ", "1"],                     # 8 missing start date
        ["C008", "2024-01-01", "", "abc", "プロ", "1"],            # 9 unparseable MRR (fixed)
        ["C009", "令和6年1月1日", "2024/7/1", "-500", "ライト", "1"],  # 10 negative MRR (fixed)
        ["C010", "24/4/1", "", "9800", "ライト", "1"],             # 11 two-digit year
        ["007", "2024-01-01", "2024-02-01", "▲", "ライト", "4"],    # 12 ok ID with leading zeros; "▲" bad
    )


def test_every_customer_problem_has_its_row_column_code_and_action():
    result = validate(customers_table(), "customers", suggest_mapping(customers_table().frame, "customers"),
                      file="c.csv")
    assert issues_of(result) == [
        (3, "契約開始日", "invalid_date", "excluded"),
        (4, "解約日", "end_before_start", "excluded"),
        (5, "顧客ID", "duplicate_id", "excluded"),
        (6, "解約日", "zero_duration", "excluded"),
        (7, "顧客ID", "missing_id", "excluded"),
        (8, "契約開始日", "missing_date", "excluded"),
        (9, "月額", "invalid_amount", "fixed"),
        (10, "月額", "negative_amount", "fixed"),
        (11, "契約開始日", "two_digit_year", "excluded"),
        (12, "月額", "invalid_amount", "fixed"),
    ]
    assert list(result.issues.columns) == list(ISSUE_COLUMNS)
    assert set(result.issues["file"]) == {"c.csv"}
    dup = result.issues[result.issues["code"] == "duplicate_id"].iloc[0]
    assert dup["detail"] == "2"
    assert dup["message_en"] == "The ID 'C001' already appears on row 2."
    before = result.issues[result.issues["code"] == "end_before_start"].iloc[0]
    assert (before["value"], before["detail"]) == ("2024-02-01", "2024-03-01")
    assert (result.rows_read, result.rows_used, result.rows_excluded) == (11, 4, 7)


def test_clean_customer_frame_is_canonical():
    result = validate(customers_table(), "customers")
    frame = result.frame
    assert list(frame.columns) == ["customer_id", "start_date", "end_date", "mrr", "プラン", "店舗数"]
    assert frame["customer_id"].tolist() == ["C001", "C008", "C009", "007"]
    assert frame["start_date"].dtype == "datetime64[ns]"
    assert frame["end_date"].dtype == "datetime64[ns]"
    assert frame["start_date"].tolist() == [pd.Timestamp(d) for d in
                                            ("2024-04-01", "2024-01-01", "2024-01-01", "2024-01-01")]
    assert frame["end_date"].isna().tolist() == [True, True, False, False]
    assert frame["mrr"].dtype == float
    np.testing.assert_array_equal(frame["mrr"].to_numpy(), [9800.0, np.nan, np.nan, np.nan])
    assert frame["プラン"].dtype == object
    assert frame["店舗数"].dtype == "int64"
    assert frame["店舗数"].tolist() == [1, 1, 1, 4]
    assert isinstance(frame.index, pd.RangeIndex)


def test_churn_flags_must_be_zero_or_one():
    data = table(
        ["id", "start date", "end date", "churned"],
        ["A", "2024-01-01", "2024-06-01", "1"],    # 2 churned
        ["B", "2024-01-01", "2024-06-01", "0"],    # 3 active: end date is not a churn
        ["C", "2024-01-01", "2024-06-01", "2"],    # 4 not a flag
        ["D", "2024-01-01", "", "1"],              # 5 churned without end date
        ["E", "2024-01-01", "", True],             # 6 Excel TRUE without end date
        ["F", "2024-01-01", "2024-03-01", 0.0],    # 7 numeric 0
        ["G", "2024-01-01", "2024-03-01", "yes"],  # 8 not a flag
    )
    mapping = ColumnMapping("customers", {"customer_id": "id", "start_date": "start date",
                                          "end_date": "end date", "churned": "churned"})
    result = validate(data, "customers", mapping)
    assert issues_of(result) == [
        (4, "churned", "invalid_flag", "excluded"),
        (5, "end date", "missing_end_date", "excluded"),
        (6, "end date", "missing_end_date", "excluded"),
        (8, "churned", "invalid_flag", "excluded"),
    ]
    assert result.frame["customer_id"].tolist() == ["A", "B", "F"]
    assert result.frame["end_date"].isna().tolist() == [False, True, True]
    assert "churned" not in result.frame


def test_churn_flag_needs_an_end_date_column():
    data = table(["id", "start", "churned"], ["A", "2024-01-01", "1"])
    mapping = ColumnMapping("customers", {"customer_id": "id", "start_date": "start", "churned": "churned"})
    with pytest.raises(IngestError) as info:
        validate(data, "customers", mapping)
    assert info.value.code == "schema_missing_field"


def test_event_problems():
    data = table(
        ["customer_id", "date", "amount"],
        ["C1", "2024-04-01", "¥1,000"],    # 2 ok
        ["C1", "2024-04-31", "1000"],      # 3 impossible date
        ["", "2024-04-01", "1000"],        # 4 missing id
        ["C2", "2024-05-01", "千円"],       # 5 unparseable amount
        ["C2", "2024-06-01", "(1,000)"],   # 6 refund: negative amount is data
        ["C1", "2024-04-01", "1000"],      # 7 repeated customer: normal for events
    )
    result = validate(data, "events")
    assert issues_of(result) == [
        (3, "date", "invalid_date", "excluded"),
        (4, "customer_id", "missing_id", "excluded"),
        (5, "amount", "invalid_amount", "excluded"),
    ]
    assert result.frame["amount"].tolist() == [1000.0, -1000.0, 1000.0]
    assert result.frame["customer_id"].tolist() == ["C1", "C2", "C1"]
    assert (result.rows_read, result.rows_used, result.rows_excluded) == (6, 3, 3)


def test_dates_after_today_or_before_1950_are_typing_errors():
    """令和99年1月1日 is 2117-01-01: before this check the as-of date became 2117 and the churn page
    said "median lifetime 1114.0 months". A future or pre-1950 start/event date excludes its row; a
    future end date is blanked (the customer counts as active) and reported with today's date."""
    today = date(2026, 12, 2)
    customers = table(
        ["顧客ID", "契約開始日", "解約日"],
        ["C1", "2024-04-01", "令和99年1月1日"],   # 2 end in 2117: blanked, row kept
        ["C2", "2027-01-05", ""],                # 3 starts after today: excluded
        ["C3", "1900-01-01", "2024-05-01"],      # 4 an empty Excel date cell: excluded
        ["C4", "2024-04-01", "2026-12-02"],      # 5 ends today: fine
    )
    result = validate(customers, "customers", today=today)
    assert issues_of(result) == [
        (2, "解約日", "future_date", "fixed"),
        (3, "契約開始日", "future_date", "excluded"),
        (4, "契約開始日", "date_too_early", "excluded"),
    ]
    first = result.issues.iloc[0]
    assert (first["value"], first["detail"]) == ("2117-01-01", "2026-12-02")
    assert result.frame["customer_id"].tolist() == ["C1", "C4"]
    assert result.frame["end_date"].isna().tolist() == [True, False]
    events = validate(table(["customer_id", "date"], ["C1", "2030-01-01"], ["C1", "2026-11-30"]),
                      "events", today=today)
    assert issues_of(events) == [(2, "date", "future_date", "excluded")]


def test_survey_out_of_scale_and_duplicate_respondents():
    data = table(
        ["回答者ID", "業種", "Q5 推奨度（0〜10）", "Q6 自由記述"],
        ["R1", "SaaS", "10", "よい"],
        ["R2", "SIer", "11", ""],       # 3 out of scale (fixed)
        ["R3", "SaaS", "abc", "NA"],    # 4 not a number (fixed); "NA" is an answer
        ["R1", "Web", "5", ""],         # 5 duplicate respondent
        ["R5", "Web", "", ""],          # 6 not answered
    )
    mapping = suggest_mapping(data.frame)
    assert mapping.kind == "survey"
    assert dict(mapping.scales) == {"Q5 推奨度（0〜10）": (0, 10)}
    result = validate(data, "survey", mapping)
    assert issues_of(result) == [
        (3, "Q5 推奨度（0〜10）", "out_of_scale", "fixed"),
        (4, "Q5 推奨度（0〜10）", "invalid_number", "fixed"),
        (5, "回答者ID", "duplicate_id", "excluded"),
    ]
    scale_issue = result.issues.iloc[0]
    assert (scale_issue["value"], scale_issue["detail"]) == ("11", "0–10")
    assert list(result.frame.columns) == ["respondent_id", "業種", "Q5 推奨度（0〜10）", "Q6 自由記述"]
    np.testing.assert_array_equal(result.frame["Q5 推奨度（0〜10）"].to_numpy(), [10.0, np.nan, np.nan, np.nan])
    assert result.frame["Q6 自由記述"].tolist() == ["よい", None, "NA", None]


def test_gap_answers_outside_the_inferred_scale_are_blanked():
    rows = [[f"S{i}", str(1 + i % 5), str(1 + (i + 2) % 5)] for i in range(20)]
    rows[6][2] = "7"  # row 8
    data = table(["回答者ID", "導入支援_期待", "導入支援_満足"], *rows)
    mapping = suggest_mapping(data.frame)
    assert mapping.kind == "gaps"
    assert dict(mapping.scales) == {"導入支援_期待": (1, 5), "導入支援_満足": (1, 5)}
    result = validate(data, "gaps", mapping)
    assert issues_of(result) == [(8, "導入支援_満足", "out_of_scale", "fixed")]
    assert result.rows_used == 20
    assert np.isnan(result.frame.loc[6, "導入支援_満足"])
    assert list(result.frame.columns) == ["respondent_id", "導入支援_期待", "導入支援_満足"]


def test_issue_counts_per_code():
    result = validate(customers_table(), "customers")
    counts = {(r.code, r.action): r.count for r in result.issue_counts().itertuples(index=False)}
    assert counts[("invalid_amount", "fixed")] == 2
    assert counts[("duplicate_id", "excluded")] == 1
    assert sum(counts.values()) == len(result.issues)


def test_missing_required_field_and_absent_column_are_errors():
    data = table(["id", "start"], ["A", "2024-01-01"])
    with pytest.raises(IngestError) as info:
        validate(data, "customers", ColumnMapping("customers", {"customer_id": "id"}))
    assert (info.value.code, info.value.params["field"]) == ("schema_missing_field", "start_date")
    with pytest.raises(IngestError) as info:
        validate(data, "customers", ColumnMapping("customers", {"customer_id": "id", "start_date": "開始"}))
    assert (info.value.code, info.value.column) == ("schema_missing_column", "開始")
    with pytest.raises(IngestError) as info:
        validate(data, "events", ColumnMapping("customers", {"customer_id": "id", "start_date": "start"}))
    assert info.value.code == "schema_kind_mismatch"


# ----------------------------------------------------------------------------- invariants
CELLS = st.sampled_from(["C1", "C2", "C3", "", "2024-01-01", "2024-02-30", "2023/12/31", "24/1/1",
                         "1", "0", "2", "-5", "abc", None, "令和6年4月1日", "1,000"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(CELLS, min_size=5, max_size=5), min_size=0, max_size=25),
       kind=st.sampled_from(["customers", "events", "survey", "gaps"]))
def test_rows_used_plus_excluded_equals_rows_read(rows, kind):
    header = ["id", "start", "end", "mrr", "churned"]
    data = table(header, *rows)
    mapping = {
        "customers": ColumnMapping("customers", {"customer_id": "id", "start_date": "start",
                                                 "end_date": "end", "mrr": "mrr", "churned": "churned"}),
        "events": ColumnMapping("events", {"customer_id": "id", "date": "start", "amount": "mrr"}),
        "survey": ColumnMapping("survey", {"respondent_id": "id"}, scales={"churned": (0, 1)}),
        "gaps": ColumnMapping("gaps", {"respondent_id": "id", "expectation": "mrr", "satisfaction": "churned"},
                              scales={"mrr": (1, 5)}),
    }[kind]
    result = validate(data, kind, mapping)
    assert result.rows_used + result.rows_excluded == result.rows_read == len(rows)
    assert len(result.frame) == result.rows_used
    excluded_rows = set(result.issues.loc[result.issues["action"] == "excluded", "row"])
    assert len(excluded_rows) == result.rows_excluded
    assert (result.issues.groupby("row")["action"].apply(lambda a: (a == "excluded").sum()) <= 1).all()


# ----------------------------------------------------------------------------- mapping JSON
def test_mapping_json_round_trip():
    mapping = ColumnMapping(
        "customers",
        {"customer_id": "顧客ID", "start_date": "契約開始日", "end_date": "解約日", "mrr": "月額料金"},
        ignored=("メモ",),
        scales={"満足度": (1, 5)},
    )
    text = mapping.to_json()
    assert "顧客ID" in text  # saved readable, not \\u-escaped
    assert ColumnMapping.from_json(text) == mapping
    assert ColumnMapping.from_json(text.encode("utf-8")) == mapping


@pytest.mark.parametrize("text", ["{", "[]", '{"fields": {}}', '{"kind": "people"}',
                                  '{"kind": "events", "fields": {"start_date": "x"}}',  # events map a plan (issue 14)
                                  '{"kind": "survey", "scales": {"q": [5, 1]}}'])
def test_bad_mapping_files_are_refused_with_a_code(text):
    with pytest.raises(IngestError) as info:
        ColumnMapping.from_json(text)
    assert info.value.code in {"schema_bad_mapping", "schema_unknown_kind", "schema_unknown_field",
                               "schema_bad_scale"}


def test_one_column_for_two_fields_is_refused():
    with pytest.raises(IngestError) as info:
        ColumnMapping("events", {"customer_id": "x", "date": "x"})
    assert (info.value.code, info.value.column) == ("schema_column_twice", "x")


def test_fit_keeps_only_headers_the_new_file_has():
    mapping = ColumnMapping("events", {"customer_id": "id", "date": "日付", "amount": "金額"})
    assert dict(mapping.fit(["id", "日付"]).fields) == {"customer_id": "id", "date": "日付"}


def test_numeric_columns_are_those_with_numbers_in_their_filled_cells():
    data = table(["id", "score", "text", "blank", "mostly"],
                 *[[f"R{i}", str(i % 5), "abc", None, "x" if i == 0 else "3"] for i in range(20)])
    assert numeric_columns(data.frame) == ["score", "mostly"]


HEADERS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(headers=st.lists(HEADERS, min_size=3, max_size=3, unique=True), low=st.integers(-5, 5),
       span=st.integers(1, 10))
def test_any_mapping_survives_json(headers, low, span):
    mapping = ColumnMapping("events", {"customer_id": headers[0], "date": headers[1]},
                            ignored=(headers[2],), scales={headers[2]: (low, low + span)})
    assert ColumnMapping.from_json(mapping.to_json()) == mapping


def test_ambiguous_day_month_order_is_reported_not_guessed():
    data = table(["customer_id", "date"], ["C1", "01/02/2024"], ["C2", "03/04/2024"], ["C3", "2024-05-01"])
    result = validate(data, "events")
    assert issues_of(result) == [(2, "date", "ambiguous_date", "excluded"), (3, "date", "ambiguous_date", "excluded")]
    assert result.frame["date"].tolist() == [pd.Timestamp("2024-05-01")]
    settled = table(["customer_id", "date"], ["C1", "01/02/2024"], ["C2", "13/04/2024"])  # 13 settles d/m
    assert validate(settled, "events").frame["date"].tolist() == [pd.Timestamp("2024-02-01"),
                                                                  pd.Timestamp("2024-04-13")]


def test_unmapped_columns_named_like_canonical_ones_are_kept_under_another_name():
    """An unmapped column literally called ``customer_id``/``start_date``/``respondent_id`` is kept
    as ``"customer_id (2)"``.

    Before, the clean frame held two ``customer_id`` columns (so ``frame["customer_id"]``
    became a table and every analysis failed), and a survey dropped the column silently.
    """
    data = table(["id", "date", "customer_id", "start_date"], ["A", "2024-01-01", "X", "2024-02-01"])
    result = validate(data, "customers", ColumnMapping("customers", {"customer_id": "id", "start_date": "date"}))
    frame = result.frame
    assert list(frame.columns) == ["customer_id", "start_date", "customer_id (2)", "start_date (2)", "end_date"]
    assert frame["customer_id"].tolist() == ["A"]
    assert frame["customer_id (2)"].tolist() == ["X"]
    assert frame["start_date"].tolist() == [pd.Timestamp("2024-01-01")]
    survey = validate(table(["回答者ID", "respondent_id", "Q1"], ["1", "r9", "x"]), "survey",
                      ColumnMapping("survey", {"respondent_id": "回答者ID"}))
    assert list(survey.frame.columns) == ["respondent_id", "respondent_id (2)", "Q1"]
    assert survey.frame["respondent_id (2)"].tolist() == ["r9"]


def test_end_dates_follow_the_day_month_order_of_the_start_dates():
    """Customers' ``m/d/yyyy`` end dates are read in the order the start dates settle (4/13/2024).

    Before, each column was judged alone, so the end date ``5/1/2024`` was ``ambiguous_date``
    and the churned customer excluded.
    """
    data = table(["Account ID", "Created Date", "Churn Date"],
                 ["A1", "4/1/2024", "5/1/2024"], ["A2", "4/13/2024", ""])
    result = validate(data, "customers", ColumnMapping("customers", {
        "customer_id": "Account ID", "start_date": "Created Date", "end_date": "Churn Date"}))
    assert result.issues.empty
    assert result.frame["end_date"].tolist()[0] == pd.Timestamp("2024-05-01")
    assert result.frame["start_date"].tolist() == [pd.Timestamp("2024-04-01"), pd.Timestamp("2024-04-13")]
