"""docker-compose.yml describes the production topology (no Docker engine runs here)."""

from pathlib import Path

import yaml
from django.conf import settings


def compose() -> dict:
    return yaml.safe_load(Path(settings.BASE_DIR, "docker-compose.yml").read_text())


APP_SERVICES = ("web", "worker", "worker-exports", "beat", "mllp")


def test_compose_has_the_production_services():
    services = compose()["services"]

    production = {name for name, service in services.items() if "profiles" not in service}
    assert production == {
        "migrate", "web", "worker", "worker-exports", "beat", "mllp", "pgbouncer", "postgres", "redis", "minio",
        "minio-setup", "orthanc",
    }  # fmt: skip
    assert services["mss-operator"]["profiles"] == ["development"]
    assert services["web"]["command"].startswith("gunicorn -c python:dcc.gunicorn_conf dcc.wsgi")
    assert "celery -A dcc worker" in services["worker"]["command"]
    assert "celery -A dcc beat" in services["beat"]["command"]


def test_app_services_use_the_production_settings_and_wait_for_healthy_services():
    services = compose()["services"]

    for name in APP_SERVICES:
        service = services[name]
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "dcc.settings.base"
        assert "@pgbouncer:5432/" in service["environment"]["DATABASE_URL"]
        assert service["depends_on"] == {
            "pgbouncer": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "minio": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
        # The application connects as the role that owns nothing (issue 16, finding 6).
        assert service["environment"]["DATABASE_URL"].startswith("postgres://dcc_app:")
    assert "healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_topology_scales_out_without_shared_local_state():
    """`docker compose up --scale web=3 --scale worker=4`: no fixed host port, files in MinIO, one beat."""
    from dcc.settings.base import CELERY_TASK_ROUTES, DCC_CELERY_QUEUES

    services = compose()["services"]
    assert services["web"]["ports"] == ["${DCC_WEB_PORTS:-8000-8002}:8000"]  # one host port per replica
    for name in APP_SERVICES:
        assert "volumes" not in services[name]  # nothing on a container's disk: documents go to the bucket
        assert services[name]["environment"]["DCC_STORAGE_BACKEND"] == "s3"
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    assert services["pgbouncer"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "dcc-documents" in " ".join(services["minio-setup"]["entrypoint"])
    worker_queues = services["worker"]["command"].split("--queues ")[1].split(",")
    assert "exports" not in worker_queues and "documents" in worker_queues
    assert services["worker-exports"]["command"].endswith("--queues exports")
    assert set(DCC_CELERY_QUEUES) == {*worker_queues, "exports"}
    assert CELERY_TASK_ROUTES["interop.generate_document"] == {"queue": "documents"}


def test_compose_runs_the_mllp_listener():
    mllp = compose()["services"]["mllp"]
    assert mllp["command"].startswith("python -m interop.hl7.listener")
    assert mllp["environment"]["DJANGO_SETTINGS_MODULE"] == "dcc.settings.base"
    assert "2575:2575" in mllp["ports"]


def test_migrations_run_as_the_owner_then_set_up_the_application_role():
    migrate = compose()["services"]["migrate"]
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://dcc:")
    assert "migrate" in migrate["command"] and "db_application_role" in migrate["command"]
