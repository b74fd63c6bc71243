# syntax=docker/dockerfile:1
# exitprog for production: one image for every process (web, worker, beat, migrate); which one
# runs is chosen by `scripts/serve <process>`, exactly as `make run` does on a laptop.
#   docker build -t exitprog .          then see docker-compose.yml
# Settings come from the environment at run time (see .env.example); nothing secret is built in.

# --- base: Python and the system libraries every stage needs ------------------------------
FROM python:3.12-slim-bookworm AS base
# WeasyPrint renders the PDF reports with Pango and HarfBuzz; DejaVu is the fallback font.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# --- build: dependencies, compiled messages and collected static files ------------------------
FROM base AS build
# gettext (msgfmt) is needed by compilemessages only, so it stays out of the final image.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
WORKDIR /app
COPY . .
# The project and its runtime dependencies (no dev extras); the in-tree build leftovers go.
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install . \
 && rm -rf build ./*.egg-info
# Settings refuse to load without a secret key and a pseudonym key when DEBUG is off:
# throwaway ones, for these two commands only (not kept in the image). DEBUG off selects the
# manifest storage that the running app expects. compilemessages needs a locale/ directory
# even with no .po files.
RUN mkdir -p locale \
 && DJANGO_SECRET_KEY=build-only-not-a-secret DJANGO_DEBUG=false \
    EXITPROG_PSEUDONYM_KEY=build-only-not-a-secret \
    python manage.py compilemessages -v 0 \
 && DJANGO_SECRET_KEY=build-only-not-a-secret DJANGO_DEBUG=false \
    EXITPROG_PSEUDONYM_KEY=build-only-not-a-secret \
    python manage.py collectstatic --noinput -v 0

# --- runtime ------------------------------------------------------------------------------
FROM base AS runtime
RUN groupadd --system --gid 10001 exitprog \
 && useradd --system --uid 10001 --gid exitprog --create-home --home-dir /home/exitprog \
      --shell /usr/sbin/nologin exitprog \
 && mkdir -p /data/media /data/beat \
 && chown exitprog:exitprog /data/media /data/beat
COPY --from=build /opt/venv /opt/venv
# The code stays owned by root: the app user can read it but not change it.
COPY --from=build /app /app
WORKDIR /app
# PYTHONPATH: the checkout in /app (with templates/, static/, locale/ and data/ beside it) is
# what runs, never the copy `pip install .` put into site-packages.
# PYTHON: scripts/serve finds gunicorn and celery next to this interpreter.
# Generated reports go to /data/media and beat's schedule to /data/beat: mount volumes there.
ENV DJANGO_DEBUG=false \
    PYTHONPATH=/app \
    PYTHON=/opt/venv/bin/python \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/data/media \
    CELERY_BEAT_SCHEDULE_FILE=/data/beat/celerybeat-schedule \
    PORT=8000
USER exitprog
EXPOSE 8000
# Other processes: `scripts/serve worker|beat|prepare` as the command (see docker-compose.yml).
CMD ["scripts/serve", "web"]
