#!/usr/bin/env bash
# Runs `manage.py check --deploy` with the production settings and fails on any warning.
set -euo pipefail
cd "$(dirname "$0")/.."
env -u DJANGO_ALLOW_ASYNC_UNSAFE DJANGO_DEBUG=false DJANGO_SECRET_KEY="check-deploy-$(head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')" \
  EXITPROG_PSEUDONYM_KEY="check-deploy-$(head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')" \
  DJANGO_ALLOWED_HOSTS=exitprog.example.se \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
