#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine and run the whole test suite:
# Debian's Chromium and Noto CJK fonts (browser tests), nginx (team-deployment test), a virtualenv with the pinned packages,
# ruff, then pytest (model, AppTest and Playwright end-to-end tests). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx: the reverse proxy of the team-deployment test (tests/deploy/test_team.py)
missing=""
dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1 || missing="chromium fonts-noto-cjk"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
if [ -n "$missing" ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
  # Debian starts the packaged nginx on port 80; the tests run their own on 127.0.0.1
  case "$missing" in *nginx*) $sudo service nginx stop >/dev/null 2>&1 || true ;; esac
fi

# PostgreSQL server binaries: tests/warehouse starts a throw-away cluster on 127.0.0.1
if ! dpkg -s postgresql >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1 \
    && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

.venv/bin/ruff check .
.venv/bin/mypy
# two workers: the suite (model, AppTest, browser, warehouse and deploy tests) takes about 10 minutes on 2 cores
.venv/bin/python -m pytest -n 2 "$@"
