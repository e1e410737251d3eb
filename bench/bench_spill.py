"""Benchmark: the Cohorts and Revenue pages' computations on a large upload, pandas vs spilled SQL.

One fresh process per engine builds ``n`` synthetic events as the upload path gives them (the ids of
``validate``), then runs what the Cohorts page and the Revenue page compute first (the monthly logo
table, the NRR table and the revenue movements) through :mod:`cs_models.warehouse.spill`: with the
threshold above ``n`` (pandas) or below it (the events written once to Parquet, then DuckDB). It prints
the seconds (wall and CPU of all threads) of each step, the RSS after the data are built, the peak RSS
(``VmHWM``) up to the end of the spill and the peak of the queries after it (the peak reset in between),
as JSON.

    .venv/bin/python bench/bench_spill.py --rows 10000000
    .venv/bin/python bench/bench_spill.py --rows 10000000 --app   # the pages in AppTest

With ``--app`` it opens the Cohorts page then the Revenue page in AppTest on the same events in the
session (first visit, then a warm rerun of each) and prints the seconds and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    """Reset ``VmHWM`` to the current RSS (Linux: ``5`` to ``clear_refs``)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _one(rows: int, engine: str) -> dict[str, float]:
    from bench.figures import events_as_uploaded
    from cs_models.warehouse import spill

    events = events_as_uploaded(rows)
    as_of = date(2026, 10, 31)
    out = {"rss_data_mb": _status("VmRSS")}
    started, cpu = time.perf_counter(), time.process_time()
    owner = None
    if engine == "sql":
        spill.SPILL_ROWS = 1
        owner = spill.Spill(events)
    out["spill_s"], out["spill_cpu_s"] = time.perf_counter() - started, time.process_time() - cpu
    out["peak_after_spill_mb"] = _status("VmHWM")
    _reset_peak()
    spilled = owner.events if owner is not None else None
    for name, run in (
        ("cohorts_logo_s", lambda: spill.cohort_table_for(events, spilled, as_of=as_of)),
        ("cohorts_nrr_s", lambda: spill.cohort_table_for(events, spilled, as_of=as_of, metric="nrr")),
        ("movements_s", lambda: spill.movements_for(events, spilled, as_of)),
    ):
        started, cpu = time.perf_counter(), time.process_time()
        run()
        out[name], out[name.replace("_s", "_cpu_s")] = time.perf_counter() - started, time.process_time() - cpu
    out["peak_queries_mb"] = _status("VmHWM")  # since the reset: the queries' own peak
    if owner is not None:
        out["parquet_mb"] = Path(owner.events.path).stat().st_size / 2**20
        owner.close()
    return out


def _app(rows: int, engine: str) -> dict[str, float]:
    """The Cohorts then the Revenue page in AppTest on ``rows`` uploaded events: first visit and warm
    rerun seconds, and the server's (this process's) peak RSS."""
    from streamlit.testing.v1 import AppTest

    from bench.figures import events_as_uploaded
    from cs_models.datasets import Datasets
    from cs_models.warehouse import spill
    from ui.caching import remember_digests

    spill.SPILL_ROWS = 1 if engine == "sql" else rows + 1
    datasets = remember_digests(Datasets(events=events_as_uploaded(rows), source="upload"))
    out = {"rss_data_mb": _status("VmRSS")}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.query_params["lang"] = "en"
    at.session_state["uploaded_datasets"] = datasets
    at.session_state["source"] = "upload"
    for page in ("pages/cohorts.py", "pages/revenue.py"):
        name = Path(page).stem
        started = time.perf_counter()
        at.switch_page(page).run()
        out[f"{name}_first_s"] = time.perf_counter() - started
        assert not at.exception, [e.value for e in at.exception]
        started = time.perf_counter()
        at.run()
        out[f"{name}_warm_s"] = time.perf_counter() - started
    out["peak_rss_mb"] = _status("VmHWM")
    return out


def main() -> None:
    """Run each engine in a fresh process and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--engine", choices=("pandas", "sql"))
    parser.add_argument("--app", action="store_true", help="the pages in AppTest instead of the functions")
    args = parser.parse_args()
    if args.engine:
        print(json.dumps((_app if args.app else _one)(args.rows, args.engine)))
        return
    for engine in ("pandas", "sql"):
        done = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--engine", engine,
                               *(["--app"] if args.app else [])], capture_output=True, text=True, check=True)
        print(engine, done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
