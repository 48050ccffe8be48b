# syntax=docker/dockerfile:1
# myNEWS API image: build the package into a virtualenv, then copy only that venv
# and the Alembic files into a slim runtime image that runs as a non-root user.

# ---- build stage -------------------------------------------------------------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /build
# README.md is the package's `readme` in pyproject.toml.
COPY pyproject.toml README.md ./
COPY app/ ./app/
RUN pip install --no-cache-dir .

# ---- runtime stage -----------------------------------------------------------
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MYNEWS_ENV=production \
    PATH="/opt/venv/bin:$PATH"

RUN groupadd --system --gid 10001 mynews \
    && useradd --system --no-log-init --uid 10001 --gid mynews \
        --home-dir /srv/mynews --no-create-home --shell /usr/sbin/nologin mynews

COPY --from=build /opt/venv /opt/venv

# `mynews migrate` finds alembic.ini in the current directory (the package's
# parent is site-packages here), so the working directory holds it and migrations/.
WORKDIR /srv/mynews
COPY alembic.ini ./
COPY migrations/ ./migrations/
# Only SQLite needs a writable directory (./data); the code stays root-owned.
RUN mkdir -p /srv/mynews/data && chown mynews:mynews /srv/mynews/data

USER 10001:10001

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]

CMD ["sh", "-c", "mynews migrate && exec mynews serve --host 0.0.0.0 --port 8000 --workers ${MYNEWS_WORKERS:-4}"]
