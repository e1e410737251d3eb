"""Benchmark of file reading: :func:`cs_models.io.read_table` beside pandas' default readers.

Generates, in a temporary folder, a customers table like the ones CS teams export
(ID with leading zeros, Japanese company name, slashed dates, blank end dates, plan,
region, amounts, counts, a free-text note) as

- a 1,000,000-row CSV, UTF-8 with BOM (Excel's "CSV UTF-8"), about 100 MB, and the same
  table in cp932 (Excel's Japanese "CSV");
- a 100,000-row XLSX (written with XlsxWriter),

then times, in the same run, each reader on each file:

- CSV: ``read_table`` vs ``pandas.read_csv(path)`` (defaults; it needs ``encoding="cp932"``
  for the cp932 file, which ``read_table`` finds by itself);
- XLSX: ``read_table`` (python-calamine) vs ``pandas.read_excel(path)`` (its default
  engine, openpyxl) and ``pandas.read_excel(path, engine="calamine")``.

Note that ``read_table`` does more than the pandas defaults: encoding and delimiter
detection, header-row search, NFKC normalisation, the ragged-row check, blank-row
counting and IDs kept as text.

Usage::

    .venv/bin/python bench/bench_io.py [--rows 1000000] [--xlsx-rows 100000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cs_models.io import read_table  # noqa: E402


def customers(n: int, seed: int = 7) -> pd.DataFrame:
    """A synthetic customers table with ``n`` rows (deterministic)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2019-04-01") + pd.to_timedelta(rng.integers(0, 1800, n), unit="D")
    churned = rng.random(n) < 0.3
    end = start + pd.to_timedelta(rng.integers(30, 900, n), unit="D")
    names = np.array(["髙橋食堂", "カフェ・ド・東京", "らーめん山田", "Bistro Osaka", "寿司処 海"])
    notes = np.array(["", "", "勉強会に参加", "要フォロー、担当変更あり", "移行予定"])
    return pd.DataFrame({
        "顧客ID": [f"{i:08d}" for i in range(n)],
        "会社名": names[rng.integers(0, len(names), n)] + " " + (np.arange(n) % 997).astype(str) + "号店",
        "契約開始日": start.strftime("%Y/%m/%d"),
        "解約日": np.where(churned, end.strftime("%Y/%m/%d"), ""),
        "プラン": rng.choice(["ライト", "スタンダード", "プロ"], n),
        "地域": rng.choice(["関東", "関西", "九州", "東北"], n),
        "月額料金": rng.choice([9800, 19800, 49800], n),
        "店舗数": rng.integers(1, 30, n),
        "満足度": rng.integers(1, 6, n),
        "メモ": notes[rng.integers(0, len(notes), n)],
    })


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as a plain one-sheet workbook (header on row 1)."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("顧客")
    sheet.write_row(0, 0, list(frame.columns))
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        sheet.write_row(i, 0, row)
    book.close()


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def n_rows(result: object) -> int:
    frame = result.frame if hasattr(result, "frame") else result
    return len(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame = customers(args.rows)
        utf8 = folder / "customers_utf8.csv"
        frame.to_csv(utf8, index=False, encoding="utf-8-sig")
        sjis = folder / "customers_cp932.csv"
        frame.to_csv(sjis, index=False, encoding="cp932")
        book = folder / "customers.xlsx"
        write_xlsx(frame.head(args.xlsx_rows), book)

        cases: list[tuple[Path, str, Callable[[], object]]] = [
            (utf8, "cs_models.io.read_table", lambda: read_table(utf8.read_bytes(), utf8.name)),
            (utf8, "pandas.read_csv (default)", lambda: pd.read_csv(utf8)),
            (sjis, "cs_models.io.read_table", lambda: read_table(sjis.read_bytes(), sjis.name)),
            (sjis, "pandas.read_csv (encoding='cp932')", lambda: pd.read_csv(sjis, encoding="cp932")),
            (book, "cs_models.io.read_table", lambda: read_table(book.read_bytes(), book.name)),
            (book, "pandas.read_excel (default: openpyxl)", lambda: pd.read_excel(book)),
            (book, "pandas.read_excel (engine='calamine')", lambda: pd.read_excel(book, engine="calamine")),
        ]
        rows = []
        for path, reader, fn in cases:
            seconds, result = timed(fn, args.repeat)
            rows.append({
                "file": path.name,
                "MB": round(path.stat().st_size / 1e6, 1),
                "rows": n_rows(result),
                "reader": reader,
                "seconds": round(seconds, 2),
                "rows/s": f"{n_rows(result) / seconds:,.0f}",
            })
        table = pd.DataFrame(rows)
        # Express each row as time relative to the pandas default on the same file.
        defaults = {"customers_utf8.csv": 1, "customers_cp932.csv": 3, "customers.xlsx": 5}
        table["vs pandas default"] = [
            f"{table.loc[i, 'seconds'] / table.loc[defaults[f], 'seconds']:.2f}x time"
            for i, f in enumerate(table["file"])
        ]
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(table.to_string(index=False))


if __name__ == "__main__":
    main()
