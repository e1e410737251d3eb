"""The CSV fast path without counting fields (issue 15): when every ``"`` sits at the edge of a cell
and pyarrow finds one record per line with the first line's number of fields, the fields are not
counted (``_field_counts``); the reader's child leaves the cells as codes (``ReadResult.deferred``)
and the server builds them. Each is compared with the way it replaces."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_io import customers
from bench.bench_upload import make_events
from cs_models.errors import IngestError
from cs_models.io import _arrow, _text, read_table
from cs_models.io._base import DEFER_FRAME
from cs_models.io.isolated import read_table_isolated
from tests.models.test_upload_fast_path import assert_same

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
TEXT_FIXTURES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".csv", ".tsv", ".txt"))
GENERATED = {
    "customers.csv": customers(2000).to_csv(index=False).encode("utf-8-sig"),
    "events.csv": make_events(3000),  # quoted amounts ("9,800")
    "quoted_newline.csv": b'id,note\n1,"two\nlines"\n2,plain\n' * 50,
    "ragged.csv": b"a,b,c\n1,2,3\n4,5\n6,7,8\n" * 50,
    "blank_line.csv": b"a,b\n1,2\n\n3,4\n" * 50,
    "title.csv": "顧客一覧\n出力日: 2024/4/1\nid,名前\n1,髙橋\n2,ｶﾌﾞ\n".encode() * 3,
    "mid_quote.csv": b'id,size\n1,5" screen\n2,"x"\n',
    "cp932.csv": "顧客ID,会社名\nC1,髙橋\nC2,①\n".encode("cp932") * 30,
}


def both(data: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """(without counting fields, counting them) results of :func:`read_table` on the fast path."""
    monkeypatch.setattr(_arrow, "FAST_MIN_BYTES", 0)
    out = []
    for skip in (True, False):
        if not skip:
            monkeypatch.setattr(_text, "_one_line_records_grid", lambda *_: None)
        try:
            out.append(read_table(data, name))
        except IngestError as exc:
            out.append(exc)
    return out[0], out[1]


def same(a: object, b: object) -> None:
    """:func:`assert_same`, and the same kind of index and the same codes of the coded columns."""
    assert_same(a, b)
    if isinstance(a, IngestError):
        return
    assert type(a.frame.index) is type(b.frame.index)
    if a.codes is not None and b.codes is not None:  # (a blank line: pyarrow reads it, pandas did)
        assert list(a.codes) == list(b.codes)
        for h in a.codes:
            assert (a.codes[h][1][a.codes[h][0]] == b.codes[h][1][b.codes[h][0]]).all()


@pytest.mark.parametrize("name", [*(p.name for p in TEXT_FIXTURES), *GENERATED])
def test_without_counting_fields_the_table_is_the_same(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = GENERATED[name] if name in GENERATED else (FIXTURES / name).read_bytes()
    same(*both(data, name, monkeypatch))


def test_fields_are_not_counted_for_one_line_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rectangular file with quoted cells (no quoted line break) is read without ``_field_counts``."""
    monkeypatch.setattr(_arrow, "FAST_MIN_BYTES", 0)

    def refuse(*_: object) -> None:
        raise AssertionError("fields counted")

    monkeypatch.setattr(_text, "_field_counts", refuse)
    assert read_table(GENERATED["events.csv"], "events.csv").rows_read == 3000


@pytest.mark.parametrize("name", ["customers.csv", "events.csv", "title.csv", "ragged.csv"])
def test_a_deferred_read_unpickles_to_the_full_read(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read with the frame deferred (as the reader's child does), pickled and unpickled: the read."""
    monkeypatch.setattr(_arrow, "FAST_MIN_BYTES", 0)
    data = GENERATED[name]
    try:
        direct = read_table(data, name)
    except IngestError as exc:
        error = exc
    else:
        error = None
    if error is not None:
        token = DEFER_FRAME.set(True)
        try:
            with pytest.raises(IngestError) as caught:
                read_table(data, name)
        finally:
            DEFER_FRAME.reset(token)
        assert (caught.value.code, caught.value.params) == (error.code, error.params)
        return
    token = DEFER_FRAME.set(True)
    try:
        deferred = read_table(data, name)
    finally:
        DEFER_FRAME.reset(token)
    assert deferred.deferred == (direct.codes is not None)
    back = pickle.loads(pickle.dumps(deferred, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301 - our own bytes
    assert not back.deferred
    same(back, direct)
    assert back.frame.dtypes.tolist() == direct.frame.dtypes.tolist()


def test_the_isolated_reader_gives_the_direct_read_of_a_large_csv() -> None:
    """Above the fast path's threshold (the child defers the frame): the same table as in process."""
    data = customers(30_000).to_csv(index=False).encode("utf-8-sig")
    assert len(data) >= _arrow.FAST_MIN_BYTES
    isolated, direct = read_table_isolated(data, "c.csv"), read_table(data, "c.csv")
    same(isolated, direct)


def test_utf8_checked_in_place_like_decoding() -> None:
    """The in-place UTF-8 check agrees with ``bytes.decode`` (valid, invalid, truncated, BOM)."""
    rng = np.random.default_rng(5)
    samples = [b"", b"abc", "髙橋".encode(), "髙橋".encode()[:-1], "あ".encode("cp932"), b"\xef\xbb\xbfa,b",
               b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"]
    samples += [bytes(rng.integers(0, 256, rng.integers(1, 12)).astype(np.uint8)) for _ in range(300)]
    for sample in samples:
        try:
            sample.decode("utf-8")
            valid = True
        except UnicodeDecodeError:
            valid = False
        assert _text._valid_utf8(sample, 0) == valid, sample
    pd.read_csv(io.BytesIO(b"a\n1\n"))  # pandas still importable after the checks


def test_validation_of_plain_coded_columns_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Columns the reader kept as plain texts (``plain_codes``: not hashed, not cleaned again in
    validation) give the validation of the same read without that knowledge, and of its cells."""
    import dataclasses

    from cs_models.schema import detect_kind, suggest_mapping, validate

    monkeypatch.setattr(_arrow, "FAST_MIN_BYTES", 0)
    rng = np.random.default_rng(2)
    ids = np.array([f"C{i:04d}" for i in rng.integers(0, 3000, 4000)], dtype=object)
    ids[::97] = "-"
    extra = {"dup.csv": pd.DataFrame({"顧客ID": ids, "契約開始日": "2024/1/1", "店コード": "007"})
             .to_csv(index=False).encode()}
    seen = 0
    for name, data in [*GENERATED.items(), *extra.items()]:
        try:
            read = read_table(data, name)
        except IngestError:
            continue
        seen += bool(read.plain_codes)
        for kind in {detect_kind(read.frame).kind, "customers", "events"}:
            mapping = suggest_mapping(read.frame, kind)
            if mapping.missing_fields():
                continue
            today = pd.Timestamp("2026-01-01").date()
            fast = validate(read, kind, mapping, file=name, today=today)
            for other in (dataclasses.replace(read, plain_codes=frozenset()),
                          dataclasses.replace(read, codes=None, plain_codes=frozenset())):
                slow = validate(other, kind, mapping, file=name, today=today)
                pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
                pd.testing.assert_frame_equal(fast.issues, slow.issues, check_exact=True)
                assert (fast.rows == slow.rows).all()
    assert seen >= 3


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="abcAB", min_size=1, max_size=3), min_size=1, max_size=8, unique=True),
       st.data())
def test_compact_factors_factorise_the_cells_in_their_own_order(texts: list[str], data: st.DataObject) -> None:
    """Plain columns' factors: the same partition of the rows as pandas.factorize, the distinct cells
    no row uses left out, the others in the order the reader gave them (sorted there: IDs arrive in
    the order of their categories)."""
    from cs_models.schema._cells import _compact_factors
    from cs_models.values import coded_factors

    cleaned = np.array(texts, dtype=object)
    codes = np.array(data.draw(st.lists(st.integers(-1, len(cleaned) - 1), max_size=40)), dtype=np.int32)
    got_codes, got = _compact_factors(codes, cleaned)
    expected_codes, expected = coded_factors(codes, cleaned)
    cells = [None if c < 0 else cleaned[c] for c in codes]
    assert [None if c < 0 else got[c] for c in got_codes] == cells
    assert sorted(got.tolist()) == sorted(expected.tolist())  # the cells some row uses, each once
    assert got.tolist() == [t for t in texts if t in set(expected.tolist())]  # in the given order
    assert (got_codes < 0).tolist() == (expected_codes < 0).tolist()


def test_plain_texts_edge_spaces_as_python_strip() -> None:
    """A distinct text is plain only if ``str.strip`` would leave it as it is (every short text
    of spaces, controls, letters and non-ASCII spaces)."""
    import itertools

    import pyarrow as pa

    chars = ["a", " ", "\t", "\x1c", "\x1f", "\x0b", "\r", "\n", "\x7f", "あ", "\u3000", "\x85", "\xa0"]
    texts = ["".join(p) for n in range(4) for p in itertools.product(chars, repeat=n)]
    plain = _arrow.plain_texts(pa.array(texts))
    for text, is_plain in zip(texts, plain, strict=True):
        if is_plain:
            assert text.isascii()
            assert text.strip() == text
            assert text
        elif text.isascii() and text.strip() == text and text:
            raise AssertionError(repr(text))


def test_quotes_at_edges_found_alike_both_ways() -> None:
    """The regular-expression search for a ``"`` inside a cell agrees with the positional check."""
    rng = np.random.default_rng(8)
    for delimiter in (",", "\t", ";", "|"):
        for _ in range(400):
            tokens = [b"a", b'"', b"\n", delimiter.encode(), "あ".encode()]
            raw = b"".join(tokens[k] for k in rng.integers(0, len(tokens), rng.integers(1, 12)))
            buf = np.frombuffer(raw, dtype=np.uint8)
            expected = _text._quotes_at_edges(buf, np.flatnonzero(buf == ord('"')), delimiter)
            assert _text._all_quotes_at_edges(raw, delimiter) == expected, (raw, delimiter)
