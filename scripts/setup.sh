#!/usr/bin/env bash
# Prepares everything exitprog needs on a Debian or Ubuntu machine and writes the environment
# for the other scripts to .local/env:
#   1. system packages that are missing (PostgreSQL, Redis, Chromium, poppler, fonts, Node.js);
#   2. a Python >= 3.12 (PATH first, then pyenv) and the virtualenv .venv with the project;
#   3. axe-core from npm for the accessibility checks;
#   4. PostgreSQL and Redis: DATABASE_URL / REDIS_URL when they answer, otherwise private
#      servers with their data under .local/ (git-ignored).
# Safe to run again: each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOCAL=$ROOT/.local
mkdir -p "$LOCAL"
MODE=${1:-run}   # "run" or "test": tests get a PostgreSQL without fsync.
# A checkout is a development machine: DEBUG defaults on here (production runs in Docker,
# where it defaults off).
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root (or sudo) to run: $*"; fi
}

APT_UPDATED=
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  say "Installing Debian packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# --- 1. system packages -------------------------------------------------------------------
# WeasyPrint needs Pango; the tests need poppler (pdftotext/pdftoppm), Chromium and Node.js;
# gettext compiles the translations.
apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils gettext \
  postgresql redis-server chromium ca-certificates
command -v npm >/dev/null || apt_install nodejs npm

# --- 2. Python and the virtualenv ---------------------------------------------------------
find_python() {
  local candidates=() c
  for c in python3.14 python3.13 python3.12 python3; do
    command -v "$c" >/dev/null && candidates+=("$(command -v "$c")")
  done
  for c in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] \
           /usr/bin/python3.1[2-9]; do
    [ -x "$c" ] && candidates+=("$c")
  done
  local best="" best_ver=0 ver
  for c in "${candidates[@]}"; do
    ver=$("$c" -c 'import sys; print(sys.version_info[0]*100+sys.version_info[1])' 2>/dev/null) || continue
    if [ "$ver" -ge 312 ] && [ "$ver" -gt "$best_ver" ]; then best=$c; best_ver=$ver; fi
  done
  printf '%s' "$best"
}

if [ ! -x .venv/bin/python ]; then
  PY=$(find_python)
  [ -n "$PY" ] || die "exitprog needs Python 3.12 or newer (Django 6.1 does not run on older ones).
Install one (Debian 13 / Ubuntu 24.04: apt-get install python3 python3-venv; or pyenv install 3.12) and run again."
  say "Creating .venv with $PY ($("$PY" --version))"
  "$PY" -m venv .venv || die "could not create a virtualenv with $PY (on Debian: apt-get install python3-venv)"
fi
STAMP=$LOCAL/pip.stamp
HASH=$(sha256sum pyproject.toml | cut -c1-16)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$HASH" ]; then
  say "Installing the project and its dependencies into .venv"
  # uv (from PyPI, into the virtualenv) installs the same packages as pip in a fraction of
  # the time; pip is the fallback where uv cannot be had.
  if .venv/bin/python -m pip install -q uv 2>/dev/null; then
    .venv/bin/uv pip install -q --python .venv/bin/python -e ".[dev]"
  else
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[dev]"
  fi
  echo "$HASH" > "$STAMP"
fi

# --- 3. axe-core ----------------------------------------------------------------------------
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  say "Installing axe-core from npm"
  npm ci --no-audit --no-fund --silent
fi

# --- 4. PostgreSQL and Redis ----------------------------------------------------------------
PY=.venv/bin/python
pg_answers() { "$PY" scripts/dbtool.py ping "$1" >/dev/null 2>&1; }
redis_answers() { "$PY" -c 'import redis,sys; redis.Redis.from_url(sys.argv[1], socket_timeout=2).ping()' "$1" >/dev/null 2>&1; }

if [ -n "${DATABASE_URL:-}" ] && pg_answers "$DATABASE_URL"; then
  say "Using PostgreSQL at DATABASE_URL"
else
  [ -n "${DATABASE_URL:-}" ] && say "DATABASE_URL does not answer; starting a private PostgreSQL"
  PGPORT=${EXITPROG_PGPORT:-54329}
  PGDATA=$LOCAL/pg
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -n "$PGBIN" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
  # initdb and pg_ctl refuse to run as root: the private server runs as the postgres user,
  # which must be able to reach its data folder. When a parent of the checkout is closed to
  # it (a private temporary folder, say), the data goes to /var/tmp instead, named after the
  # checkout.
  RUNAS=()
  if [ "$(id -u)" -eq 0 ]; then
    RUNAS=(runuser -u postgres --)
    mkdir -p "$PGDATA"; chown postgres "$PGDATA"
    if ! runuser -u postgres -- test -w "$PGDATA"; then
      PGDATA=/var/tmp/exitprog-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
      mkdir -p "$PGDATA"; chown postgres "$PGDATA"; chmod 700 "$PGDATA"
    fi
  fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    say "Creating a private PostgreSQL in $PGDATA"
    mkdir -p "$PGDATA"
    "${RUNAS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_answers "postgres://postgres@127.0.0.1:$PGPORT/postgres"; then
    EXTRA=""
    [ "$MODE" = test ] && EXTRA="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start \
      -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 $EXTRA" >/dev/null \
      || die "the private PostgreSQL did not start; see $PGDATA/server.log"
  fi
  DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/exitprog
fi
"$PY" scripts/dbtool.py create "$DATABASE_URL"

if [ -n "${REDIS_URL:-}" ] && redis_answers "$REDIS_URL"; then
  say "Using Redis at REDIS_URL"
else
  [ -n "${REDIS_URL:-}" ] && say "REDIS_URL does not answer; starting a private Redis"
  RPORT=${EXITPROG_REDISPORT:-63799}
  mkdir -p "$LOCAL/redis"
  if ! redis_answers "redis://127.0.0.1:$RPORT/0"; then
    redis-server --daemonize yes --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$LOCAL/redis" --pidfile "$LOCAL/redis/redis.pid" --logfile "$LOCAL/redis/redis.log"
    for _ in $(seq 50); do redis_answers "redis://127.0.0.1:$RPORT/0" && break; sleep 0.1; done
    redis_answers "redis://127.0.0.1:$RPORT/0" || die "the private Redis did not start; see $LOCAL/redis/redis.log"
  fi
  REDIS_URL=redis://127.0.0.1:$RPORT/0
fi

{
  echo "export DATABASE_URL=$DATABASE_URL"
  echo "export REDIS_URL=$REDIS_URL"
  echo "export DJANGO_DEBUG=$DJANGO_DEBUG"
} > "$LOCAL/env"

# Translations are compiled from the committed .po files.
.venv/bin/python manage.py compilemessages -v 0 --ignore=.venv --ignore=node_modules
# The app serves its own static files (WhiteNoise), from STATIC_ROOT.
.venv/bin/python manage.py collectstatic --noinput -v 0
