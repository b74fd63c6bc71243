#!/usr/bin/env bash
# make test: the same set-up as make run, then the static checks and the whole suite on the
# real PostgreSQL and Redis (browser tests included). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
# shellcheck disable=SC1091
source .local/env
export DJANGO_ALLOW_ASYNC_UNSAFE=true
PY=.venv/bin/python

# The static checks run beside the tests, on the CPU time the tests leave idle (they wait on
# the browser, the workers and the database); their output follows the tests'.
STATIC_LOG=$(mktemp)
trap 'rm -f "$STATIC_LOG"' EXIT
(
  set -e
  echo "==> ruff"
  .venv/bin/ruff check .
  .venv/bin/ruff format --check .
  echo "==> mypy"
  .venv/bin/mypy .
  echo "==> import-linter (the layers of docs/architecture.md)"
  .venv/bin/lint-imports
  echo "==> makemigrations --check"
  $PY manage.py makemigrations --check --dry-run
) >"$STATIC_LOG" 2>&1 &
STATIC_PID=$!

echo "==> pytest (tests/test_settings.py runs check --deploy under production settings)"
# In parallel (pytest-xdist), one process per core unless EXITPROG_TEST_PROCESSES says how
# many: each has its own test database (test_exitprog_gw0, ...), and the worker, stack and
# browser tests their own Celery queues, Redis servers and ports. worksteal hands the tests
# out as the processes come free, so the long ones (the canary sweeps) do not queue up.
tests=0
$PY -m pytest -n "${EXITPROG_TEST_PROCESSES:-auto}" --dist worksteal "$@" || tests=$?
static=0
wait "$STATIC_PID" || static=$?

echo "==> the static checks"
cat "$STATIC_LOG"
if [ "$static" -ne 0 ]; then
  echo "error: the static checks failed (above)" >&2
fi
if [ "$tests" -ne 0 ]; then
  echo "error: the tests failed (pytest exited $tests)" >&2
fi
[ "$static" -eq 0 ] && [ "$tests" -eq 0 ]
