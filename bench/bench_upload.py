"""Benchmark of the upload pipeline: read (cs_models.io) + detect + map + validate (cs_models.schema).

Prints one table: rows, seconds per step, and a plain pandas baseline (``read_csv`` +
``to_datetime`` + ``to_numeric``) measured in the same run. Run::

    .venv/bin/python bench/bench_upload.py [--rows 100000 1000000]
"""

from __future__ import annotations

import argparse
import sys
import time
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cs_models.io import read_table
from cs_models.schema import detect_kind, suggest_mapping, validate


def make_events(n: int, seed: int = 7) -> bytes:
    """A Japanese billing export: ``顧客ID, 請求日 (2024/4/1), 請求額 (9,800)`` with 0.1% bad cells."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("C", rng.integers(1, max(n // 12, 2), n).astype(str))
    days = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    dates = days.strftime("%Y/%-m/%-d").to_numpy(dtype=object)
    amounts = np.array([f"{v:,}" for v in rng.integers(1, 50, n) * 1000], dtype=object)
    bad = rng.random(n) < 0.001
    dates[bad] = "2024/2/30"
    frame = pd.DataFrame({"顧客ID": ids, "請求日": dates, "請求額": amounts})
    return frame.to_csv(index=False).encode("utf-8-sig")


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def bench(n: int) -> dict[str, object]:
    data = make_events(n)
    read, t_read = timed(lambda: read_table(data, "events.csv"))
    mapping, t_map = timed(lambda: (detect_kind(read.frame), suggest_mapping(read.frame))[1])
    result, t_validate = timed(lambda: validate(read, "events", mapping))
    assert result.rows_used + result.rows_excluded == result.rows_read == n

    def baseline():
        frame = pd.read_csv(BytesIO(data), encoding="utf-8-sig", dtype=str)
        frame["請求日"] = pd.to_datetime(frame["請求日"], format="%Y/%m/%d", errors="coerce")
        frame["請求額"] = pd.to_numeric(frame["請求額"].str.replace(",", ""), errors="coerce")
        return frame

    _, t_pandas = timed(baseline)
    return {
        "rows": f"{n:,}",
        "MB": f"{len(data) / 1e6:.1f}",
        "read s": f"{t_read:.2f}",
        "detect+map s": f"{t_map:.3f}",
        "validate s": f"{t_validate:.2f}",
        "total s": f"{t_read + t_map + t_validate:.2f}",
        "issues": len(result.issues),
        "pandas baseline s": f"{t_pandas:.2f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    table = pd.DataFrame([bench(n) for n in args.rows])
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
