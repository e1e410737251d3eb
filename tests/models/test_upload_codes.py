"""Columns read as codes (issue 15): the CSV fast path and the Parquet reader keep each column's
dictionary codes; validation factorises from them instead of hashing every cell, and a read result
is pickled (to the server from the reader's child, into caches) as codes, not a Python object per
cell. Each is compared with the straightforward way: the same validation, the same table."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.bench_io import customers
from bench.bench_upload import make_events
from cs_models.errors import IngestError
from cs_models.io import _arrow, _base, read_table
from cs_models.io.isolated import read_table_isolated
from cs_models.schema import detect_kind, suggest_mapping, validate
from cs_models.values import coded_factors

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FILES = sorted([*(p for p in (FIXTURES / "ingest").iterdir() if p.suffix in (".csv", ".tsv", ".txt")),
                *(FIXTURES / "parquet").iterdir()])
GENERATED = {
    "customers.csv": customers(3000).to_csv(index=False).encode("utf-8-sig"),
    "events.csv": make_events(5000),
}


def reads(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_arrow, "FAST_MIN_BYTES", 0)
    for name, data in [*((p.name, p.read_bytes()) for p in FILES), *GENERATED.items()]:
        try:
            yield name, read_table(data, name)
        except IngestError:
            continue


def test_validation_from_codes_equals_validation_from_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    coded = 0
    for name, read in reads(monkeypatch):
        coded += bool(read.codes)
        plain = dataclasses.replace(read, codes=None)
        for kind in {detect_kind(read.frame).kind, "customers", "events"}:
            mapping = suggest_mapping(read.frame, kind)
            if mapping.missing_fields():
                continue
            fast, slow = validate(read, kind, mapping, file=name), validate(plain, kind, mapping, file=name)
            pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
            pd.testing.assert_frame_equal(fast.issues, slow.issues, check_exact=True)
            assert (fast.rows_used, fast.rows_excluded) == (slow.rows_used, slow.rows_excluded)
            assert (fast.rows == slow.rows).all()
    assert coded >= 15


@pytest.mark.parametrize("arrow_min", [0, _base.ARROW_MIN_TEXTS])
def test_a_read_result_pickles_as_codes_and_comes_back_equal(monkeypatch: pytest.MonkeyPatch, arrow_min: int) -> None:
    monkeypatch.setattr(_base, "ARROW_MIN_TEXTS", arrow_min)  # 0: every text known to Arrow travels as Arrow
    for _, read in reads(monkeypatch):
        back = pickle.loads(pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301 - our own bytes
        assert back.frame.equals(read.frame)
        assert set(back.codes or {}) == set(read.codes or {})
        for header, (codes, cells) in (read.codes or {}).items():
            back_codes, back_cells = (back.codes or {})[header]
            assert np.array_equal(back_codes, codes)
            assert back_cells.dtype == object
            assert [(type(v), v) for v in back_cells] == [(type(v), v) for v in cells]
        assert type(back.frame.index) is type(read.frame.index)
        assert list(back.frame.columns) == list(read.frame.columns)
        assert back.frame.dtypes.tolist() == read.frame.dtypes.tolist()
        assert (back.header_row, back.notes, back.blank_rows_dropped) == (read.header_row, read.notes,
                                                                          read.blank_rows_dropped)
    if arrow_min:  # as it is set: codes are smaller than the cells
        big = read_table(GENERATED["events.csv"], "events.csv")
        assert len(pickle.dumps(big, protocol=5)) < len(pickle.dumps(dataclasses.replace(big, codes=None),
                                                                     protocol=5))


def test_codes_give_what_pandas_factorize_gives() -> None:
    rng = np.random.default_rng(3)
    for _ in range(300):
        cleaned = np.array(rng.choice(["a", "b", "A", "", None], rng.integers(1, 7)), dtype=object)
        codes = rng.integers(-1, len(cleaned), rng.integers(0, 40))
        cells = np.array([None if c < 0 else cleaned[c] for c in codes], dtype=object)
        expected_codes, expected = pd.factorize(cells, use_na_sentinel=True)
        got_codes, got = coded_factors(codes, cleaned)
        assert got_codes.tolist() == expected_codes.tolist()
        assert got.tolist() == list(expected)


def test_the_isolated_reader_hands_back_the_codes() -> None:
    data = (FIXTURES / "parquet" / "customers_typed.parquet").read_bytes()
    isolated, direct = read_table_isolated(data, "c.parquet"), read_table(data, "c.parquet")
    assert isolated.frame.equals(direct.frame)
    assert set(isolated.codes) == set(direct.codes) == set(direct.frame.columns)


def test_kept_rows_equal_the_filtered_frame_renumbered() -> None:
    from cs_models.schema._validate import _kept_rows

    frame = pd.DataFrame({"a": ["x", None, "z"], "b": [1.0, 2.0, np.nan]}, index=pd.RangeIndex(2, 5, name="row"))
    for keep in ([True, True, True], [True, False, True], [False, False, False]):
        mask = np.array(keep)
        pd.testing.assert_frame_equal(_kept_rows(frame, mask), frame[mask].reset_index(drop=True))
    assert frame.index.name == "row"  # the input keeps its row numbers


def test_many_distinct_texts_travel_as_arrow_strings_and_come_back_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_arrow, "FAST_MIN_BYTES", 0)
    data = customers(6000).to_csv(index=False).encode("utf-8-sig")
    read = read_table(data, "customers.csv")
    assert read.arrow_texts is not None
    assert len(read.arrow_texts["顧客ID"][0]) > _base.ARROW_MIN_TEXTS
    blob = pickle.dumps(read, protocol=5)
    back = pickle.loads(blob)  # noqa: S301 - our own bytes
    pd.testing.assert_frame_equal(back.frame, read.frame)
    as_objects = pickle.dumps(dataclasses.replace(read, arrow_texts=None), protocol=5)
    assert pickle.loads(as_objects).frame.equals(back.frame)  # noqa: S301 - our own bytes
    assert b"pyarrow" in blob
    assert b"pyarrow" not in as_objects


def test_cleaned_texts_as_arrow_equal_the_cleaned_texts() -> None:
    import pyarrow as pa

    from cs_models.io._text import _cleaned_arrow

    rng = np.random.default_rng(11)
    pool = ["a", " b ", "ｶﾀｶﾅ", "", "-", '="007"', "顧客", "N/A", "x y"]
    for _ in range(200):
        texts = pa.array(list(dict.fromkeys(rng.choice(pool, rng.integers(1, 9)).tolist())), type=pa.string())
        cleaned = np.asarray(texts.to_numpy(zero_copy_only=False), dtype=object)
        changed = np.flatnonzero(rng.random(len(cleaned)) < 0.4)
        for k in changed:
            cleaned[k] = None if rng.random() < 0.3 else f"{cleaned[k]}!"
        got = _cleaned_arrow(texts, cleaned, changed).to_numpy(zero_copy_only=False)
        assert [(type(v), v) for v in got] == [(type(v), v) for v in cleaned]


def test_uses_any_equals_isin() -> None:
    from cs_models.io._table import _uses_any

    rng = np.random.default_rng(2)
    for _ in range(300):
        size = int(rng.integers(1, 20))
        codes = rng.integers(-1 if rng.random() < 0.2 else 0, size, rng.integers(0, 30))
        some = np.unique(rng.integers(0, size, rng.integers(1, 4)))
        assert _uses_any(codes, some, size) == bool(np.isin(codes, some).any())


@pytest.mark.parametrize("name", ["customers_typed.parquet", "blank_row.parquet"])
def test_a_parquet_file_read_in_the_child_equals_the_one_read_here(name: str) -> None:
    """The child leaves a Parquet file's cells unbuilt (``deferred``): the server's rebuilt frame, its
    row numbers (blank rows dropped), codes and counts equal the in-process read."""
    data = (FIXTURES / "parquet" / name).read_bytes()
    isolated, direct = read_table_isolated(data, name), read_table(data, name)
    pd.testing.assert_frame_equal(isolated.frame, direct.frame)
    assert (isolated.blank_rows_dropped, isolated.rows_read, isolated.notes) == (
        direct.blank_rows_dropped, direct.rows_read, direct.notes)
    for header, (codes, cells) in direct.codes.items():
        assert isolated.codes[header][0].tolist() == codes.tolist()
        assert list(isolated.codes[header][1]) == list(cells)
