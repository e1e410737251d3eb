"""Load test: many concurrent browser-like sessions opening the Overview and then Churn.

Each session speaks Streamlit's own protocol, as the browser does: a websocket to
``/_stcore/stream`` (through the proxy, with its own sticky route cookie), a ``rerun_script``
BackMsg for the Overview, and — once the server's ``script_finished`` ForwardMsg arrives — a
second one for the Churn page (the ``page_script_hash`` from the ``navigation`` message, as a click
in the menu sends). The time from the request to ``script_finished`` is the session's *first
render*; a session fails when it cannot connect, a run ends with an error status or an exception
element, or the run does not finish within ``--timeout``.

Three waves (``--waves``) of ``--sessions`` concurrent sessions; after each, the replicas' RSS
(from the process ids in the team run directory of ``scripts/team.sh``)::

    scripts/team.sh start --replicas 1 --port 8080
    .venv/bin/python scripts/load.py --url http://127.0.0.1:8080 --run-dir /tmp/cslens-team-8080

Bounded: at most 500 sessions a wave, at most ``--max-seconds`` for the whole test, 127.0.0.1 only.
Also checks that ``/_stcore/metrics`` is refused through the proxy (printed, and exit 1 if not).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

MAX_SESSIONS = 500
PAGES = ("overview", "churn")


@dataclass
class Outcome:
    """One session: seconds to each page's finished run (absent when it failed) and why it failed."""

    seconds: dict[str, float] = field(default_factory=dict)
    error: str = ""


def _rerun(page_hash: str = "", page_name: str = "") -> bytes:
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = ""
    state.page_script_hash = page_hash
    state.page_name = page_name
    return msg.SerializeToString()


async def _until_finished(ws, pages: dict[str, str]) -> str:
    """Read ForwardMsgs until the run ends; remember the pages; return "" or what went wrong."""
    problem = ""
    async for frame in ws:
        msg = ForwardMsg()
        msg.ParseFromString(frame)
        kind = msg.WhichOneof("type")
        if kind == "navigation":
            pages.update({p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages})
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            if msg.delta.new_element.WhichOneof("type") == "exception":
                problem = problem or f"exception: {msg.delta.new_element.exception.message[:80]}"
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue
            if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                problem = problem or f"script_finished status {status}"
            return problem
    return problem or "websocket closed before the run finished"


async def session(url: str, timeout: float) -> Outcome:
    """One browser-like session: the Overview, then Churn; timings and the first failure.

    Parameters
    ----------
    url : str
        The app's base URL (the proxy's), e.g. ``http://127.0.0.1:8080``.
    timeout : float
        Seconds allowed for each page's run.

    Returns
    -------
    Outcome
        Per-page seconds and the error, if any.
    """
    outcome = Outcome()
    ws_url = urllib.parse.urlparse(url)._replace(scheme="ws", path="/_stcore/stream").geturl()
    cookie = f"cslens_route={secrets.token_hex(16)}"
    pages: dict[str, str] = {}
    try:
        async with connect(ws_url, subprotocols=["streamlit"], additional_headers={"Cookie": cookie},
                           max_size=None, open_timeout=timeout, ping_interval=None) as ws:
            for name in PAGES:
                page_hash = pages.get(name, "") if name != "overview" else ""
                if name != "overview" and not page_hash:
                    outcome.error = f"no page {name!r} in the navigation"
                    break
                started = time.perf_counter()
                await ws.send(_rerun(page_hash, "" if name == "overview" else name))
                problem = await asyncio.wait_for(_until_finished(ws, pages), timeout)
                if problem:
                    outcome.error = f"{name}: {problem}"
                    break
                outcome.seconds[name] = time.perf_counter() - started
    except TimeoutError:
        outcome.error = f"timeout after {timeout:.0f} s"
    except Exception as exc:  # noqa: BLE001 - every other failure is counted, not raised
        outcome.error = f"{type(exc).__name__}: {exc}"[:120]
    return outcome


def rss_mb(run_dir: Path | None) -> dict[str, float]:
    """Resident memory (MB) of each replica whose process id is in the team run directory.

    Parameters
    ----------
    run_dir : pathlib.Path or None
        ``scripts/team.sh``'s run directory (``replica<i>.pid`` files).

    Returns
    -------
    dict
        Replica name -> RSS in MB (empty without a run directory).
    """
    sizes: dict[str, float] = {}
    for pid_file in sorted(run_dir.glob("replica*.pid")) if run_dir else []:
        status = Path(f"/proc/{pid_file.read_text().strip()}/status")
        if status.exists():
            line = next(x for x in status.read_text().splitlines() if x.startswith("VmRSS:"))
            sizes[pid_file.stem] = int(line.split()[1]) / 1024
    return sizes


def cpu_seconds(run_dir: Path | None) -> float:
    """User + system CPU seconds used so far by the replicas in the team run directory.

    Parameters
    ----------
    run_dir : pathlib.Path or None
        ``scripts/team.sh``'s run directory.

    Returns
    -------
    float
        Seconds (0 without a run directory).
    """
    total = 0.0
    for pid_file in sorted(run_dir.glob("replica*.pid")) if run_dir else []:
        stat = Path(f"/proc/{pid_file.read_text().strip()}/stat")
        if stat.exists():
            fields = stat.read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def metrics_status(url: str) -> int:
    """HTTP status of ``/_stcore/metrics`` at ``url`` (the proxy must refuse it).

    Parameters
    ----------
    url : str
        Base URL.

    Returns
    -------
    int
        The status code (0 when nothing answers).
    """
    try:
        with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=5) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def summary(outcomes: list[Outcome]) -> dict[str, object]:
    """p50/p95/max of each page's first render, and the failures, of one wave.

    Parameters
    ----------
    outcomes : list of Outcome
        The wave's sessions.

    Returns
    -------
    dict
        ``{page: (p50, p95, max)}`` plus ``"failures"`` and ``"errors"`` (the first few).
    """
    result: dict[str, object] = {}
    for name in PAGES:
        values = [o.seconds[name] for o in outcomes if name in o.seconds]
        result[name] = (_quantile(values, 0.5), _quantile(values, 0.95), max(values, default=float("nan")))
    failed = [o.error for o in outcomes if o.error]
    result["failures"] = len(failed)
    result["errors"] = sorted(set(failed))[:3]
    return result


async def wave(url: str, sessions: int, timeout: float) -> list[Outcome]:
    """``sessions`` concurrent sessions, all started at once.

    Parameters
    ----------
    url : str
        Base URL.
    sessions : int
        How many.
    timeout : float
        Seconds allowed for each page's run.

    Returns
    -------
    list of Outcome
    """
    return list(await asyncio.gather(*(session(url, timeout) for _ in range(sessions))))


async def run(args: argparse.Namespace) -> int:
    """The waves, with the report printed after each.

    Parameters
    ----------
    args : argparse.Namespace
        The command line.

    Returns
    -------
    int
        Exit status: 0 when no session failed and the metrics endpoint was refused.
    """
    deadline = time.monotonic() + args.max_seconds
    failures = 0
    metrics = metrics_status(args.url)
    print(f"/_stcore/metrics through {args.url}: {metrics or 'no answer'}")
    ports = (args.run_dir / "replicas.txt").read_text().split() if args.run_dir and args.warmup else []
    for port in ports:  # each replica's first session computes the shared results: timed apart
        first = await session(f"http://127.0.0.1:{port}", args.timeout)
        print(f"warm-up on replica port {port}: " + (first.error or "  ".join(
            f"{name} {seconds:.1f} s" for name, seconds in first.seconds.items())))
    print(f"RSS before: {_fmt_rss(rss_mb(args.run_dir))}")
    for number in range(1, args.waves + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            print("stopped: --max-seconds reached")
            return 1
        started, cpu, client = time.perf_counter(), cpu_seconds(args.run_dir), _client_cpu()
        try:
            outcomes = await asyncio.wait_for(wave(args.url, args.sessions, args.timeout), remaining)
        except TimeoutError:
            print("stopped: --max-seconds reached during a wave")
            return 1
        took, cpu = time.perf_counter() - started, cpu_seconds(args.run_dir) - cpu
        client = _client_cpu() - client
        report = summary(outcomes)
        failures += int(report["failures"])  # type: ignore[call-overload]
        await asyncio.sleep(args.settle)
        pages = "  ".join(f"{name} p50 {v[0]:.1f} s p95 {v[1]:.1f} s max {v[2]:.1f} s"  # type: ignore[index]
                          for name in PAGES for v in [report[name]])
        print(f"wave {number}: {args.sessions} sessions in {took:.1f} s  {pages}  failures {report['failures']}"
              f"  server CPU {cpu / args.sessions:.3f} s/session (this client {client / args.sessions:.3f})"
              f"  load average {os.getloadavg()[0]:.1f}  RSS {_fmt_rss(rss_mb(args.run_dir))}")
        for error in report["errors"]:  # type: ignore[attr-defined]
            print(f"    e.g. {error}")
    return 0 if failures == 0 and metrics in (403, 404) else 1


def _client_cpu() -> float:
    """User + system CPU seconds of this load generator so far (it shares the machine's cores)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _fmt_rss(sizes: dict[str, float]) -> str:
    return ", ".join(f"{name} {mb:.0f} MB" for name, mb in sizes.items()) or "n/a"


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring).

    Parameters
    ----------
    argv : list of str, optional
        Arguments.

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds allowed for one page's run")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="bound on the whole test")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after a wave before reading RSS")
    parser.add_argument("--warmup", action=argparse.BooleanOptionalAction, default=True,
                        help="one session on each replica (directly) before the waves")
    parser.add_argument("--run-dir", type=Path, default=None, help="scripts/team.sh's run directory (for RSS)")
    args = parser.parse_args(argv)
    host = urllib.parse.urlparse(args.url).hostname or ""
    if not host.startswith("127.") and host != "localhost":
        parser.error("load targets are limited to 127.0.0.0/8")
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be 1..{MAX_SESSIONS}")
    if not 1 <= args.waves <= 10:
        parser.error("--waves must be 1..10")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
