#!/usr/bin/env bash
# CS Lens for a team without Docker: N Streamlit replicas on 127.0.0.1 behind nginx (sticky
# sessions, websockets, /_stcore/metrics refused), configured by deploy/nginx.conf like the
# compose stack. Installs nginx from Debian when missing; needs the virtualenv of scripts/run.sh.
#   scripts/team.sh start --replicas 2 --port 8080 | status --port 8080 | stop --port 8080 | run ...
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx >/dev/null
  # Debian starts the packaged service on port 80; this script runs its own nginx instead
  $sudo service nginx stop >/dev/null 2>&1 || true
fi
python=".venv/bin/python"
if [ ! -x "$python" ]; then python="python3"; fi
exec "$python" scripts/team.py "$@"
