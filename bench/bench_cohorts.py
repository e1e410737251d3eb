"""Benchmark: the monthly cohort table from 1M and 10M synthetic events.

Compares :func:`cs_models.cohorts.cohort_table` with DuckDB SQL (on the same
in-memory frame and on a Parquet copy), vectorised pandas and (at 1M only) a
naive groupby-apply, on the same data in the same run, and prints a table.
Peak memory is the peak RSS (``VmHWM``) of a fresh process that builds the data
and then runs only the model (so it includes the input data and the imports).

    .venv/bin/python bench/bench_cohorts.py            # 1M and 10M
    .venv/bin/python bench/bench_cohorts.py --sizes 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cs_models.cohorts import cohort_table  # noqa: E402

AS_OF = "2026-10-31"
DUCKDB_SQL = """
WITH e AS (SELECT customer_id, date_trunc('month', date) AS p FROM {source} WHERE date < DATE '2026-11-01'),
f AS (SELECT customer_id, min(p) AS cohort FROM e GROUP BY customer_id),
a AS (SELECT DISTINCT e.customer_id, f.cohort, e.p FROM e JOIN f USING (customer_id))
SELECT cohort, date_diff('month', cohort, p) AS k, count(*) AS active FROM a GROUP BY ALL
"""


def synthetic_events(n_events: int, seed: int = 7) -> pd.DataFrame:
    """``n_events`` payment events of ``n_events / 20`` customers over three years.

    Customer ids are categorical (as a dictionary-encoded Parquet column reads), dates are
    datetime64[ns] with a time of day, amounts float64.
    """
    rng = np.random.default_rng(seed)
    n_customers = max(1, n_events // 20)
    joined = rng.integers(0, 1_000, n_customers)
    customer = rng.integers(0, n_customers, n_events)
    offset_days = np.minimum(joined[customer] + rng.geometric(1 / 200, n_events), 1_095)
    dates = np.datetime64("2023-11-01", "ns") + offset_days.astype("timedelta64[D]") + rng.integers(
        0, 86_400, n_events
    ).astype("timedelta64[s]")
    ids = pd.Categorical.from_codes(customer.astype(np.int32), [f"C{i:07d}" for i in range(n_customers)])
    return pd.DataFrame({"customer_id": ids, "date": dates, "amount": rng.gamma(2.0, 50.0, n_events)})


def ours(events: pd.DataFrame) -> int:
    return int(cohort_table(events, as_of=AS_OF, period="month").counts.notna().sum().sum())


def ours_grr(events: pd.DataFrame) -> int:
    return int(cohort_table(events, as_of=AS_OF, period="month", metric="grr").counts.notna().sum().sum())


def duckdb_frame(events: pd.DataFrame) -> int:
    with duckdb.connect() as con:
        con.register("events", events)
        return len(con.execute(DUCKDB_SQL.format(source="events")).fetchall())


def duckdb_parquet(path: Path) -> Callable[[pd.DataFrame], int]:
    def run(_: pd.DataFrame) -> int:
        with duckdb.connect() as con:
            return len(con.execute(DUCKDB_SQL.format(source=f"read_parquet('{path}')")).fetchall())

    return run


def pandas_vectorised(events: pd.DataFrame) -> int:
    e = events[events["date"] < "2026-11-01"]
    p = e["date"].dt.to_period("M").astype("int64")
    cohort = p.groupby(e["customer_id"].to_numpy()).transform("min")
    cells = pd.DataFrame({"c": e["customer_id"].cat.codes.to_numpy(), "cohort": cohort, "k": p - cohort})
    return len(cells.drop_duplicates().groupby(["cohort", "k"]).size())


def pandas_naive(events: pd.DataFrame) -> int:
    e = events[events["date"] < "2026-11-01"]
    months = e["date"].dt.year * 12 + e["date"].dt.month - 1

    def one(group: pd.Series) -> list[tuple[int, int]]:
        first = group.min()
        return [(first, k) for k in np.unique(group.to_numpy() - first)]

    cells = months.groupby(e["customer_id"], observed=True).apply(one).explode()
    return int(cells.value_counts().size)


def best_of(fn: Callable[[pd.DataFrame], int], events: pd.DataFrame, repeat: int) -> float:
    fn(events)  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(events)
        times.append(time.perf_counter() - start)
    return min(times)


def high_water_mb() -> float:
    """Peak resident memory of this process (``VmHWM``; unlike ``ru_maxrss`` it is not
    inherited from the parent across ``fork``/``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(n_events: int, metric: str) -> None:
    """Peak memory of one model call in a fresh process (prints JSON)."""
    events = synthetic_events(n_events)
    before = high_water_mb()
    cohort_table(events, as_of=AS_OF, period="month", metric=metric)
    print(json.dumps({"before_mb": before, "peak_mb": high_water_mb()}))


def peak_memory(n_events: int, metric: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(n_events), "--metric", metric],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--metric", default="logo", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.metric)
        return

    print(f"{'events':>11} {'method':<34} {'seconds':>8} {'vs duckdb':>10} {'peak RSS (RSS with data loaded)':>30}")
    print("(vs duckdb: the faster of the two DuckDB timings divided by this one; higher is better)")
    print(f"(load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for n in args.sizes:
        events = synthetic_events(n)
        strings = events.assign(customer_id=events["customer_id"].astype(str))
        with tempfile.TemporaryDirectory() as folder:
            parquet = Path(folder) / "events.parquet"
            events.to_parquet(parquet, index=False)
            assert ours(events) > 0
            methods: list[tuple[str, Callable[[pd.DataFrame], int], pd.DataFrame, int]] = [
                ("cs_models logo (categorical ids)", ours, events, args.repeat),
                ("cs_models GRR (categorical ids)", ours_grr, events, args.repeat),
                ("cs_models logo (string ids)", ours, strings, 1),
                ("duckdb SQL on the frame", duckdb_frame, events, args.repeat),
                ("duckdb SQL on Parquet", duckdb_parquet(parquet), events, args.repeat),
                ("pandas vectorised", pandas_vectorised, events, 1),
            ]
            if n <= 1_000_000:
                methods.append(("pandas naive groupby-apply", pandas_naive, events, 1))
            results = {name: best_of(fn, frame, repeat) for name, fn, frame, repeat in methods}
        reference = min(results["duckdb SQL on the frame"], results["duckdb SQL on Parquet"])
        memory = {
            "cs_models logo (categorical ids)": peak_memory(n, "logo"),
            "cs_models GRR (categorical ids)": peak_memory(n, "grr"),
        }
        for name, seconds in results.items():
            peak = ""
            if name in memory:
                peak = f"{memory[name]['peak_mb']:.0f} MB ({memory[name]['before_mb']:.0f} before)"
            print(f"{n:>11,} {name:<34} {seconds:>8.3f} {reference / seconds:>9.2f}x {peak:>30}")
        del events, strings


if __name__ == "__main__":
    main()
