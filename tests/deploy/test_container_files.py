"""Static checks of the container files (CI has no Docker engine; scripts/compose_check.sh builds and
starts the stack): the Dockerfile and the compose stack say what README promises, and the compose stack
uses the same nginx template as scripts/team.sh."""

from __future__ import annotations

import re

from tests.app.util import ROOT

REQUIREMENTS = (ROOT / "requirements.txt").read_text(encoding="utf-8")
LOCK = (ROOT / "requirements.lock").read_text(encoding="utf-8")

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = (ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8")
NGINX = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")


def test_the_image_is_debian_slim_and_runs_as_a_user():
    # the base is the official slim image unless a local substitute is passed as a build argument
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim-bookworm$", DOCKERFILE, re.M)
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\}$", DOCKERFILE, re.M)
    assert "PYTHON_IMAGE: ${CSLENS_PYTHON_IMAGE:-python:3.11-slim-bookworm}" in COMPOSE
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users
    assert users[-1] not in ("root", "0")


def test_the_image_has_japanese_fonts_the_requirements_and_a_health_check():
    assert "fonts-noto-cjk" in DOCKERFILE
    assert re.search(r"pip install .*--require-hashes -r \S*requirements\.lock", DOCKERFILE)
    assert re.search(r"^HEALTHCHECK .*\n?.*/_stcore/health", DOCKERFILE, re.M)


def test_the_lock_pins_every_requirement_with_hashes():
    pins = re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)", REQUIREMENTS, re.M)
    assert len(pins) > 10
    locked = {name.lower().replace("_", "-"): version
              for name, version in re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+) \\$", LOCK, re.M)}
    for name, version in pins:
        assert locked.get(name.lower().replace("_", "-")) == version, name
    # every locked package carries at least one hash (pip --require-hashes refuses otherwise)
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.split("\n", 2)[2])
    assert all("--hash=sha256:" in block for block in blocks if "==" in block)


def test_only_the_container_listens_on_every_interface():
    cmd = next(line for line in DOCKERFILE.splitlines() if line.startswith("CMD"))
    assert '"--server.address", "0.0.0.0"' in cmd
    assert '"app.py"' in cmd
    assert "ports:" not in COMPOSE.split("  proxy:")[0]  # the replicas publish nothing


def test_the_proxy_publishes_on_loopback_unless_told_otherwise():
    ports = re.findall(r"^\s+- \"(.*):8080\"$", COMPOSE, re.M)
    assert ports == ["${CSLENS_BIND:-127.0.0.1}:${CSLENS_PORT:-8080}"]
    assert "image: ${CSLENS_NGINX_IMAGE:-nginx:" in COMPOSE


def test_compose_runs_with_docker_compose_v1_too():
    # docker-compose 1.29 rejects a top-level `name:` and `bind.create_host_path`
    assert not re.search(r"^name:", COMPOSE, re.M)
    assert "create_host_path" not in COMPOSE
    assert "-p cs-lens" in COMPOSE


def test_compose_uses_the_nginx_template_with_only_its_own_placeholders():
    assert "./nginx.conf:/etc/nginx/templates/default.conf.template:ro" in COMPOSE
    assert 'NGINX_ENVSUBST_FILTER: "^CSLENS_"' in COMPOSE
    assert set(re.findall(r"\$\{(\w+)\}", NGINX)) == {"CSLENS_LISTEN", "CSLENS_UPSTREAM_SERVERS"}


def test_the_proxy_is_sticky_upgrades_websockets_and_hides_metrics():
    # the plain hash: the consistent one is not sticky when one server name resolves to N replicas
    assert re.search(r"^\s+hash \$cslens_route;", NGINX, re.M)
    assert "proxy_set_header Upgrade $http_upgrade;" in NGINX
    assert re.search(r"location \^~ /_stcore/metrics \{\s*return 404;", NGINX)


def test_the_image_has_what_streamlits_sign_in_imports():
    """``st.login`` needs Streamlit's ``auth`` extra, Authlib *and* httpx; with Authlib alone the image
    built and "Sign in" answered 500 (``No module named 'httpx'``) through the compose stack."""
    from importlib.metadata import requires

    extra = [re.split(r"[<>=!~;\s\[]", r, maxsplit=1)[0].lower()
             for r in requires("streamlit") or [] if re.search(r"extra\s*==\s*['\"]auth['\"]", r)]
    assert {"authlib", "httpx"} <= set(extra)
    locked = {name.lower() for name in re.findall(r"^([A-Za-z0-9_.-]+)==\S+ \\$", LOCK, re.M)}
    assert set(extra) <= locked
