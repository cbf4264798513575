import pytest
from django.db import transaction

from dcc.celery import app
from dcc.tasks import ping

pytestmark = pytest.mark.integration


def test_a_task_round_trips_through_a_real_worker(celery_queue):
    result = ping.apply_async(args=["aller-retour"], queue=celery_queue)

    assert result.get(timeout=30) == "aller-retour"
    assert result.successful()


def test_celery_is_configured_for_json_and_late_acks():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


@pytest.mark.django_db(transaction=True)
def test_tasks_are_queued_only_when_the_transaction_commits(celery_queue, monkeypatch):
    sent = []
    monkeypatch.setattr(ping, "delay", lambda *args, **kwargs: sent.append(args))

    with transaction.atomic():
        ping.delay_on_commit("commit")
        assert sent == []
    assert sent == [("commit",)]

    sent.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        ping.delay_on_commit("rollback")
        raise RuntimeError("the write failed")
    assert sent == []
