# exitprog: `make run` serves the app with demo data, `make test` runs every check.
.PHONY: run test setup lint messages

run:
	scripts/run.sh

test:
	scripts/test.sh

setup:
	scripts/setup.sh run

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy . && .venv/bin/lint-imports

# Refresh the Swedish message catalogue after changing user-facing strings.
messages:
	.venv/bin/python manage.py makemessages -l sv --ignore=.venv --ignore=node_modules --ignore=.local
	.venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules
