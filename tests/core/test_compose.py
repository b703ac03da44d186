"""docker-compose.yml describes a deployable stack (Docker itself does not run in CI)."""

from __future__ import annotations

import re

import pytest
import yaml

from .helpers import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PANEL_SERVICES = ["migrate", "web", "worker", "worker-operations", "beat"]


def test_the_stack_has_every_service() -> None:
    assert set(SERVICES) == {"postgres", "redis", *PANEL_SERVICES, "simulator"}
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"


@pytest.mark.parametrize(
    "name", ["postgres", "redis", "web", "worker", "worker-operations", "beat", "simulator"]
)
def test_long_running_services_have_a_healthcheck_and_restart_policy(name: str) -> None:
    service = SERVICES[name]
    assert service["healthcheck"]["test"], name
    assert service["restart"] == "unless-stopped"


def test_migrate_runs_once_and_everything_waits_for_it() -> None:
    assert SERVICES["migrate"]["command"] == [
        "sh", "-c", "python manage.py migrate --no-input && python manage.py clear_metrics"
    ]
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ["web", "worker", "worker-operations", "beat"]:
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name


def test_panel_services_share_the_image_and_env_file() -> None:
    for name in PANEL_SERVICES:
        service = SERVICES[name]
        assert service["build"] == "." and service["env_file"] == ".env", name
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://panel:")
        assert service["environment"]["DATABASE_URL"].endswith("@postgres:5432/panel")


def test_workers_cover_both_queues() -> None:
    def queues(name: str) -> set[str]:
        command = SERVICES[name]["command"]
        return set(command[command.index("-Q") + 1].split(","))

    assert queues("worker") | queues("worker-operations") == {"default", "operations"}
    assert SERVICES["web"]["command"][:2] == ["gunicorn", "panel.wsgi:application"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in SERVICES["beat"]["command"]


def test_data_lives_in_named_volumes() -> None:
    assert set(COMPOSE["volumes"]) == {
        "postgres-data", "redis-data", "simulator-data", "audit-head", "metrics-data"
    }
    assert all("audit-head:/app/var/audit" in SERVICES[name]["volumes"] for name in PANEL_SERVICES)
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    assert "redis-data:/data" in SERVICES["redis"]["volumes"]


def test_web_and_workers_share_one_metrics_folder() -> None:
    """/metrics on the web adds up the counters every process writes to this folder."""
    for name in PANEL_SERVICES:
        service = SERVICES[name]
        assert service["environment"]["PROMETHEUS_MULTIPROC_DIR"] == "/app/var/metrics", name
        assert "metrics-data:/app/var/metrics" in service["volumes"], name
    # The image makes the folder, owned by the panel user.
    assert re.search(r"mkdir -p [^&]*/app/var/metrics", (ROOT / "Dockerfile").read_text())


def test_simulator_only_in_the_demo_profile() -> None:
    assert SERVICES["simulator"]["profiles"] == ["demo"]
    assert SERVICES["simulator"]["command"][:3] == ["python", "-m", "vpsbg_api.simulator"]
    assert all("profiles" not in SERVICES[name] for name in SERVICES if name != "simulator")


def test_postgres_password_must_be_set() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${POSTGRES_PASSWORD:?" in text


def test_dockerfile_builds_a_non_root_image_with_static_files() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("# ") and "FROM python:3.12-slim" in dockerfile
    assert re.search(r"^USER panel$", dockerfile, re.MULTILINE)
    assert "collectstatic --no-input" in dockerfile
    assert 'CMD ["gunicorn", "panel.wsgi:application"' in dockerfile


def test_every_setting_is_documented_in_env_example_and_readme() -> None:
    """Completeness guard: a new environment variable in settings needs a line in both documents."""
    settings_text = (ROOT / "panel" / "settings.py").read_text()
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z_0-9]+)"', settings_text))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PANEL_ENCRYPTION_KEYS", "VPSBG_API_URL"} <= names
    env_example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    missing_example = sorted(n for n in names if not re.search(rf"^#? ?{n}=", env_example, re.MULTILINE))
    missing_readme = sorted(n for n in names if f"`{n}`" not in readme)
    assert missing_example == [], "add to .env.example"
    assert missing_readme == [], "add to the README's configuration table"
