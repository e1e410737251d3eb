# CS Lens in a container: Debian slim, a non-root user, Noto CJK fonts (Japanese in charts and the
# HTML report), a health check on Streamlit's /_stcore/health. Listens on 0.0.0.0 *inside* the
# container only; publish it behind the reverse proxy of deploy/compose.yaml, never directly.
#
#   docker build -t cs-lens .
#   docker compose -p cs-lens -f deploy/compose.yaml up --build -d --scale app=2
#
# PYTHON_IMAGE: any Debian bookworm image with python3.11 and venv. The default is the official one;
# a machine that cannot pull it builds a local substitute with scripts/docker_base.sh and passes it
# through CSLENS_PYTHON_IMAGE (deploy/compose.yaml) or --build-arg PYTHON_IMAGE=...
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# every package (also the transitive ones) pinned with the SHA-256 of its files (scripts/lock.sh)
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/venv \
    && pip install --no-deps --require-hashes -r /tmp/requirements.lock \
    && rm /tmp/requirements.lock

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin cslens
WORKDIR /app
COPY --chown=root:root . .
USER cslens

EXPOSE 8501
# python, not curl: nothing extra in the image. 10 s: under a hundred sessions on two busy cores a
# replica answered later than 5 s (marked unhealthy for a while; nothing restarts it, nginx keeps it)
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=8).status != 200)"]

# the repository's .streamlit/config.toml binds 127.0.0.1 (and watches no files: a watcher per session
# more than doubled a session's CPU, deploy/LOAD.md); in the container the proxy must reach it
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
