"""Property and mutation tests of :func:`cs_models.io.read_table`.

- Round trip (Hypothesis): random text tables written as Excel would (UTF-8 with BOM,
  cp932, UTF-16 tab-separated "Unicode text") are read back cell for cell, or refused
  with an :class:`~cs_models.errors.IngestError` only. The expected cell is the written
  text after the reader's documented cleaning (NFKC, strip, missing-value texts -> None;
  runs of spaces in headers collapsed).
- Mutation fuzz: mutants of the real fixture corpus (byte flips, truncations, inserted
  delimiters/quotes/newlines, spliced chunks; and, for workbooks, the same mutations
  applied inside the sheet XML before re-zipping) raise nothing but ``IngestError`` and
  none takes over 10 s. ``FUZZ_MUTANTS`` mutants run in CI (about 6 s on an idle 2-core machine, 25 s under load).
"""

from __future__ import annotations

import io
import random
import re
import time
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_models.errors import IngestError
from cs_models.io import ReadResult, read_table
from cs_models.values import MISSING_VALUES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
FUZZ_MUTANTS = 3000
MAX_SECONDS_PER_FILE = 10.0

# Characters every one of the three encodings can hold (cp932 is the narrowest),
# including the delimiters, quotes and line breaks a CSV writer has to quote.
CELL_ALPHABET = (
    "abcXYZ019 .-_/:%円￥▲()"  # ASCII and amount marks
    "あいうアイウｱｲｳ顧客髙﨑①ⅡＡ１"  # kana (incl. half-width), kanji (incl. IBM extensions), NFKC-changing
    ',;|\t"\n'  # delimiters, quote, line break inside a cell
)
HEADER_START = "顧客名前プランabcxyz"
HEADER_REST = "abcxyz0123_ 顧客日付金額"

ENCODINGS = {
    # name: (encoding, separator, line terminator, file name)
    "utf-8-sig": ("utf-8-sig", ",", "\r\n", "table.csv"),
    "cp932": ("cp932", ",", "\r\n", "table.csv"),
    "utf-16": ("utf-16", "\t", "\r\n", "table.txt"),
}


def expected_header(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def expected_cell(text: str) -> str | None:
    cleaned = unicodedata.normalize("NFKC", text).strip()
    return None if cleaned in MISSING_VALUES else cleaned


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    n_cols = draw(st.integers(1, 5))
    header = st.builds(lambda a, b: a + b.rstrip(), st.sampled_from(HEADER_START),
                       st.text(HEADER_REST, max_size=6))
    columns = draw(st.lists(header, min_size=n_cols, max_size=n_cols, unique_by=expected_header))
    n_rows = draw(st.integers(1, 12))
    # With one column no delimiter can be seen, so a file whose cells mostly hold ";" or a tab
    # genuinely reads as several columns (or as a title row above a table): keep them out.
    alphabet = CELL_ALPHABET if n_cols > 1 else CELL_ALPHABET.translate(str.maketrans("", "", ",;|\t"))
    cell = st.text(alphabet, max_size=8)
    rows = draw(st.lists(st.lists(cell, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows))
    return pd.DataFrame(rows, columns=columns, dtype=object)


def read_or_error(data: bytes, name: str) -> ReadResult | IngestError:
    """The table, or the package's error; any other exception fails the test."""
    try:
        return read_table(data, name)
    except IngestError as err:
        return err


def write(frame: pd.DataFrame, encoding_name: str) -> tuple[bytes, str]:
    encoding, sep, terminator, name = ENCODINGS[encoding_name]
    text = frame.to_csv(index=False, sep=sep, lineterminator=terminator)
    return text.encode(encoding), name


@pytest.mark.parametrize("encoding_name", list(ENCODINGS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=tables())
def test_random_tables_round_trip(encoding_name: str, frame: pd.DataFrame) -> None:
    """Written as Excel would, read back exactly (rows keep their spreadsheet numbers)."""
    data, name = write(frame, encoding_name)
    expected = frame.map(expected_cell)
    expected.index = pd.RangeIndex(2, 2 + len(frame))
    blank = expected.isna().all(axis=1)
    result = read_or_error(data, name)
    if isinstance(result, IngestError):
        # The only refusal a well-formed table can earn: every data row is blank.
        assert result.code == "ingest_header_only", result
        assert blank.all()
        return
    # ASCII-only text is valid UTF-8 as well as cp932; the reader then rightly says UTF-8.
    assert result.encoding == ("utf-8" if encoding_name == "cp932" and data.isascii() else encoding_name)
    assert result.header_row == 1
    assert result.blank_rows_dropped == int(blank.sum())
    assert list(result.frame.columns) == [expected_header(c) for c in frame.columns]
    got = result.frame
    want = expected[~blank]
    assert list(got.index) == list(want.index)
    assert got.to_numpy().tolist() == want.to_numpy().tolist()


# ----------------------------------------------------------------------------- mutation fuzz
def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    if not buf:
        return bytes(rng.randbytes(rng.randint(1, 64)))
    op = rng.randrange(6)
    if op == 0:  # flip bytes
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    elif op == 1:  # truncate
        del buf[rng.randrange(len(buf)):]
    elif op == 2:  # insert structure characters
        for _ in range(rng.randint(1, 6)):
            buf[rng.randrange(len(buf) + 1):0] = rng.choice([b",", b"\t", b'"', b"\n", b"\r", b";", b"\x00",
                                                             b"\xff\xfe", b"\xef\xbb\xbf", b"<"])
    elif op == 3:  # delete a slice
        a = rng.randrange(len(buf))
        del buf[a: a + rng.randint(1, 64)]
    elif op == 4:  # duplicate a slice
        a = rng.randrange(len(buf))
        b = min(len(buf), a + rng.randint(1, 256))
        buf[a:a] = buf[a:b]
    else:  # splice random bytes
        a = rng.randrange(len(buf))
        buf[a: a + rng.randint(0, 16)] = rng.randbytes(rng.randint(1, 16))
    return bytes(buf)


def _mutate_workbook(data: bytes, rng: random.Random) -> bytes:
    """Mutate one part of the workbook (often a sheet) and re-zip, so the XML parser is reached."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        infos = source.infolist()
    except zipfile.BadZipFile:
        return _mutate_bytes(data, rng)
    sheets = [i for i in infos if i.filename.startswith("xl/worksheets/")] or infos
    target = rng.choice(sheets if rng.random() < 0.6 else infos).filename
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            content = source.read(info.filename)
            if info.filename == target:
                content = _mutate_bytes(content, rng)
            archive.writestr(info.filename, content)
    return out.getvalue()


def _corpus() -> list[tuple[str, bytes]]:
    # The zip bomb fixture is 64 MB inflated: re-zipping its mutants would dominate the run.
    return [(p.name, p.read_bytes()) for p in sorted(FIXTURES.iterdir()) if p.name != "zip_bomb.xlsx"]


def test_mutation_fuzz_raises_only_ingest_error_and_never_hangs() -> None:
    """Every mutant is read or refused with ``IngestError``; each read takes under 10 s."""
    rng = random.Random(20240401)
    corpus = _corpus()
    outcomes: dict[str, int] = {"read": 0, "refused": 0}
    for i in range(FUZZ_MUTANTS):
        name, data = corpus[i % len(corpus)]
        mutant = _mutate_workbook(data, rng) if data.startswith(b"PK") and rng.random() < 0.7 else (
            _mutate_bytes(data, rng))
        started = time.perf_counter()
        result = read_or_error(mutant, name)
        if isinstance(result, IngestError):
            assert result.code.startswith("ingest_"), result
            assert result.code != "ingest_unreadable", repr(result.__cause__)  # every failure is foreseen
            assert result.file == name
            outcomes["refused"] += 1
        else:
            assert result.rows_read == len(result.frame)
            assert result.frame.index.is_monotonic_increasing
            outcomes["read"] += 1
        elapsed = time.perf_counter() - started
        assert elapsed < MAX_SECONDS_PER_FILE, f"mutant {i} of {name} took {elapsed:.1f} s"
    # Both paths are exercised (most mutants of a text file break its encoding or a row).
    assert outcomes["read"] >= 50, outcomes
    assert outcomes["refused"] >= 500, outcomes
