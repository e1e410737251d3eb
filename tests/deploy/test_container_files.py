"""Static checks of the files that cannot be built here (no Docker engine on the development machine):
the Dockerfile and the compose stack say what README promises, and the compose stack uses the same
nginx template as scripts/team.sh."""

from __future__ import annotations

import re

from tests.app.util import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = (ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8")
NGINX = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")


def test_the_image_is_debian_slim_and_runs_as_a_user():
    assert re.search(r"^FROM python:3\.11-slim", DOCKERFILE, re.M)
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users
    assert users[-1] not in ("root", "0")


def test_the_image_has_japanese_fonts_the_requirements_and_a_health_check():
    assert "fonts-noto-cjk" in DOCKERFILE
    assert "pip install -r requirements.txt" in DOCKERFILE
    assert re.search(r"^HEALTHCHECK .*\n?.*/_stcore/health", DOCKERFILE, re.M)


def test_only_the_container_listens_on_every_interface():
    cmd = next(line for line in DOCKERFILE.splitlines() if line.startswith("CMD"))
    assert '"--server.address", "0.0.0.0"' in cmd
    assert '"app.py"' in cmd
    assert "ports:" not in COMPOSE.split("  proxy:")[0]  # the replicas publish nothing


def test_compose_uses_the_nginx_template_with_only_its_own_placeholders():
    assert "./nginx.conf:/etc/nginx/templates/default.conf.template:ro" in COMPOSE
    assert 'NGINX_ENVSUBST_FILTER: "^CSLENS_"' in COMPOSE
    assert set(re.findall(r"\$\{(\w+)\}", NGINX)) == {"CSLENS_LISTEN", "CSLENS_UPSTREAM_SERVERS"}


def test_the_proxy_is_sticky_upgrades_websockets_and_hides_metrics():
    assert re.search(r"hash \$cslens_route consistent;", NGINX)
    assert "proxy_set_header Upgrade $http_upgrade;" in NGINX
    assert re.search(r"location \^~ /_stcore/metrics \{\s*return 404;", NGINX)
