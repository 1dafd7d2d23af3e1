# confbot in a container: `docker compose up -d` (compose.yaml), or see docs/deployment.md.
#
# Dependencies come from uv.lock exactly (the same pins as `make install`), built in a first
# stage; the image that runs has no build tools, runs as an unprivileged user, keeps the
# database and uploaded agendas on the /var/lib/confbot volume, and reports its health from
# GET /healthz.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# The Makefile's uv, from PyPI.
RUN pip install --no-cache-dir "uv==0.13.8"
WORKDIR /app
# The dependencies first (a layer that changes only with the lock), then the project.
COPY pyproject.toml uv.lock README.md LICENSE ./
RUN uv sync --locked --no-dev --no-install-project
COPY bot ./bot
COPY handlers ./handlers
COPY data ./data
RUN uv sync --locked --no-dev \
    && /opt/venv/bin/python -m compileall -q /app/bot /app/handlers

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="confbot" \
      org.opencontainers.image.description="A Telegram assistant for conferences" \
      org.opencontainers.image.licenses="MIT"
RUN groupadd --system --gid 10001 confbot \
    && useradd --system --uid 10001 --gid confbot --home-dir /var/lib/confbot \
       --shell /usr/sbin/nologin confbot \
    && mkdir -p /var/lib/confbot \
    && chown confbot:confbot /var/lib/confbot
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_PATH=/var/lib/confbot/confbot.sqlite3 \
    WEB_LISTEN=0.0.0.0:8080
VOLUME ["/var/lib/confbot"]
EXPOSE 8080
# By number (hadolint DL3066): the same unprivileged user whatever the host's user names.
USER 10001:10001
# 200 when the agenda is loaded, the store takes writes and the sender runs; 503 otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('WEB_LISTEN', ':8080').rpartition(':')[2]; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["confbot"]
CMD ["run"]
