"""Real-browser fixtures: ``streamlit run`` on 127.0.0.1 and Debian's Chromium via Playwright.

Screenshots go to ``$CS_LENS_SCREENSHOTS`` (default: a temporary folder).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = pytest.mark.e2e


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, extra_args: Sequence[str] = (), log: Path | None = None) -> subprocess.Popen:
    """Start ``streamlit run app.py`` on ``port`` and wait until it answers its health check.

    ``extra_args`` are further ``streamlit run`` options, e.g. ``["--secrets.files", path]``;
    ``log``, when given, receives the server's stdout and stderr (else they are discarded).
    """
    sink = open(log, "wb") if log is not None else None  # noqa: SIM115 - closed once the child has it
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.fileWatcherType", "none",
            *extra_args,
        ],
        cwd=ROOT,
        stdout=sink if sink is not None else subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    if sink is not None:
        sink.close()  # the child has its own copy of the descriptor
    return wait_until_answers(process, f"http://127.0.0.1:{port}/_stcore/health", "streamlit", 60)


def wait_until_answers(process: subprocess.Popen, url: str, name: str, seconds: float) -> subprocess.Popen:
    """Poll ``url`` (``http://127.0.0.1:...``) until it answers 200 (a server that is starting); kill
    ``process`` if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - http://127.0.0.1 only
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)  # polling a starting server, not waiting for a page
    process.kill()
    process.wait()
    raise RuntimeError(f"{name} did not answer {url} within {seconds:.0f} s")


def stop_server(process: subprocess.Popen) -> None:
    """Stop a server started by :func:`start_server`."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Base URL of one app server shared by the e2e tests of this session."""
    port = free_port()
    process = start_server(port)
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser) -> Iterator[Callable[..., object]]:
    """Factory of pages with a browser locale (``"ja-JP"``/``"en-US"``) and a desktop viewport."""
    contexts = []

    def make(locale: str = "en-US", width: int = 1400, height: int = 900):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where screenshots are written (kept after the run for a person to look at)."""
    folder = Path(os.environ.get("CS_LENS_SCREENSHOTS") or tempfile.mkdtemp(prefix="cs_lens_shots_"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script run has finished, the page shows a title and nothing is still loading.

    Reads state only (no fixed sleep): the app's run state is ``notRunning``, an ``h1`` is
    drawn, and no element is stale (Streamlit marks elements of a rerun in progress) or a
    skeleton.
    """
    page.wait_for_function(APP_SETTLED, timeout=timeout)


#: True once the script run has finished and the page is drawn: a title, no stale element, no skeleton.
APP_SETTLED = """() => !!document.querySelector('[data-test-script-state="notRunning"]')
  && !!document.querySelector('h1')
  && !document.querySelector('[data-stale="true"]')
  && !document.querySelector('[data-testid="stSkeleton"]')"""

#: True once at least ``n`` Plotly charts have traces and are drawn, and no loading skeleton is left.
CHARTS_DRAWN = """n => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  return plots.length >= n
    && plots.slice(0, n).every(p => p._fullData && p._fullData.length > 0 && p.querySelector('.main-svg'))
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""


#: True once a Plotly chart draws ``title`` as its figure title (an SVG ``text.gtitle``).
TITLE_DRAWN_JS = """t => [...document.querySelectorAll('.js-plotly-plot')].some(p =>
  p.querySelector('.main-svg') && [...p.querySelectorAll('text.gtitle')].some(e => e.textContent.trim() === t))"""


def wait_for_charts(page, count: int = 1, timeout: float = 60_000) -> None:
    """Wait until the first ``count`` Plotly charts carry their data and are drawn.

    The script run can finish before Plotly has drawn a chart, so reading a chart's
    ``_fullData`` right after :func:`wait_for_app` can see an empty figure.
    """
    page.wait_for_function(CHARTS_DRAWN, arg=count, timeout=timeout)


def wait_for_title(page, title: str, timeout: float = 60_000) -> None:
    """After a click that changes the page: wait until the page's ``h1`` reads ``title`` and it has settled.

    :func:`wait_for_app` alone can return before the rerun that the click starts.
    """
    page.wait_for_function(
        "t => !!document.querySelector('h1') && document.querySelector('h1').innerText.trim() === t",
        arg=title, timeout=timeout,
    )
    wait_for_app(page, timeout)


def wait_for_text(page, text: str, timeout: float = 60_000) -> None:
    """After a click that changes the page: wait until the main area shows ``text`` and it has settled."""
    page.wait_for_function(
        "t => !!document.querySelector('[data-testid=\"stMain\"]')"
        " && document.querySelector('[data-testid=\"stMain\"]').innerText.includes(t)",
        arg=text, timeout=timeout,
    )
    wait_for_app(page, timeout)


def open_app(page, url: str) -> None:
    """Go to ``url`` and wait for the app to finish rendering."""
    page.goto(url)
    wait_for_app(page)
