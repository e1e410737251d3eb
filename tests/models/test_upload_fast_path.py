"""The upload fast path gives what the straightforward path gives (issue 15).

- Reading: pyarrow splits rectangular CSV text (``cs_models.io._arrow``) instead of
  ``pandas.read_csv``, and cleans each column once per distinct text. Compared with the
  straightforward path (``FAST_MIN_BYTES`` above any file) on every text fixture of
  ``tests/fixtures/ingest`` and on Hypothesis-generated CSVs (quotes, delimiters and line breaks
  inside cells, full-width text, missing-value texts, Excel text formulas, edge whitespace);
  the same table, notes and errors.
- Validation: each column factorised once (``cs_models.values.factorize_once``), IDs mapped
  once and repeated IDs found by counting codes: compared with validation where every parser
  factorises afresh and repeats are found with ``Series.duplicated``.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cs_models.schema._validate as validate_module
from cs_models.errors import IngestError
from cs_models.io import _arrow, read_table
from cs_models.io._workbook import _last_row, _row_number
from cs_models.schema import suggest_mapping, validate
from cs_models.schema._cells import _map_unique, _text_id

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
TEXT_FIXTURES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".csv", ".tsv", ".txt"))
CELL_ALPHABET = 'abcXYZ0179 .-_/:%円￥▲()あアｱ髙①Ａ１,;\t"\n\x1c\x0b=' + "\u3000"


def read_both(data: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """(fast, straightforward) result of :func:`read_table`: a ReadResult or the IngestError."""
    results = []
    for threshold in (0, 1 << 62):
        monkeypatch.setattr(_arrow, "FAST_MIN_BYTES", threshold)
        try:
            results.append(read_table(data, name))
        except IngestError as exc:
            results.append(exc)
    return results[0], results[1]


def assert_same(fast: object, slow: object) -> None:
    """Same error (code and params), or the same table and reading facts."""
    if isinstance(slow, IngestError) or isinstance(fast, IngestError):
        assert isinstance(fast, IngestError)
        assert isinstance(slow, IngestError)
        assert (fast.code, fast.params) == (slow.code, slow.params)
        return
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    assert fast.frame.dtypes.tolist() == slow.frame.dtypes.tolist()
    for field in ("kind", "encoding", "delimiter", "header_row", "header_rows", "blank_rows_dropped",
                  "rows_read", "notes"):
        assert getattr(fast, field) == getattr(slow, field), field


@pytest.mark.parametrize("path", TEXT_FIXTURES, ids=lambda p: p.name)
def test_fixtures_read_the_same_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text fixture: the fast path's table (or error) is the straightforward one's."""
    assert_same(*read_both(path.read_bytes(), path.name, monkeypatch))


def test_fast_path_is_taken_for_a_rectangular_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """utf8.csv is rectangular: with the threshold at 0 pyarrow reads it (pandas is not called)."""
    monkeypatch.setattr(_arrow, "FAST_MIN_BYTES", 0)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("pandas.read_csv called")

    monkeypatch.setattr(pd, "read_csv", refuse)
    assert read_table((FIXTURES / "utf8.csv").read_bytes(), "utf8.csv").rows_read > 0


@st.composite
def csv_texts(draw: st.DrawFn) -> bytes:
    """A CSV as a spreadsheet program writes it (quoted where needed), or with every cell quoted."""
    n_cols = draw(st.integers(1, 4))
    header = [f"h{j}" for j in range(n_cols)]
    cell = st.one_of(st.text(CELL_ALPHABET, max_size=6),
                     st.sampled_from(["", "-", "#N/A", "=\"007\"", " x ", "ｶﾌﾞ", "１，０００", "NA", "None"]))
    rows = draw(st.lists(st.lists(cell, min_size=n_cols, max_size=n_cols), min_size=1, max_size=15))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=quoting, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=csv_texts())
def test_generated_csvs_read_the_same_both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypothesis: random quoted/unquoted CSVs give the same table (or error) both ways."""
    assert_same(*read_both(data, "table.csv", monkeypatch))


def customers_csv(n: int, seed: int = 3) -> bytes:
    """Customers with blanks, duplicates, bad and future dates, amounts with marks, a code column."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:05d}" for i in rng.integers(0, n, n)], dtype=object)
    ids[rng.random(n) < 0.02] = ""
    start = np.array(["2023/4/1", "令和5年5月1日", "2024-02-30", "2099/1/1", "", "2022/12/31"])[rng.integers(0, 6, n)]
    end = np.array(["", "", "2024/6/30", "2021/1/1", "x"])[rng.integers(0, 5, n)]
    mrr = np.array(["￥1,000", "▲500", "9800", "abc", ""])[rng.integers(0, 5, n)]
    code = np.array(["007", "010", "123"])[rng.integers(0, 3, n)]
    frame = pd.DataFrame({"顧客ID": ids, "契約開始日": start, "解約日": end, "月額": mrr, "店コード": code,
                          "地域": rng.choice(["関東", "関西"], n)})
    return frame.to_csv(index=False).encode("utf-8-sig")


@pytest.mark.parametrize("kind", ["customers", "events"])
def test_validation_with_columns_factorised_once_is_the_same(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo of factorisations and the repeats found by counting codes change no frame, issue or
    count (customers and events), compared with fresh factorisations and ``Series.duplicated``."""
    read = read_table(customers_csv(3000), f"{kind}.csv")
    mapping = suggest_mapping(read.frame, kind)
    if kind == "events":
        mapping = type(mapping)(kind="events", fields={"customer_id": "顧客ID", "date": "契約開始日",
                                                       "amount": "月額"})
    fast = validate(read, kind, mapping, today=pd.Timestamp("2026-01-01").date())
    monkeypatch.setattr(validate_module, "factorize_once", contextlib.nullcontext)
    monkeypatch.setattr(validate_module, "_map_ids",
                        lambda column, categorical=False: (_map_unique(column, _text_id), None))
    slow = validate(read, kind, mapping, today=pd.Timestamp("2026-01-01").date())
    assert not fast.issues.empty
    if kind == "customers":
        assert "duplicate_id" in set(fast.issues["code"])
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    pd.testing.assert_frame_equal(fast.issues, slow.issues, check_exact=True)
    assert (fast.rows_read, fast.rows_used, fast.rows_excluded) == (slow.rows_read, slow.rows_used,
                                                                     slow.rows_excluded)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.from_regex(rb"\A[0-9]{1,12}\Z"), min_size=1, max_size=8))
def test_last_row_of_a_sheet_part_is_the_per_reference_maximum(rows: list[bytes]) -> None:
    """The workbook pre-scan's vectorised last row equals the maximum of ``_row_number`` per
    reference (leading zeros, references longer than Excel's 1,048,576 included)."""
    assert _last_row(rows) == max(_row_number(r) for r in rows)
