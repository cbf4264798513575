import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.integration
def test_healthz_reports_every_component_ok_with_a_worker(client, celery_queue):
    import time

    from dcc.tasks import worker_heartbeat
    from dcc.worker_status import HEARTBEAT_KEY, worker_responding

    cache.delete(HEARTBEAT_KEY)
    worker_heartbeat.apply_async(queue=celery_queue)  # what beat does: the worker takes it and writes the heartbeat
    deadline = time.monotonic() + 60
    while not worker_responding():
        assert time.monotonic() < deadline, "le worker n'a pas écrit son battement"
        time.sleep(0.2)
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["components"] == {"postgresql": "ok", "redis": "ok", "celery": "ok", "worker_heartbeat": "ok"}


def test_healthz_is_503_when_redis_is_down(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0", CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"]["postgresql"] == "ok"
    assert body["components"]["redis"].startswith("Redis injoignable")
    assert body["components"]["celery"] != "ok"


def test_healthz_is_503_when_postgresql_is_down(client, monkeypatch):
    from dcc import health

    monkeypatch.setattr(health, "check_database", lambda: "PostgreSQL injoignable : OperationalError")
    monkeypatch.setattr(health, "check_worker", lambda: None)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["components"]["postgresql"].startswith("PostgreSQL injoignable")


def test_healthz_needs_no_login_and_only_answers_get(client):
    assert client.post(reverse("healthz")).status_code == 405
