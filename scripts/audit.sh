#!/usr/bin/env bash
# Audit the locked dependency tree (requirements.lock) for known vulnerabilities.
#
#   scripts/audit.sh                     # pip-audit 2.10.1 in a throw-away venv
#   PIP_AUDIT=/path/to/pip-audit scripts/audit.sh [--vulnerability-service osv]
#
# Fails loudly (exit 2) when the vulnerability database cannot be reached or any package was
# not audited: pip-audit itself then reports "No known vulnerabilities found" (scripts/audit_check.py).
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "${PIP_AUDIT:-}" ]; then
  python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q "pip-audit==2.10.1" \
    || { echo "AUDIT FAILED: could not install pip-audit" >&2; exit 2; }
  PIP_AUDIT="$work/venv/bin/pip-audit"
fi
"$PIP_AUDIT" -r requirements.lock --require-hashes --disable-pip -f json -o "$work/report.json" "$@"
status=$?
python3 scripts/audit_check.py "$work/report.json" "$status"
