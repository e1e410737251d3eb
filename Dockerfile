# CS Lens in a container: Debian slim, a non-root user, Noto CJK fonts (Japanese in charts and the
# HTML report), a health check on Streamlit's /_stcore/health. Listens on 0.0.0.0 *inside* the
# container only; publish it behind the reverse proxy of deploy/compose.yaml, never directly.
#
#   docker build -t cs-lens .
#   docker compose -f deploy/compose.yaml up --build --scale app=2
#
# (Not built on the development machine, which has no Docker engine; scripts/team.sh runs the same
# topology without Docker.)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin cslens
COPY --chown=cslens:cslens . .
USER cslens

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl --fail --silent http://127.0.0.1:8501/_stcore/health || exit 1

# the repository's .streamlit/config.toml binds 127.0.0.1; in the container the proxy must reach it
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
