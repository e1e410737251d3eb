"""Does the server give back the memory of uploads when their sessions end? A real server, real browsers.

Usage::

    .venv/bin/python scripts/upload_memory.py [--sessions 20] [--at-once 10] [--mb 50] [--wait 150]

Starts ``streamlit run app.py`` on a free port of 127.0.0.1, then ``--sessions`` browser sessions
(Debian's Chromium via Playwright, ``--at-once`` of them concurrently) each upload a *different*
customers CSV of about ``--mb`` MB on the Data page, use it, open the Churn page on it, and close.
Prints the server's RSS before, its peak (``VmHWM``), right after the last session closed, and
``--wait`` seconds later once two more sessions have opened the app a minute apart (Streamlit keeps a
closed session for ``server.disconnectedSessionTTL``, 120 s, and drops expired ones when its session
store is next written; the app's full garbage collection runs at most once a minute), then stops
the server. Exit status 1 when the memory after the wait exceeds the memory
before by more than ``--tolerance-mb``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cs_models.catalogue import translate  # noqa: E402 - after the path is set
from tests.e2e.conftest import (  # noqa: E402 - after the path is set
    APP_SETTLED,
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    start_server,
    stop_server,
)


def customers_csv(megabytes: float, seed: int) -> bytes:
    """A customers CSV of about ``megabytes`` MB, different for every ``seed``."""
    rows = int(megabytes * 1_000_000 / 40)
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1_500, rows), unit="D")
    stay = pd.to_timedelta(rng.integers(30, 1_200, rows), unit="D")
    end = pd.Series(start + stay).where(rng.random(rows) < 0.4)
    frame = pd.DataFrame({
        "customer_id": [f"S{seed:02d}-{i:07d}" for i in range(rows)],
        "start_date": start.strftime("%Y-%m-%d"),
        "end_date": end.dt.strftime("%Y-%m-%d").fillna(""),
        "plan": rng.choice(["Light", "Standard", "Pro"], rows),
        "mrr": rng.choice([9_800, 19_800, 39_800], rows),
    })
    return frame.to_csv(index=False).encode("utf-8")


def memory_mb(pid: int) -> dict[str, float]:
    """The process's resident memory now (``VmRSS``) and at its peak (``VmHWM``), in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


async def one_session(browser, url: str, path: Path) -> float:
    """Upload the file at ``path`` on the Data page, use it, open Churn, close; the seconds it took."""
    begin = time.perf_counter()
    context = await browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    try:
        page = await context.new_page()
        await page.goto(f"{url}/data?lang=en")
        await page.wait_for_function(APP_SETTLED, timeout=600_000)
        await page.locator('input[type="file"]').first.set_input_files(path, timeout=600_000)
        await page.get_by_role("button", name=translate("en", "data.use_files")).click(timeout=900_000)
        used = translate("en", "data.used", datasets="").split(":")[0]
        await page.get_by_text(used).wait_for(timeout=900_000)
        churn = translate("en", "churn.page_title")
        await page.get_by_test_id("stSidebarNavLink").filter(has_text=churn).first.click()
        await page.wait_for_function(
            "t => document.querySelector('h1') && document.querySelector('h1').innerText.trim() === t"
            " && !!document.querySelector('[data-testid=stMetricValue]')", arg=churn, timeout=900_000)
        await page.wait_for_function(APP_SETTLED, timeout=900_000)
    finally:
        await context.close()
    return time.perf_counter() - begin


async def sessions(url: str, files: list[Path], at_once: int, pid: int) -> tuple[dict, dict, list[float]]:
    """Warm the server on the sample, then run the upload sessions, ``at_once`` at a time."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(url)  # the shared results of the sample, computed once
        await page.wait_for_function(APP_SETTLED, timeout=600_000)
        await context.close()
        before = memory_mb(pid)
        seconds: list[float] = []
        for first in range(0, len(files), at_once):
            batch = files[first:first + at_once]
            seconds += await asyncio.gather(*(one_session(browser, url, path) for path in batch))
            print(f"sessions {first + 1}-{first + len(batch)} done; server {memory_mb(pid)}", flush=True)
        await browser.close()
    return before, memory_mb(pid), seconds


def main(argv: list[str] | None = None) -> int:
    """Run the check and print its table; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--at-once", type=int, default=10)
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--wait", type=float, default=150.0)
    parser.add_argument("--tolerance-mb", type=float, default=300.0)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="cs_lens_upload_memory_"))  # 0700, removed at the end
    files = []
    for seed in range(args.sessions):
        files.append(folder / f"customers_{seed:02d}.csv")
        files[-1].write_bytes(customers_csv(args.mb, seed))
    print(f"{args.sessions} files of {np.mean([f.stat().st_size for f in files]) / 1e6:.1f} MB each", flush=True)
    port = free_port()
    server = start_server(port)
    try:
        url = f"http://127.0.0.1:{port}"
        before, closed, seconds = asyncio.run(sessions(url, files, args.at_once, server.pid))
        time.sleep(args.wait)
        # a colleague opens the app and leaves: Streamlit drops the expired sessions when its session
        # store is next written (that visit's disconnect); a minute later another visit's script run
        # ends with the app's once-a-minute full garbage collection, which frees them
        asyncio.run(sessions(url, [], 1, server.pid))
        time.sleep(65)
        asyncio.run(sessions(url, [], 1, server.pid))
        after = memory_mb(server.pid)
    finally:
        stop_server(server)
        shutil.rmtree(folder, ignore_errors=True)
    print("| figure | MB |\n|---|---|")
    print(f"| server RSS before (sample computed) | {before['VmRSS']:,.0f} |")
    print(f"| server peak RSS (VmHWM) | {after['VmHWM']:,.0f} |")
    print(f"| right after the last session closed | {closed['VmRSS']:,.0f} |")
    print(f"| {args.wait:.0f} s later, after two more visits a minute apart | {after['VmRSS']:,.0f} |")
    print(f"sessions: {len(seconds)}, median {np.median(seconds):.1f} s; load average {os.getloadavg()}")
    return 0 if after["VmRSS"] - before["VmRSS"] <= args.tolerance_mb else 1


if __name__ == "__main__":
    sys.exit(main())
