"""Date and number parsers (:mod:`cs_models.values`) against hand-computed expectations.

References
----------
- Japanese eras: 令和 began 2019-05-01 (令和元年 = 2019), 平成 1989-01-08 (平成元年 = 1989),
  昭和 1926-12-25; year = first year of the era + n - 1 (Cabinet Office notices).
- Excel serial numbers count days from 1899-12-30 in the 1900 date system (the fictitious
  1900-02-29 makes the epoch 12-30 for serials >= 61): ``=DATE(2024,4,1)`` shows 45383 in
  Excel; 45383 days after 1899-12-30 is 2024-04-01 (checked with ``datetime``:
  ``date(1899,12,30) + timedelta(45383)``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cs_models.values import MISSING_VALUES, is_missing, parse_dates, parse_numbers


def one_date(value: object) -> tuple[pd.Timestamp | None, str | None]:
    parsed = parse_dates(pd.Series([value], dtype=object))
    stamp = parsed.values.iloc[0]
    return (None if pd.isna(stamp) else stamp), parsed.reasons.iloc[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-01", "2024-04-01"),
        ("2024/4/1", "2024-04-01"),
        ("2024.4.1", "2024-04-01"),
        ("2024/04/01 09:30", "2024-04-01 09:30"),
        ("2024-04-01T09:30:15", "2024-04-01 09:30:15"),
        ("2024年4月1日", "2024-04-01"),
        ("２０２４年４月１日", "2024-04-01"),  # full-width digits (NFKC)
        ("令和6年4月1日", "2024-04-01"),  # 2019 + 6 - 1
        ("R6.4.1", "2024-04-01"),
        ("r6/4/1", "2024-04-01"),
        ("令和元年5月1日", "2019-05-01"),  # first day of 令和
        ("㋿6年4月1日", "2024-04-01"),  # the one-character era sign (NFKC -> 令和)
        ("平成31年4月30日", "2019-04-30"),  # 1989 + 31 - 1, last day of 平成
        ("H31.4.30", "2019-04-30"),
        ("平成元年1月8日", "1989-01-08"),
        ("昭和64年1月7日", "1989-01-07"),  # 1926 + 64 - 1, last day of 昭和
        ("S50.1.1", "1975-01-01"),
        ("20240401", "2024-04-01"),
        ("45383", "2024-04-01"),  # serial typed as text
        ("13/01/2024", "2024-01-13"),  # day > 12: the order is settled
    ],
)
def test_dates_accepted(text: str, expected: str) -> None:
    """Each written form gives the hand-computed date (module docstring for eras and serials)."""
    stamp, reason = one_date(text)
    assert reason is None
    assert stamp == pd.Timestamp(expected)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("24/4/1", "date_two_digit_year"),
        ("24-04-01", "date_two_digit_year"),
        ("4/1/24", "date_two_digit_year"),
        ("24年4月1日", "date_two_digit_year"),
        ("2024-02-30", "date_impossible"),  # February has 29 days in 2024
        ("2023-02-29", "date_impossible"),  # 2023 is not a leap year
        ("2024-13-01", "date_impossible"),
        ("令和6年2月30日", "date_impossible"),
        ("令和1年1月1日", "date_before_era"),  # 2019-01-01 is still 平成
        ("1700-01-01", "date_out_of_range"),
        ("01/02/2024", "date_ambiguous_order"),  # 1 Feb or 2 Jan: never guessed
        ("来月", "date_unparseable"),
        ("2024", "date_unparseable"),
        (2024, "date_unparseable"),  # a year, not a plausible serial (< 10000)
        (True, "date_unparseable"),
        (dt.time(9, 30), "date_unparseable"),
    ],
)
def test_dates_refused_with_reason(value: object, reason: str) -> None:
    """Refusals carry the documented reason code and leave NaT, never a guessed date."""
    stamp, got = one_date(value)
    assert stamp is None
    assert got == reason


def test_native_and_serial_dates() -> None:
    """XLSX cells: datetime/date pass through; serial 45383 is 2024-04-01 (module docstring)."""
    series = pd.Series(
        [dt.datetime(2024, 4, 1, 12), dt.date(2024, 4, 1), 45383, 45383.5, np.datetime64("2024-04-01"),
         pd.Timestamp("2024-04-01", tz="Asia/Tokyo")],
        dtype=object,
    )
    parsed = parse_dates(series)
    assert parsed.values.tolist() == [
        pd.Timestamp("2024-04-01 12:00"), pd.Timestamp("2024-04-01"), pd.Timestamp("2024-04-01"),
        pd.Timestamp("2024-04-01 12:00"), pd.Timestamp("2024-04-01"), pd.Timestamp("2024-04-01"),
    ]
    assert parsed.values.dtype == "datetime64[ns]"
    assert not parsed.failed.any()


def test_date_missing_values_and_index() -> None:
    """Missing cells are missing, not failures; "NA" is text (fails as a date); the index is kept."""
    series = pd.Series([None, "", "-", "#N/A", "NULL", np.nan, "NA", "2024/4/1"], index=range(10, 18))
    parsed = parse_dates(series)
    assert parsed.missing.tolist() == [True] * 6 + [False, False]
    assert parsed.failed.tolist() == [False] * 6 + [True, False]
    assert list(parsed.values.index) == list(range(10, 18))
    assert parsed.reasons.value_counts().to_dict() == {"date_unparseable": 1}


def test_day_first_inferred_per_column() -> None:
    """m/d/yyyy is used when a value has its second part above 12 (US exports)."""
    parsed = parse_dates(pd.Series(["4/13/2024", "4/1/2024"]))
    assert parsed.values.tolist() == [pd.Timestamp("2024-04-13"), pd.Timestamp("2024-04-01")]


def test_dates_conflicting_order_refused() -> None:
    """13/1/2024 and 1/13/2024 in one column: the order is unknowable, so both fail."""
    parsed = parse_dates(pd.Series(["13/1/2024", "1/13/2024"]))
    assert parsed.reasons.tolist() == ["date_ambiguous_order"] * 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000", 1000.0),
        ("1,000", 1000.0),
        ("１，０００", 1000.0),  # full-width digits and comma (NFKC)
        ("￥1,000", 1000.0),
        ("¥1,000", 1000.0),
        ("1,000円", 1000.0),
        ("¥-1,000", -1000.0),
        ("-1,000", -1000.0),
        ("▲1,000", -1000.0),
        ("△500", -500.0),
        ("(1,000)", -1000.0),
        ("（1,000）", -1000.0),  # full-width parentheses (NFKC)
        ("12.5%", 0.125),
        ("-3%", -0.03),
        ("1,234,567.89", 1234567.89),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("+7", 7.0),
        ("$1,200", 1200.0),
    ],
)
def test_numbers_accepted(text: str, expected: float) -> None:
    """Each written amount gives the hand-computed number."""
    parsed = parse_numbers(pd.Series([text]))
    assert not parsed.failed.iloc[0]
    assert parsed.values.iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize("text", ["1,5", "1,00", "12,34,567", "abc", "1.2.3", "--5", "1 000 000x", "inf", "nan"])
def test_numbers_refused(text: str) -> None:
    """Commas that are not thousands separators and other text are refused, not guessed."""
    parsed = parse_numbers(pd.Series([text]))
    assert parsed.reasons.tolist() == ["number_unparseable"]
    assert np.isnan(parsed.values.iloc[0])


def test_numbers_native_missing_and_booleans() -> None:
    """XLSX numbers pass through; booleans are refused; missing-value texts are missing."""
    series = pd.Series([3, 2.5, True, None, "-", "#DIV/0!", "N/A", float("nan"), float("inf"), "None"],
                       dtype=object)
    parsed = parse_numbers(series)
    assert parsed.values.iloc[:2].tolist() == [3.0, 2.5]
    assert parsed.missing.tolist() == [False, False, False, True, True, True, True, True, False, False]
    assert parsed.failed.tolist() == [False, False, True, False, False, False, False, False, True, True]
    assert parsed.values.dtype == "float64"
    assert parsed.n_failed == 3


def test_missing_values_list() -> None:
    """The explicit list holds the spreadsheet blanks and error texts, but not "None"/"NA"."""
    assert {"", "-", "#N/A", "NULL", "N/A", "#VALUE!"} <= MISSING_VALUES
    assert "None" not in MISSING_VALUES
    assert "NA" not in MISSING_VALUES
    assert is_missing(" ＃Ｎ／Ａ ")  # full-width and padded (NFKC + strip)
    assert not is_missing("NA")
    assert is_missing(pd.NaT)


def test_large_column_is_fast_enough() -> None:
    """A million cells with few distinct values parse once per distinct value."""
    series = pd.Series(["2024/4/1", "令和6年5月1日", None, "2024-02-30"] * 250_000)
    parsed = parse_dates(series)
    assert parsed.values.iloc[:2].tolist() == [pd.Timestamp("2024-04-01"), pd.Timestamp("2024-05-01")]
    assert parsed.n_failed == 250_000
    assert int(parsed.missing.sum()) == 250_000


def test_iso_dates_with_a_utc_offset_are_accepted() -> None:
    """``2024-04-01T10:00:00Z`` / ``+09:00`` (HubSpot, Zendesk and Salesforce API exports) parse.

    Before, every such cell was ``date_unparseable``, so a whole SaaS export was excluded.
    The wall-clock time is kept (as for time-zoned native cells): no day shifts silently.
    """
    series = pd.Series(["2024-04-01T10:00:00Z", "2024-04-01T23:30:00.000+09:00",
                        "2024-04-01 10:00:00 +0900", "2024-04-01T10:00Z", "2024-04-01Zulu"])
    parsed = parse_dates(series)
    assert parsed.values.iloc[:4].tolist() == [pd.Timestamp("2024-04-01 10:00"), pd.Timestamp("2024-04-01 23:30"),
                                               pd.Timestamp("2024-04-01 10:00"), pd.Timestamp("2024-04-01 10:00")]
    assert parsed.reasons.tolist() == [None, None, None, None, "date_unparseable"]


def test_day_month_order_settled_by_another_column_of_the_file() -> None:
    """``5/1/2024`` is read m/d when the file's start dates hold ``4/13/2024``; a column that
    contradicts itself stays ambiguous whatever the file says.

    US exports (Salesforce ``Created Date``/``Close Date``) write m/d/yyyy; a churn-date column
    with few values, all days up to 12, was excluded as ambiguous although its file settles it.
    """
    from cs_models.values import infer_day_first

    start = pd.Series(["4/1/2024", "4/13/2024"])
    end = pd.Series(["5/1/2024", None])
    order = infer_day_first(start, end)
    assert order is False
    assert parse_dates(end, day_first=order).values.iloc[0] == pd.Timestamp("2024-05-01")
    assert parse_dates(end).reasons.iloc[0] == "date_ambiguous_order"
    mixed = pd.Series(["13/1/2024", "1/13/2024", "5/1/2024"])
    assert parse_dates(mixed, day_first=False).reasons.tolist() == ["date_ambiguous_order"] * 3
    assert infer_day_first(start, mixed) is None


def test_lone_dashes_of_japanese_sheets_are_missing() -> None:
    """A cell holding only ``ー``, ``ｰ``, ``−``, ``—``, ``–`` or ``‐`` is blank, like ``-``.

    Hand-kept sheets mark "no churn date yet" this way; read as an invalid date, every active
    customer was excluded and only the churned ones were left to analyse.
    """
    dashes = ["ー", "ｰ", "−", "—", "–", "‐", "－", " ー "]
    assert all(is_missing(d) for d in dashes)
    parsed = parse_dates(pd.Series(dashes))
    assert parsed.missing.all()
    assert parsed.n_failed == 0
    assert parse_numbers(pd.Series(["−1,000", "ー"])).values.tolist()[0] == -1000.0


def test_compact_dates_stored_as_numbers_in_a_workbook() -> None:
    """The number ``20240401`` (an XLSX cell, as core systems export it) is 2024-04-01, like the text.

    Before, it was taken for an Excel serial beyond 9999-12-31 and refused, so a workbook's
    rows were excluded while the same dates in a CSV were read.
    """
    parsed = parse_dates(pd.Series([20240401, 20240401.0, "20240401", 20240231, 45383], dtype=object))
    assert parsed.values.iloc[:3].tolist() == [pd.Timestamp("2024-04-01")] * 3
    assert parsed.reasons.tolist() == [None, None, None, "date_impossible", None]
    assert parsed.values.iloc[4] == pd.Timestamp("2024-04-01")


def test_failed_cells_are_those_with_a_reason_on_messy_columns():
    """``failed`` is found once per distinct value: it must equal ``reasons.notna()`` row by row."""
    rng = np.random.default_rng(17)
    pool = np.array(["2024/4/1", "令和6年4月1日", "2024-13-45", "", "-", None, "￥1,000", "12.5", "abc",
                     "24/4/1", "▲300", "1e400", float("nan"), 3, "2024年4月1日", "N/A"], dtype=object)
    for _ in range(100):
        cells = pd.Series(pool[rng.integers(0, len(pool), rng.integers(0, 40))], dtype=object)
        for parsed in (parse_dates(cells), parse_numbers(cells)):
            assert parsed.failed.dtype == bool
            assert parsed.failed.tolist() == parsed.reasons.notna().tolist()
