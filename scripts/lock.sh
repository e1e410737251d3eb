#!/usr/bin/env bash
# Write requirements.lock: the full dependency tree of requirements.txt, every package pinned with
# the SHA-256 hashes of all its files on PyPI (any platform, Python 3.11), by uv in a throw-away venv.
#   scripts/lock.sh            # then: pip install --require-hashes -r requirements.lock
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "uv==0.13.9"
"$work/venv/bin/uv" pip compile requirements.txt --generate-hashes --universal --python-version 3.11 \
  --no-config --custom-compile-command "scripts/lock.sh" -o requirements.lock
