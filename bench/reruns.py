"""Warm reruns of every page in one process, with a profile of the script thread.

    .venv/bin/python -m bench.reruns --customers 1000000 --pages risk,forecast --repeat 5

Loads :func:`bench.figures.loaded` once (customers and 10 events per customer, hashed once as an
upload is), then for each page opens an AppTest session, runs it once (cold) and ``--repeat``
times more (warm: same data, same widgets), and prints the times with the load average. One more
rerun is profiled with cProfile *in the script thread* (a profile of the main thread shows only
AppTest waiting) and written to ``--profiles/<page>.prof`` (read with ``python -m pstats``).
Each line also gives the page's charts and the largest chart spec sent to the browser (KB).
Unlike ``python -m bench`` (one process per figure) the data are built once for all pages.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = ("overview", "cohorts", "revenue", "churn", "risk", "forecast", "data")


def profile_script_thread() -> list[cProfile.Profile]:
    """Make Streamlit run the script under the profile put in the returned list (when one is)."""
    import streamlit.runtime.scriptrunner.script_runner as runner

    active: list[cProfile.Profile] = []
    original = runner.exec_func_with_error_handling

    def run(func: Any, ctx: Any) -> Any:
        return active[0].runcall(original, func, ctx) if active else original(func, ctx)

    runner.exec_func_with_error_handling = run
    return active


def main(argv: list[str] | None = None) -> int:
    """Time the cold run and the warm reruns of each page; print one line per page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profiles", default="", help="folder for the profiles (none when empty)")
    args = parser.parse_args(argv)
    active = profile_script_thread()
    from streamlit.testing.v1 import AppTest

    from bench.figures import loaded

    started = time.perf_counter()
    data = loaded(args.customers)
    print(f"data: {args.customers:,} customers + {10 * args.customers:,} events in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    for page in args.pages.split(","):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=7200)
        at.query_params["lang"] = "en"
        at.session_state["uploaded_datasets"] = data
        at.session_state["source"] = "upload"
        at.switch_page(f"pages/{page}.py")
        started = time.perf_counter()
        at.run()
        cold = time.perf_counter() - started
        warm = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - started)
        if args.profiles:
            profile = cProfile.Profile()
            active[:] = [profile]
            at.run()
            active.clear()
            Path(args.profiles).mkdir(parents=True, exist_ok=True)
            profile.dump_stats(str(Path(args.profiles) / f"{page}.prof"))
        specs = [len(chart.proto.spec.encode()) for chart in at.get("plotly_chart")]
        print(f"{page}: cold {cold:.2f} s, warm {' '.join(f'{x:.3f}' for x in warm)} s "
              f"(median {sorted(warm)[len(warm) // 2]:.3f}), exceptions {len(at.exception)}, "
              f"{len(specs)} charts, largest spec {max(specs, default=0) / 1000:.0f} KB, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
