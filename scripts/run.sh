#!/usr/bin/env bash
# make run: set up, migrate, load municipalities and demo data, then serve the web app, a
# Celery worker and Celery beat together. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
# shellcheck disable=SC1091
source .local/env
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}
scripts/serve prepare
.venv/bin/python manage.py seed_demo

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT
scripts/serve worker & pids+=($!)
scripts/serve beat & pids+=($!)
scripts/serve web-dev & pids+=($!)
sleep 2
cat <<TXT

  exitprog runs at http://127.0.0.1:${PORT:-8000}/   (Ctrl-C stops the web server, worker and beat)

TXT
.venv/bin/python manage.py seed_demo --print-logins
wait -n "${pids[@]}"
