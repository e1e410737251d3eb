"""Benchmark: MRR movements (``cs_models.revenue.revenue_movements``) from 1M and 10M synthetic events,
against the DuckDB SQL of ``tests/models/test_revenue.py`` on the same frame in the same run.

    .venv/bin/python bench/bench_revenue.py             # 1M and 10M
    .venv/bin/python bench/bench_revenue.py --sizes 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_cohorts import synthetic_events  # noqa: E402
from cs_models.revenue import revenue_movements  # noqa: E402
from tests.models.test_revenue import SQL  # noqa: E402

AS_OF = date(2026, 10, 31)


def best_of(runs: int, fn) -> float:
    """The fastest of ``runs`` timed calls (seconds)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| events | cs_models (s) | DuckDB SQL (s) | ratio cs_models / DuckDB |")
    print("|---|---|---|---|")
    for n in args.sizes:
        events = synthetic_events(n)
        ours = best_of(args.runs, partial(revenue_movements, events, AS_OF))
        con = duckdb.connect()
        con.register("events", events)
        peer = best_of(args.runs, partial(lambda c: c.execute(SQL, [date(2026, 11, 1)] * 2).df(), con))
        print(f"| {n:,} | {ours:.2f} | {peer:.2f} | {ours / peer:.2f} |")


if __name__ == "__main__":
    main()
