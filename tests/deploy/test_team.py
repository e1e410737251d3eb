"""The no-Docker team topology (scripts/team.sh): two replicas behind nginx on 127.0.0.1.

Checks the proxy's health answer, sticky sessions (requests carrying one route cookie reach one
replica; the proxy names the replica in ``X-CSLens-Upstream``), that ``/_stcore/metrics`` is
refused by the proxy while the replica itself serves it, and that ``stop`` ends every process.
Needs nginx (``scripts/test.sh`` installs it); skipped when it is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scripts.team import render_template
from tests.app.util import ROOT

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - 127.0.0.1
            return int(response.status), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return int(exc.code), {k.lower(): v for k, v in exc.headers.items()}


def test_the_template_renders_both_placeholders():
    """The compose file's template, filled in for two local replicas, leaves no placeholder."""
    text = render_template("127.0.0.1:9000", [9001, 9002])
    assert "${" not in text
    assert "server 127.0.0.1:9001; server 127.0.0.1:9002;" in text
    assert "listen 127.0.0.1:9000;" in text


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """Two replicas and the proxy, started by the script and stopped by it."""
    if NGINX is None:
        pytest.skip("nginx is not installed (scripts/test.sh installs it)")
    port, base = _free_port(), _free_port()
    while base + 1 == port or not _port_free(base + 1):
        base = _free_port()
    run = tmp_path_factory.mktemp("team")
    command = ["bash", str(ROOT / "scripts" / "team.sh")]
    args = ["--port", str(port), "--dir", str(run)]
    env = {**os.environ, "PATH": f"{Path(NGINX).parent}:{os.environ.get('PATH', '')}"}
    subprocess.run([*command, "start", "--replicas", "2", "--base-port", str(base), "--timeout", "90", *args],
                   check=True, cwd=ROOT, env=env, timeout=150)
    pids = [int(p.read_text()) for p in run.glob("*.pid")]
    yield {"url": f"http://127.0.0.1:{port}", "replicas": [base, base + 1]}
    subprocess.run([*command, "stop", *args], check=True, cwd=ROOT, env=env, timeout=60)
    assert not list(run.glob("*.pid"))
    assert not [pid for pid in pids if _alive(pid)]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_health_through_the_proxy_sets_a_route_cookie(team):
    status, headers = _get(f"{team['url']}/_stcore/health")
    assert status == 200
    assert "cslens_route=" in headers.get("set-cookie", "")
    assert headers["x-cslens-upstream"] in {f"127.0.0.1:{p}" for p in team["replicas"]}


def test_one_cookie_one_replica_and_both_replicas_serve(team):
    """Ten requests with one cookie reach one replica; twenty cookies reach both replicas."""
    seen: set[str] = set()
    for n in range(20):
        cookie = f"cslens_route=browser{n}"
        upstreams = {_get(f"{team['url']}/_stcore/health", cookie)[1]["x-cslens-upstream"] for _ in range(5)}
        assert len(upstreams) == 1, upstreams
        seen |= upstreams
    assert seen == {f"127.0.0.1:{p}" for p in team["replicas"]}


def test_metrics_are_refused_by_the_proxy(team):
    """The replica serves its metrics on its own port; through the proxy they are not found."""
    assert _get(f"{team['url']}/_stcore/metrics")[0] in (403, 404)
    assert _get(f"{team['url']}/_stcore/metrics/")[0] in (403, 404)
    assert _get(f"http://127.0.0.1:{team['replicas'][0]}/_stcore/metrics")[0] == 200
