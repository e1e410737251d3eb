"""A sidebar click to charts drawn, in Debian's Chromium, on the bundled sample data.

    .venv/bin/python -m bench.clicks --rounds 5

Starts ``streamlit run app.py`` (as the e2e tests do), opens the Overview in headless Chromium
and waits until it has settled, then clicks each page of the sidebar in menu order, ``--rounds``
times. A click is timed from the click until the page's title is drawn, the script run has
finished, nothing is stale or a skeleton, and every Plotly chart on the page carries its data and
is drawn (what a person waits for). The first round is each page's first visit on this server (its
analyses are computed, or were computed ahead by ``ui.prefetch`` while the visitor read the
Overview: ``--pause`` seconds, 0 by default); the later rounds are what a click costs once they are.
Prints one table (median, min–max per page, and the load average) and writes it to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

def main(argv: list[str] | None = None) -> int:
    """Click every page ``--rounds`` times and print (and save) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lang", default="en", choices=("ja", "en"))
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds spent on the Overview before the first click (a visitor reading it)")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from bench.__main__ import machine, table
    from cs_models.catalogue import translate
    from tests.e2e.conftest import (
        CHROMIUM,
        CHROMIUM_ARGS,
        free_port,
        start_server,
        stop_server,
        wait_for_app,
        wait_for_charts,
        wait_for_title,
    )
    from ui.navigation import PAGES

    port = free_port()
    server = start_server(port)
    times: dict[str, list[float]] = {spec.namespace: [] for spec in PAGES}
    charts: dict[str, int] = {}
    load = [os.getloadavg()[0]]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.goto(f"http://127.0.0.1:{port}/?lang={args.lang}")
            wait_for_app(page, timeout=300_000)
            time.sleep(args.pause)
            links = page.get_by_test_id("stSidebarNavLink")
            for _ in range(args.rounds):
                for spec in (*PAGES[1:], PAGES[0]):
                    title = translate(args.lang, f"{spec.namespace}.page_title")
                    link = links.filter(has=page.get_by_text(title, exact=True))
                    started = time.perf_counter()
                    link.click()
                    wait_for_title(page, title, timeout=300_000)
                    charts[spec.namespace] = page.locator(".js-plotly-plot").count()
                    wait_for_charts(page, charts[spec.namespace], timeout=300_000)
                    times[spec.namespace].append(time.perf_counter() - started)
                load.append(os.getloadavg()[0])
            browser.close()
    finally:
        stop_server(server)
    rows = [{"page": name, "charts": str(charts[name]), "first visit s": f"{runs[0]:.3f}",
             "later clicks: median s": f"{statistics.median(runs[1:]):.3f}" if len(runs) > 1 else "",
             "min–max s": f"{min(runs[1:]):.3f}–{max(runs[1:]):.3f}" if len(runs) > 1 else ""}
            for name, runs in times.items()]
    text = table(rows)
    print(text)
    print(f"\nload average (1 min) during the rounds: {min(load):.1f}–{max(load):.1f}")
    if not args.no_save:
        stamp = datetime.now(UTC)
        described = "\n".join(f"- **{k}**: {v}" for k, v in machine().items())
        pause = f"-pause{args.pause:g}" if args.pause else ""
        path = ROOT / "bench" / "results" / f"{stamp:%Y-%m-%d-%H%M}-clicks{pause}.md"
        path.write_text(f"# A sidebar click to charts drawn, {stamp:%Y-%m-%d %H:%M} UTC\n\n"
                        f"`python -m bench.clicks --rounds {args.rounds} --lang {args.lang} --pause {args.pause:g}` "
                        f"(sample data, "
                        f"Chromium {CHROMIUM})\n\n{described}\n- load average (1 min) during the rounds: "
                        f"{min(load):.1f}–{max(load):.1f}\n\n{text}\n", encoding="utf-8")
        print(f"written to {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
