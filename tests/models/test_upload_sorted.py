"""Sorted dictionaries (issue 15): the readers give each column's distinct texts in sorted order (the
reader's child sorts them while the server checks another file), validation takes a customer ID column
the reader kept as plain texts straight as a categorical of those texts, and the rows' categories are
trimmed by counting codes. Each is compared with the straightforward way: the same validation, the
same table, the same categorical."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_models.ids import categorical_ids, drop_unused_ids
from cs_models.io import _arrow, read_table
from cs_models.io._arrow import sorted_dictionary
from cs_models.schema import suggest_mapping, validate

_TEXTS = st.text(alphabet="aAzZ09_-é顧客𝔸 ", min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXTS, min_size=1, max_size=12, unique=True), st.data())
def test_sorted_dictionary_keeps_every_cell_and_sorts_the_texts(texts: list[str], data: st.DataObject) -> None:
    import pyarrow as pa

    codes = np.array(data.draw(st.lists(st.integers(-1, len(texts) - 1), max_size=30)), dtype=np.int32)
    got_codes, got_texts = sorted_dictionary(codes, pa.array(texts, type=pa.string()))
    got = got_texts.to_pylist()
    assert got == sorted(texts)  # Arrow's byte order is Python's order of str
    assert got_codes.dtype == codes.dtype
    assert [None if c < 0 else got[c] for c in got_codes] == [None if c < 0 else texts[c] for c in codes]


def test_the_readers_give_sorted_distinct_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    monkeypatch.setattr(_arrow, "FAST_MIN_BYTES", 0)
    frame = pd.DataFrame({"顧客ID": ["C3", "C1", "C2", "C1"],
                          "契約開始日": ["2024/4/1", "2024/1/5", "2023/12/1", None]})
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    for name, data in (("c.csv", frame.to_csv(index=False).encode()), ("c.parquet", buffer.getvalue())):
        read = read_table(data, name)
        _, cells = (read.codes or {})["顧客ID"]
        texts = [c for c in cells if c is not None]
        assert texts == sorted(texts)
        assert "顧客ID" in read.plain_codes
        assert read.frame["顧客ID"].tolist() == ["C3", "C1", "C2", "C1"]


_ID = st.sampled_from(["C1", "C2", "C10", "c1", "B7", "A", "z9", "C001"])
_DATE = st.sampled_from(["2024/4/1", "2024/2/30", "2023/1/31", "2024-05-06", "2025/12/1"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_ID, _DATE, _DATE, st.sampled_from(["9,800", "1000", "abc"])), min_size=1, max_size=25),
       st.sampled_from(["csv", "parquet"]))
def test_validation_of_sorted_plain_ids_is_the_straightforward_one(rows: list[tuple[str, str, str, str]],
                                                                   fmt: str) -> None:
    """Customers (repeated IDs, excluded rows) and events from codes with plain, sorted IDs equal the
    validation of the same read without codes (every cell hashed and mapped, IDs made categorical
    afterwards)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    headers = {"customers": ["顧客ID", "契約開始日", "解約日", "MRR"], "events": ["顧客ID", "請求日", "備考", "請求額"]}
    today = pd.Timestamp("2025-01-01").date()
    for kind, columns in headers.items():
        frame = pd.DataFrame(rows, columns=columns)
        if fmt == "csv":
            data, name = frame.to_csv(index=False).encode(), "c.csv"
        else:
            buffer = io.BytesIO()
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
            data, name = buffer.getvalue(), "c.parquet"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_arrow, "FAST_MIN_BYTES", 0)
            read = read_table(data, name)
        assert "顧客ID" in read.plain_codes  # the IDs come as a categorical straight from the codes
        mapping = suggest_mapping(read.frame, kind)
        assert not mapping.missing_fields()
        fast = validate(read, kind, mapping, file=name, today=today)
        slow = validate(dataclasses.replace(read, codes=None, plain_codes=frozenset()), kind, mapping,
                        file=name, today=today)
        pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
        pd.testing.assert_frame_equal(fast.issues, slow.issues, check_exact=True)
        assert (fast.rows == slow.rows).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), _ID), max_size=20), st.data())
def test_drop_unused_ids_equals_remove_unused_categories(ids: list[str | None], data: st.DataObject) -> None:
    frame = categorical_ids(pd.DataFrame({"customer_id": pd.Series(ids, dtype=object), "x": range(len(ids))}))
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=len(ids), max_size=len(ids))), dtype=bool)
    kept = frame[keep]
    got = drop_unused_ids(kept)
    expected = kept.assign(customer_id=kept["customer_id"].cat.remove_unused_categories())
    pd.testing.assert_frame_equal(got, expected)
