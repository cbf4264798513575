"""docker-compose.yml describes the production topology (no Docker engine runs here)."""

from pathlib import Path

import yaml
from django.conf import settings


def compose() -> dict:
    return yaml.safe_load(Path(settings.BASE_DIR, "docker-compose.yml").read_text())


def test_compose_has_the_production_services():
    services = compose()["services"]

    production = {name for name, service in services.items() if "profiles" not in service}
    assert production >= {"migrate", "web", "worker", "beat", "postgres", "redis", "mllp"}
    assert services["mss-operator"]["profiles"] == ["development"]
    assert services["web"]["command"].startswith("gunicorn -c python:dcc.gunicorn_conf dcc.wsgi")
    assert services["web"]["command"].startswith("gunicorn -c python:dcc.gunicorn_conf dcc.wsgi")
    assert "celery -A dcc worker" in services["worker"]["command"]
    assert "celery -A dcc beat" in services["beat"]["command"]


def test_app_services_use_the_production_settings_and_wait_for_healthy_services():
    services = compose()["services"]

    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "dcc.settings.base"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
        # The application connects as the role that owns nothing (issue 16, finding 6).
        assert service["environment"]["DATABASE_URL"].startswith("postgres://dcc_app:")
    assert "healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_runs_the_mllp_listener():
    mllp = compose()["services"]["mllp"]
    assert mllp["command"].startswith("python -m interop.hl7.listener")
    assert mllp["environment"]["DJANGO_SETTINGS_MODULE"] == "dcc.settings.base"
    assert "2575:2575" in mllp["ports"]


def test_migrations_run_as_the_owner_then_set_up_the_application_role():
    migrate = compose()["services"]["migrate"]
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://dcc:")
    assert "migrate" in migrate["command"] and "db_application_role" in migrate["command"]
