#!/usr/bin/env bash
# Start the compose stack (deploy/compose.yaml) with N replicas on 127.0.0.1, check it through the
# proxy, optionally load-test it with scripts/load.py, and stop it.
#
#   scripts/compose_check.sh --replicas 2                 # build, start, check, stop
#   scripts/compose_check.sh --replicas 4 --load          # ... and scripts/load.py (3 waves x 100)
#   scripts/compose_check.sh --replicas 2 --keep          # leave it running (stop: --down)
#   scripts/compose_check.sh --down
#   scripts/compose_check.sh --replicas 1 --load -- --sessions 50 --waves 2   # arguments for load.py
#   scripts/compose_check.sh --replicas 2 --login         # ... and sign in with Chromium (below)
#
# Checks, each printed as ok/FAIL (exit 1 on any FAIL):
#   - every replica healthy (the image's HEALTHCHECK), /_stcore/health answers 200 through nginx;
#   - /_stcore/metrics answers 404 through nginx;
#   - the first response sets the cslens_route cookie, and with that cookie 10 requests reach the
#     same replica (X-CSLens-Upstream); without it, 20 requests reach more than one (N > 1).
# Load: one session on each replica first (inside its container, so it does not count), then the
# waves through nginx; RSS and CPU of each replica's Streamlit process are read from /proc through a
# run directory of process ids (as for scripts/team.sh), and `docker stats` is printed at the end.
#
# Sign-in (--login): starts oidc-provider-mock on the host's Docker bridge address (docker0, e.g.
# 172.17.0.1:9400, which the browser on the host and the replicas in their containers both reach),
# writes a throw-away secrets file with [auth] for it and [access] email_domains = ["example.com"]
# into /tmp/cslens-compose-login/ and mounts that one (CSLENS_SECRETS; deploy/secrets.toml is not
# touched), then runs scripts/compose_login.py: signed out -> sign-in screen only; sign in ->
# Overview with "Signed in as ..."; the cookie routed to another replica -> still signed in; an
# address outside the list -> the refusal; sign out. Screenshots go to the same folder. Needs the
# dev packages (oidc-provider-mock, Playwright) in .venv and /usr/bin/chromium. The provider is
# stopped at the end, also with --keep (restart the stack without --login to drop its sign-in).
#
# Base images: CSLENS_PYTHON_IMAGE / CSLENS_NGINX_IMAGE as for deploy/compose.yaml (a machine that
# cannot pull the official images: `scripts/docker_base.sh` first). Uses `docker compose` when the
# plugin is there, else `docker-compose` (1.29). Publishes on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

replicas=2
port=8080
load=0
login=0
keep=0
down=0
load_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --replicas) replicas="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --load) load=1; shift ;;
    --login) login=1; shift ;;
    --keep) keep=1; shift ;;
    --down) down=1; shift ;;
    --) shift; load_args=("$@"); break ;;
    *) echo "usage: $0 [--replicas N] [--port P] [--load] [--login] [--keep] [--down] [-- load.py args]" >&2; exit 2 ;;
  esac
done
[[ "$replicas" =~ ^[1-9][0-9]?$ ]] || { echo "--replicas: 1..99" >&2; exit 2; }

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  compose=(docker-compose)
fi
compose+=(-p cs-lens -f deploy/compose.yaml)
export CSLENS_BIND=127.0.0.1 CSLENS_PORT="$port"
export CSLENS_COOKIE_SECRET="${CSLENS_COOKIE_SECRET:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')}"
export DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" COMPOSE_DOCKER_CLI_BUILD="${COMPOSE_DOCKER_CLI_BUILD:-0}"
url="http://127.0.0.1:$port"
python=".venv/bin/python"
[[ -x "$python" ]] || python=python3

if [[ $down -eq 1 ]]; then
  "${compose[@]}" down --remove-orphans
  exit 0
fi

# an empty secrets file: no sign-in (a missing one would be created as a directory by the bind mount)
[[ -e deploy/secrets.toml ]] || : > deploy/secrets.toml

provider_pid=""
stop_provider() {
  [[ -z "$provider_pid" ]] && return 0
  kill "$provider_pid" 2>/dev/null || true
  wait "$provider_pid" 2>/dev/null || true
  provider_pid=""
}
trap stop_provider EXIT
if [[ $login -eq 1 ]]; then
  # the host's address on the default bridge: reachable from the browser here and from containers
  gateway=$(docker network inspect bridge -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}')
  [[ "$gateway" =~ ^[0-9.]+$ ]] || { echo "no address of the Docker bridge (docker network inspect bridge)" >&2; exit 2; }
  provider_port="${CSLENS_PROVIDER_PORT:-9400}"
  provider="http://$gateway:$provider_port"
  login_dir=/tmp/cslens-compose-login
  rm -rf "$login_dir"; mkdir -p "$login_dir"; chmod 755 "$login_dir"
  "$python" -m oidc_provider_mock --host "$gateway" --port "$provider_port" \
    --user-claims '{"sub": "aiko", "email": "aiko.sato@example.com", "name": "佐藤 愛子"}' \
    > "$login_dir/provider.log" 2>&1 &
  provider_pid=$!
  for _ in $(seq 1 100); do
    curl -sf --max-time 2 "$provider/.well-known/openid-configuration" >/dev/null && break
    kill -0 "$provider_pid" 2>/dev/null || { cat "$login_dir/provider.log" >&2; exit 1; }
    sleep 0.3
  done
  rand() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
  printf '%s\n' "[auth]" \
    "redirect_uri = \"$url/oauth2callback\"" \
    "cookie_secret = \"$(rand)\"" \
    "client_id = \"cs-lens\"" \
    "client_secret = \"$(rand)\"" \
    "server_metadata_url = \"$provider/.well-known/openid-configuration\"" \
    "" "[access]" "email_domains = [\"example.com\"]" > "$login_dir/secrets.toml"
  chmod 644 "$login_dir/secrets.toml"  # read by uid 10001 in the replicas; throw-away values
  export CSLENS_SECRETS="$login_dir/secrets.toml"
  echo "provider: $provider (pid $provider_pid), secrets: $CSLENS_SECRETS"
fi

failed=0
check() {  # check <description> <command...>
  local what="$1"; shift
  if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; failed=1; fi
}
stamp() { date +%s; }
t0=$(stamp)

"${compose[@]}" build app
t_build=$(stamp)
echo "build: $((t_build - t0)) s"

"${compose[@]}" up -d --scale app="$replicas"
# nginx resolves `app` when it starts: restart it so that it sees every replica (after a re-scale)
"${compose[@]}" restart proxy >/dev/null 2>&1 || true

mapfile -t apps < <("${compose[@]}" ps -q app)
healthy() {
  local cid
  for cid in "${apps[@]}"; do
    [[ "$(docker inspect -f '{{.State.Health.Status}}' "$cid")" == healthy ]] || return 1
  done
}
for _ in $(seq 1 180); do healthy && break; sleep 2; done
check "${#apps[@]} replicas running, all healthy" healthy
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url$1" || true; }
for _ in $(seq 1 60); do [[ "$(status /_stcore/health)" == 200 ]] && break; sleep 1; done
t_up=$(stamp)
echo "up (replicas healthy, proxy answering): $((t_up - t_build)) s after the build"
check "/_stcore/health through nginx: 200" test "$(status /_stcore/health)" = 200
check "/ through nginx: 200" test "$(status /)" = 200
check "/_stcore/metrics through nginx: 404" test "$(status /_stcore/metrics)" = 404

headers=$(curl -s -D - -o /dev/null --max-time 10 "$url/_stcore/health")
route=$(sed -n 's/^[Ss]et-[Cc]ookie: cslens_route=\([^;]*\);.*/\1/p' <<< "$headers" | tr -d '\r')
check "first response sets the cslens_route cookie" test -n "$route"
upstream() { curl -s -D - -o /dev/null --max-time 10 "$@" "$url/_stcore/health" \
  | sed -n 's/^[Xx]-[Cc][Ss][Ll]ens-[Uu]pstream: //p' | tr -d '\r'; }
same=$(for _ in $(seq 1 10); do upstream -H "Cookie: cslens_route=$route"; done | sort -u | wc -l)
check "10 requests with that cookie: one replica" test "$same" -eq 1
spread=$(for _ in $(seq 1 20); do upstream; done | sort -u | wc -l)
echo "      20 requests without a cookie reached $spread replica(s)"
if [[ $replicas -gt 1 ]]; then
  check "without a cookie: more than one replica" test "$spread" -gt 1
fi

if [[ $login -eq 1 ]]; then
  check "a replica reaches the provider ($provider)" docker exec "${apps[0]}" python -c \
    "import urllib.request; urllib.request.urlopen('$provider/.well-known/openid-configuration', timeout=10)"
  "$python" scripts/compose_login.py --url "$url" --provider "$provider" --refusal \
    --screenshots "$login_dir" || failed=1
  stop_provider
fi

if [[ $load -eq 1 ]]; then
  run_dir="/tmp/cslens-compose-$port"
  rm -rf "$run_dir"; mkdir -p "$run_dir"
  i=0
  for cid in "${apps[@]}"; do
    i=$((i + 1))
    docker inspect -f '{{.State.Pid}}' "$cid" > "$run_dir/replica$i.pid"
    # the first session of a replica computes what every later session shares: timed apart
    echo "warm-up replica $i: $(docker exec "$cid" python scripts/load.py --url http://127.0.0.1:8501 \
      --sessions 1 --waves 1 --no-warmup --settle 0 2>&1 | grep '^wave' | sed 's/  RSS.*//')"
  done
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$python" scripts/load.py --url "$url" --run-dir "$run_dir" --no-warmup "${load_args[@]}" \
    || failed=1
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  docker stats --no-stream --format '{{.Name}}  mem {{.MemUsage}}  cpu {{.CPUPerc}}' "${apps[@]}"
fi

if [[ $keep -eq 0 ]]; then
  "${compose[@]}" down --remove-orphans >/dev/null 2>&1
  echo "stopped"
else
  echo "running on $url (stop: $0 --down)"
fi
exit "$failed"
