"""docker-compose.yml describes the production topology (no Docker engine runs here)."""

from pathlib import Path

import yaml
from django.conf import settings


def compose() -> dict:
    return yaml.safe_load(Path(settings.BASE_DIR, "docker-compose.yml").read_text())


def test_compose_has_the_production_services():
    services = compose()["services"]

    assert set(services) == {
        "web", "worker", "worker-exports", "beat", "pgbouncer", "postgres", "redis", "minio", "minio-setup",
    }  # fmt: skip
    assert services["web"]["command"].startswith("gunicorn dcc.wsgi")
    assert "celery -A dcc worker" in services["worker"]["command"]
    assert "celery -A dcc beat" in services["beat"]["command"]


def test_app_services_use_the_production_settings_and_wait_for_healthy_services():
    services = compose()["services"]

    for name in ("web", "worker", "worker-exports", "beat"):
        service = services[name]
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "dcc.settings.base"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert "@pgbouncer:5432/" in service["environment"]["DATABASE_URL"]
        assert service["depends_on"] == {
            "pgbouncer": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "minio": {"condition": "service_healthy"},
        }
    assert "healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_topology_scales_out_without_shared_local_state():
    """`docker compose up --scale web=3 --scale worker=4`: no fixed host port, files in MinIO, one beat."""
    services = compose()["services"]
    assert services["web"]["ports"] == ["${DCC_WEB_PORTS:-8000-8002}:8000"]  # one host port per replica
    for name in ("web", "worker", "worker-exports", "beat"):
        assert "volumes" not in services[name]  # nothing on a container's disk: documents go to the bucket
        assert services[name]["environment"]["DCC_STORAGE_BACKEND"] == "s3"
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    assert services["pgbouncer"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "dcc-documents" in " ".join(services["minio-setup"]["entrypoint"])
    worker_queues = services["worker"]["command"].split("--queues ")[1].split(",")
    assert "exports" not in worker_queues and "documents" in worker_queues
    assert services["worker-exports"]["command"].endswith("--queues exports")
    assert set(settings.DCC_CELERY_QUEUES) == {*worker_queues, "exports"}
    assert settings.CELERY_TASK_ROUTES["interop.generate_document"] == {"queue": "documents"}
