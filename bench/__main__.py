"""Run the benchmark figures and print (and save) one table.

    .venv/bin/python -m bench            # sizes that finish in a few minutes
    .venv/bin/python -m bench --full     # the sizes of the speed targets (issue 15): ~15 min
    .venv/bin/python -m bench --only upload --repeat 5

Each figure runs in a fresh process (so its peak RSS, ``VmHWM``, is its own: input data,
imports and the work), builds its data once and times the task ``--repeat`` times. The table
gives the median and the range of the runs, the peak RSS (setup included), the task's peak RSS
(``VmHWM`` reset after the setup: imports, the inputs held, as a server holds the uploaded files,
and the work), the peak of the reader's child processes, and the ratio of the median to the
peer's median measured in the same invocation (below 1: faster than the peer). It is printed and
written as Markdown to ``bench/results/<date>-<time>-<machine>[-<only>].md`` with the machine
described, so that runs never overwrite each other.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.figures import FIGURES, by_name, checksum  # noqa: E402

PACKAGES = ("pandas", "numpy", "pyarrow", "scipy", "lifelines", "statsmodels", "streamlit", "plotly",
            "python-calamine", "duckdb")


def high_water_mb() -> float:
    """Peak resident memory of this process in MB (``VmHWM``: not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_high_water() -> None:
    """Set ``VmHWM`` to the current RSS (Linux ``clear_refs``), so that it then measures the task."""
    with contextlib.suppress(OSError):  # not Linux, or not allowed: the peak then includes the setup
        Path("/proc/self/clear_refs").write_text("5")


def child(name: str, size: int, repeat: int) -> None:
    """Time one figure in this (fresh) process and print its runs as JSON."""
    figure = by_name(name)
    data = figure.setup(size)
    setup_mb = high_water_mb()
    reset_high_water()
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = figure.run(data)
        times.append(time.perf_counter() - started)
    from bench.figures import READER_PEAK_MB

    task_mb = high_water_mb()
    print(json.dumps({"times": times, "rss_mb": max(setup_mb, task_mb), "task_rss_mb": task_mb,
                      "reader_rss_mb": READER_PEAK_MB[0],
                      "result": checksum(result)}))


def measure(name: str, size: int, repeat: int) -> dict[str, object]:
    """Run one figure in a child process; its times, peak RSS and result."""
    out = subprocess.run([sys.executable, "-m", "bench", "--child", name, "--size", str(size),
                          "--repeat", str(repeat)], cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, OS, Python and the versions of the packages that matter here."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{mem / 1024 / 1024:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "packages": ", ".join(versions),
    }


def table(rows: list[dict[str, str]]) -> str:
    """Rows as a Markdown table (aligned, so it also reads as plain text)."""
    headers = list(rows[0])
    widths = [max(len(h), *(len(r[h]) for r in rows)) for h in headers]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(r[h].ljust(w) for h, w in zip(headers, widths, strict=True)) + " |" for r in rows]
    return "\n".join([line, rule, *body])


def rows_of(results: dict[str, dict[str, object]], sizes: dict[str, int]) -> list[dict[str, str]]:
    """One table row per figure measured."""
    rows = []
    for figure in FIGURES:
        if figure.name not in results:
            continue
        res = results[figure.name]
        size = f"{sizes[figure.name]:,} {figure.unit}"
        if "error" in res:
            rows.append({"figure": figure.name, "size": size, "median s": "error", "min–max s": str(res["error"]),
                         "peak RSS MB": "", "task RSS MB": "", "reader RSS MB": "", "vs peer": ""})
            continue
        times = [float(t) for t in res["times"]]  # type: ignore[attr-defined]
        median = statistics.median(times)
        ratio = ""
        peer = results.get(figure.peer or "")
        if peer and "times" in peer:
            peer_median = statistics.median(float(t) for t in peer["times"])  # type: ignore[attr-defined]
            ratio = f"{median / peer_median:.2f}× {figure.peer}"
        rows.append({
            "figure": figure.name,
            "size": size,
            "median s": f"{median:.3f}",
            "min–max s": f"{min(times):.3f}–{max(times):.3f}",
            "peak RSS MB": f"{float(res['rss_mb']):,.0f}",  # type: ignore[arg-type]
            "task RSS MB": f"{float(res.get('task_rss_mb') or 0):,.0f}",  # type: ignore[arg-type]
            "reader RSS MB": f"{float(res.get('reader_rss_mb') or 0):,.0f}" if res.get("reader_rss_mb") else "",  # type: ignore[arg-type]
            "vs peer": ratio,
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the sizes of the speed targets (slow)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="run the figures whose name contains this text")
    parser.add_argument("--no-save", action="store_true", help="print only; write no results file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.size, args.repeat)
        return 0
    chosen = [f for f in FIGURES if args.only.lower() in f.name.lower()
              or args.only.lower() in (f.peer or "").lower()]
    for peer in [by_name(f.peer) for f in chosen if f.peer]:
        if peer not in chosen:  # once, though several figures share it
            chosen.append(peer)
    results, sizes = {}, {}
    for figure in chosen:
        sizes[figure.name] = figure.full if args.full else figure.default
        print(f"… {figure.name} ({sizes[figure.name]:,} {figure.unit})", file=sys.stderr, flush=True)
        results[figure.name] = measure(figure.name, sizes[figure.name], args.repeat)
    text = table(rows_of(results, sizes))
    print(text)
    if not args.no_save:
        about = machine()
        stamp = datetime.now(UTC)
        host = platform.node().split(".")[0] or "machine"
        only = "".join(c if c.isalnum() else "-" for c in args.only.lower()).strip("-")
        path = ROOT / "bench" / "results" / f"{stamp:%Y-%m-%d-%H%M}-{host}{'-' + only if only else ''}.md"
        path.parent.mkdir(exist_ok=True)
        described = "\n".join(f"- **{k}**: {v}" for k, v in about.items())
        command = ("python -m bench" + (" --full" if args.full else "") + f" --repeat {args.repeat}"
                   + (f" --only {args.only!r}" if args.only else ""))
        path.write_text(f"# Benchmarks, {stamp:%Y-%m-%d %H:%M} UTC\n\n`{command}`\n\n{described}\n\n{text}\n",
                        encoding="utf-8")
        print(f"\nwritten to {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
