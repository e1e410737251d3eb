#!/usr/bin/env bash
# Local substitutes for the two base images of the compose stack, for a machine whose Docker engine
# cannot pull from a public image registry (a closed network, a proxy that only lets the Debian
# package mirror through). Builds them from Debian bookworm with debootstrap and tags them:
#
#   cs-lens-local/python:3.11-bookworm   python3.11 + venv (stands in for python:3.11-slim-bookworm)
#   cs-lens-local/nginx:bookworm         nginx + the template entrypoint of the official nginx image
#
# then prints the two variables that make deploy/compose.yaml use them:
#
#   sudo scripts/docker_base.sh
#   export CSLENS_PYTHON_IMAGE=cs-lens-local/python:3.11-bookworm CSLENS_NGINX_IMAGE=cs-lens-local/nginx:bookworm
#
# Needs root, debootstrap and a running Docker engine. The Debian mirror is debootstrap's default;
# CSLENS_DEBIAN_MIRROR overrides it. If the network intercepts TLS with its own certificate
# authority, the CA certificates in /usr/local/share/ca-certificates/ are added to the *local*
# python image (never to the repository's Dockerfile) and pip is pointed at the system bundle, so
# `pip install` inside `docker build` trusts the same authorities as this machine.
# The first run takes a few minutes (debootstrap); later runs reuse the images (--force rebuilds).
set -euo pipefail

PY_TAG=cs-lens-local/python:3.11-bookworm
NGINX_TAG=cs-lens-local/nginx:bookworm
ROOT_TAG=cs-lens-local/debian:bookworm
SUITE=bookworm

force=0
[[ "${1:-}" == "--force" ]] && force=1

if [[ $(id -u) -ne 0 ]]; then
  echo "docker_base.sh: run as root (debootstrap needs it)" >&2
  exit 1
fi
command -v debootstrap >/dev/null || { echo "docker_base.sh: install debootstrap first" >&2; exit 1; }
docker version >/dev/null || { echo "docker_base.sh: the Docker engine is not running" >&2; exit 1; }

have() { docker image inspect "$1" >/dev/null 2>&1; }

export DOCKER_BUILDKIT=0  # the classic builder: no BuildKit, no buildx plugin needed

# 1. a minimal Debian root file system, imported as an image
if [[ $force -eq 1 ]] || ! have "$ROOT_TAG"; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "debootstrap $SUITE (minbase) ..."
  # shellcheck disable=SC2086
  debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$work/rootfs" ${CSLENS_DEBIAN_MIRROR:-} \
    > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # the machine's own certificate authorities (if any), trusted by apt, pip and Python in the images
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$work/rootfs/usr/local/share/ca-certificates/"
    chroot "$work/rootfs" update-ca-certificates >/dev/null 2>&1
  fi
  chroot "$work/rootfs" apt-get clean
  rm -rf "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$ROOT_TAG" >/dev/null
  echo "built $ROOT_TAG"
fi

# 2. python 3.11 with venv and pip (pip trusts the system bundle, which has the machine's CAs)
if [[ $force -eq 1 ]] || ! have "$PY_TAG"; then
  docker build -q -t "$PY_TAG" - <<EOF >/dev/null
FROM $ROOT_TAG
RUN apt-get update \\
    && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 \\
    && rm -rf /var/lib/apt/lists/*
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
EOF
  echo "built $PY_TAG"
fi

# 3. nginx, with the official image's behaviour that deploy/compose.yaml relies on: every
#    /etc/nginx/templates/*.template is rendered by envsubst (only the variables whose names match
#    NGINX_ENVSUBST_FILTER) into /etc/nginx/conf.d/, then nginx runs in the foreground, logs to stdio.
if [[ $force -eq 1 ]] || ! have "$NGINX_TAG"; then
  ctx=$(mktemp -d)
  cat > "$ctx/entrypoint.sh" <<'EOS'
#!/bin/sh
set -eu
filter="${NGINX_ENVSUBST_FILTER:-}"
defined=$(env | cut -d= -f1 | grep -E "${filter:-.}" | sed 's/^/$/' | tr '\n' ' ')
for t in /etc/nginx/templates/*.template; do
  [ -e "$t" ] || continue
  out="/etc/nginx/conf.d/$(basename "$t" .template)"
  envsubst "$defined" < "$t" > "$out"
  echo "entrypoint: rendered $t -> $out"
done
exec "$@"
EOS
  cat > "$ctx/Dockerfile" <<EOF
FROM $ROOT_TAG
RUN apt-get update \\
    && apt-get install -y --no-install-recommends nginx gettext-base \\
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \\
    && ln -sf /dev/stdout /var/log/nginx/access.log \\
    && ln -sf /dev/stderr /var/log/nginx/error.log \\
    && mkdir -p /etc/nginx/templates
COPY entrypoint.sh /docker-entrypoint.sh
RUN chmod 0755 /docker-entrypoint.sh
EXPOSE 80
STOPSIGNAL SIGQUIT
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
EOF
  docker build -q -t "$NGINX_TAG" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "built $NGINX_TAG"
fi

echo "export CSLENS_PYTHON_IMAGE=$PY_TAG CSLENS_NGINX_IMAGE=$NGINX_TAG"
