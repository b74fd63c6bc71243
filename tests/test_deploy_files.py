"""The deployment files agree with the code: the same process commands as `make run`, every
setting documented, health checks and volumes in place. Reads files only (no database, no
Docker engine needed)."""

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = {"migrate", "web", "worker", "beat"}
BACKING_SERVICES = {"db", "redis"}
# The production process and the one `make run` starts in its place.
DEV_COUNTERPART = {"web": "web-dev"}


def read(name: str) -> str:
    return (ROOT / name).read_text()


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load(read("docker-compose.yml"))


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def serve_subcommands() -> set[str]:
    """The case labels of scripts/serve (without the `*)` fallback)."""
    return set(re.findall(r"^\s*([a-z][a-z-]*)\)", read("scripts/serve"), re.MULTILINE))


def serve_calls(text: str) -> set[str]:
    return set(re.findall(r"scripts/serve\s+([a-z][a-z-]*)", text))


def env_example_names(*, active_only: bool = False) -> set[str]:
    pattern = r"^([A-Z][A-Z0-9_]*)=" if active_only else r"^(?:#\s*)?([A-Z][A-Z0-9_]*)="
    return set(re.findall(pattern, read(".env.example"), re.MULTILINE))


def dockerfile_instructions(keyword: str) -> list[str]:
    pattern = rf"^{keyword}\s+(.+)$"
    return re.findall(pattern, read("Dockerfile"), re.MULTILINE | re.IGNORECASE)


def test_scripts_serve_is_parsed_as_expected():
    assert serve_subcommands() == {"prepare", "web", "web-dev", "worker", "beat"}


def test_compose_defines_the_app_processes_and_their_backing_services():
    assert set(services()) == APP_SERVICES | BACKING_SERVICES


def test_compose_runs_the_processes_the_makefile_runs():
    assert re.search(r"^run:\n\tscripts/run\.sh$", read("Makefile"), re.MULTILINE)
    dev = serve_calls(read("scripts/run.sh"))
    assert {"prepare", "worker", "beat"} <= dev

    prod: set[str] = set()
    for name in APP_SERVICES:
        command = services()[name]["command"]
        assert isinstance(command, list), f"{name}: command must be a list (exec form)"
        assert len(command) == 2, f"{name}: {command}"
        assert command[0] == "scripts/serve", f"{name}: {command}"
        assert command[1] in serve_subcommands(), f"{name}: scripts/serve has no {command[1]}"
        assert DEV_COUNTERPART.get(command[1], command[1]) in dev, (
            f"{name}: make run does not run scripts/serve {command[1]}"
        )
        prod.add(command[1])
    assert {DEV_COUNTERPART.get(p, p) for p in prod} == dev


def test_app_processes_start_after_healthy_backing_services_and_migrations():
    assert services()["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services()["migrate"]["restart"] == "no"
    for name in APP_SERVICES - {"migrate"}:
        depends_on = services()[name]["depends_on"]
        assert depends_on["db"] == {"condition": "service_healthy"}, name
        assert depends_on["redis"] == {"condition": "service_healthy"}, name
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}, name


def test_web_and_backing_services_have_health_checks():
    for name in ("web", "db", "redis"):
        assert services()[name]["healthcheck"]["test"], name
    web_test = " ".join(services()["web"]["healthcheck"]["test"])
    assert "/login/" in web_test
    assert "X-Forwarded-Proto" in web_test  # production redirects plain http


def test_app_services_reach_db_redis_and_the_secret_key_through_compose():
    secret = next(iter(compose()["secrets"]))
    assert compose()["secrets"][secret]["file"].startswith("./secrets/")
    for name in APP_SERVICES:
        service = services()[name]
        env = service["environment"]
        assert service["env_file"] == ".env", name
        assert "@db:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"].startswith("redis://redis:6379/"), name
        assert env["DJANGO_SECRET_KEY_FILE"] == f"/run/secrets/{secret}", name
        assert secret in service["secrets"], name
        assert "DJANGO_SECRET_KEY" not in env, name


def test_data_lives_in_declared_named_volumes():
    declared = set(compose()["volumes"])
    assert declared == {"pgdata", "redisdata", "media", "beat"}
    used: set[str] = set()
    for name, service in services().items():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            assert source in declared, f"{name} mounts undeclared volume {source}"
            used.add(source)
    assert used == declared
    assert "pgdata:/var/lib/postgresql/data" in services()["db"]["volumes"]
    assert "redisdata:/data" in services()["redis"]["volumes"]
    assert "--appendonly" in services()["redis"]["command"]
    for name in ("web", "worker"):
        assert "media:/data/media" in services()[name]["volumes"], name
        assert services()[name]["environment"]["DJANGO_MEDIA_ROOT"] == "/data/media", name
    beat = services()["beat"]
    assert "beat:/data/beat" in beat["volumes"]
    assert beat["environment"]["CELERY_BEAT_SCHEDULE_FILE"].startswith("/data/beat/")


def test_image_is_python_3_12_or_newer_and_runs_scripts_serve_as_a_non_root_user():
    bases = dockerfile_instructions("FROM")
    versions = [re.match(r"python:3\.(\d+)", base) for base in bases]
    assert any(versions), bases
    assert all(int(v.group(1)) >= 12 for v in versions if v), bases
    assert dockerfile_instructions("CMD")[-1] == '["scripts/serve", "web"]'
    assert dockerfile_instructions("USER")[-1] not in {"root", "0"}
    # scripts/serve looks for gunicorn and celery beside $PYTHON when there is no .venv.
    assert re.search(r"^\s+PYTHON=/\S+/python\b", read("Dockerfile"), re.MULTILINE)


def test_image_leaves_out_secrets_tests_and_local_state():
    ignored = set(read(".dockerignore").split())
    assert {".env", "secrets/", ".git", ".venv", ".local", "node_modules", "tests"} <= ignored


def test_every_setting_read_from_the_environment_is_documented_in_env_example():
    settings = read("exitprog/settings.py")
    names = set(re.findall(r"env_(?:str|bool|int|list|secret)\(\s*\"([A-Z][A-Z0-9_]*)\"", settings))
    secrets = re.findall(r"env_secret\(\s*\"([A-Z][A-Z0-9_]*)\"", settings)
    names |= {f"{name}_FILE" for name in secrets}
    assert {"DJANGO_DEBUG", "DJANGO_SECRET_KEY_FILE", "DATABASE_URL", "REDIS_URL"} <= names
    serve = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):-", read("scripts/serve")))
    assert not (names | serve) - env_example_names()


def test_every_variable_compose_interpolates_has_a_value_in_env_example():
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", read("docker-compose.yml")))
    assert interpolated
    assert not interpolated - env_example_names(active_only=True)
