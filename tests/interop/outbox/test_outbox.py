"""The outbox: states, retries with backoff, idempotent enqueue and delivery, receipts, resend, requeue."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from interop.outbox import delivery, selectors, services
from interop.outbox.enums import OutboxState
from interop.outbox.errors import OutboxError
from interop.outbox.models import OutboxMessage
from interop.outbox.tasks import outbox_deliver, outbox_requeue
from tests.identity.factories import PatientFactory
from tests.interop.outbox import recording_channel

S = OutboxState


@pytest.fixture(autouse=True)
def test_channel(settings):
    settings.DCC_OUTBOX_CHANNELS = {"mss": "tests.interop.outbox.recording_channel"}
    settings.DCC_OUTBOX_RETRY_DELAYS = [0]
    settings.DCC_OUTBOX_MAX_ATTEMPTS = 3
    recording_channel.reset()
    yield
    recording_channel.reset()


@pytest.fixture
def queued(monkeypatch):
    """Task calls captured instead of sent to a broker (the tests run the task themselves)."""
    calls = []
    monkeypatch.setattr(outbox_deliver, "delay_on_commit", lambda pk: calls.append(pk))
    monkeypatch.setattr(outbox_deliver, "delay", lambda pk: calls.append(pk))
    monkeypatch.setattr(outbox_deliver, "apply_async", lambda args, countdown=0: calls.append(args[0]))
    return calls


def enqueue(**extra) -> OutboxMessage:
    values = {
        "channel": "mss",
        "kind": "gp_notice",
        "recipient_address": "dr.test@pro.mssante.demo.test",
        "recipient_label": "Dr TEST",
        "payload": {"subject": "Avis RCP", "body": "Bonjour"},
        "source_type": "rcp.dossier",
        "source_id": "42",
    }
    return services.outbox_enqueue(**(values | extra))


def states(message) -> list[tuple[str, str]]:
    return list(message.transitions.order_by("at", "pk").values_list("from_state", "to_state"))


@pytest.mark.django_db
def test_enqueue_writes_a_pending_row_with_its_message_id_and_queues_the_task(queued):
    message = enqueue()
    assert message.state == S.PENDING and message.message_id and message.attempts == 0
    assert queued == [message.pk]
    assert states(message) == [("", S.PENDING)]


@pytest.mark.django_db(transaction=True)
def test_enqueue_queues_only_when_the_cause_commits(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "celery.app.task.Task.apply_async", lambda self, args=None, kwargs=None, **kw: sent.append(tuple(args))
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue()
        raise RuntimeError("the cause failed")
    assert not OutboxMessage.objects.exists() and sent == []
    with transaction.atomic():
        message = enqueue()
        assert sent == []
    assert sent == [(message.pk,)]


@pytest.mark.django_db
def test_a_known_dedupe_key_returns_the_existing_row(queued):
    first = enqueue(dedupe_key="fiche:1:gp")
    again = enqueue(dedupe_key="fiche:1:gp", recipient_address="autre@pro.mssante.demo.test")
    assert again.pk == first.pk and OutboxMessage.objects.count() == 1 and queued == [first.pk]


@pytest.mark.django_db
def test_a_recipient_without_address_is_a_failed_row_not_an_exception(queued):
    message = enqueue(recipient_address="", recipient_label="Dr SANSADRESSE")
    assert message.state == S.FAILED and message.last_detail == "Pas d'adresse MSSanté pour ce destinataire."
    assert message.last_code == "sans_adresse" and queued == []


@pytest.mark.django_db
def test_content_the_channel_refuses_is_a_failed_row(queued):
    message = enqueue(payload={"too_big": True})
    assert message.state == S.FAILED and message.last_detail == "Document trop volumineux." and queued == []


@pytest.mark.django_db
def test_an_unknown_channel_is_a_failed_row(queued):
    message = enqueue(channel="fax")
    assert message.state == S.FAILED and "Canal d'envoi inconnu" in message.last_detail


@pytest.mark.django_db
def test_delivery_moves_pending_to_sent_with_the_log(queued):
    message = enqueue()
    assert outbox_deliver(message.pk) == S.SENT
    message.refresh_from_db()
    assert message.attempts == 1 and message.sent_at and message.last_code == "250"
    assert states(message) == [("", S.PENDING), (S.PENDING, S.SENDING), (S.SENDING, S.SENT)]
    assert [message.message_id] == recording_channel.DELIVERED


@pytest.mark.django_db
def test_a_synchronous_ack_reaches_delivered(queued):
    message = enqueue(payload={"script": ["delivered"]})
    assert outbox_deliver(message.pk) == S.DELIVERED
    message.refresh_from_db()
    assert message.delivered_at and message.sent_at


@pytest.mark.django_db
def test_transient_failure_is_retried_with_backoff_then_sent(queued, settings):
    settings.DCC_OUTBOX_RETRY_DELAYS = [30, 120]
    message = enqueue(payload={"script": ["transient", "transient"]})
    before = timezone.now()
    assert outbox_deliver(message.pk) == S.RETRYING
    message.refresh_from_db()
    assert message.last_code == "421" and message.last_detail == "Service momentanément indisponible"
    assert message.next_attempt_at >= before + dt.timedelta(seconds=30)
    assert queued[-1] == message.pk  # scheduled again (countdown)
    assert outbox_deliver(message.pk) is None  # not due yet: an early duplicate does nothing
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver(message.pk) == S.RETRYING
    message.refresh_from_db()
    assert message.next_attempt_at >= timezone.now() + dt.timedelta(seconds=100)  # second delay
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver(message.pk) == S.SENT
    message.refresh_from_db()
    assert message.attempts == 3 and [message.message_id] == recording_channel.DELIVERED


@pytest.mark.django_db
def test_too_many_transient_failures_end_in_failed(queued):
    message = enqueue(payload={"script": ["transient"] * 5})
    for _ in range(3):
        outbox_deliver(message.pk)
    message.refresh_from_db()
    assert message.state == S.FAILED and "abandon après 3 tentatives" in message.last_detail


@pytest.mark.django_db
def test_permanent_failure_stops(queued):
    message = enqueue(payload={"script": ["permanent"]})
    assert outbox_deliver(message.pk) == S.FAILED
    assert outbox_deliver(message.pk) is None
    message.refresh_from_db()
    assert message.attempts == 1 and message.last_code == "550" and message.last_detail == "Boîte inconnue"


@pytest.mark.django_db
def test_an_unexpected_error_is_retried_not_lost(queued):
    message = enqueue(payload={"script": ["crash"]})
    assert outbox_deliver(message.pk) == S.RETRYING
    message.refresh_from_db()
    assert message.last_detail == "Erreur inattendue : RuntimeError"
    assert outbox_deliver(message.pk) == S.SENT


@pytest.mark.django_db
def test_running_the_task_twice_delivers_once(queued):
    message = enqueue()
    outbox_deliver(message.pk)
    outbox_deliver(message.pk)
    assert [message.message_id] == recording_channel.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_tasks_deliver_once(queued):
    message = enqueue()
    results = []
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        try:
            results.append(outbox_deliver(message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == sorted([S.SENT, None], key=str)
    assert [message.message_id] == recording_channel.DELIVERED


@pytest.mark.django_db
def test_a_crash_mid_send_is_recovered_after_the_lease_without_sending_twice(queued, settings):
    message = enqueue()
    # The worker claimed the row, the other side received it, and the worker died before recording it.
    delivery._claim(message.pk)
    recording_channel.DELIVERED.append(message.message_id)
    assert outbox_deliver(message.pk) is None  # still within the lease: someone is on it
    assert delivery.outbox_requeue() == []
    OutboxMessage.objects.filter(pk=message.pk).update(last_attempt_at=timezone.now() - dt.timedelta(hours=1))
    assert delivery.outbox_requeue() == [message.pk]
    assert outbox_deliver(message.pk) == S.SENT
    assert [message.message_id] == recording_channel.DELIVERED  # confirmed, not sent again
    assert [message.message_id] == recording_channel.CONFIRMED
    message.refresh_from_db()
    assert "Reprise après interruption" in message.transitions.filter(to_state=S.SENDING).last().detail


@pytest.mark.django_db
def test_a_lost_reply_is_confirmed_on_the_retry_not_sent_twice(queued):
    message = enqueue(payload={"script": ["lost_reply"]})
    assert outbox_deliver(message.pk) == S.RETRYING
    assert outbox_deliver(message.pk) == S.SENT
    assert [message.message_id] == recording_channel.DELIVERED


@pytest.mark.django_db
def test_requeue_picks_rows_due_and_never_picked_up(queued, settings):
    settings.DCC_OUTBOX_REQUEUE_GRACE_SECONDS = 60
    fresh = enqueue()
    old = enqueue(dedupe_key="old")
    done = enqueue(dedupe_key="done")
    outbox_deliver(done.pk)
    OutboxMessage.objects.filter(pk__in=[old.pk, done.pk]).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=5)
    )
    queued.clear()
    assert outbox_requeue() == 1
    assert queued == [old.pk]
    assert fresh.pk not in queued
    # While no worker takes it, the next beats leave it alone: one task waiting per row, not one per minute.
    assert outbox_requeue() == 0
    # Once a worker has tried it (and left it due), or after a long while (the broker lost it), it goes again.
    OutboxMessage.objects.filter(pk=old.pk).update(last_attempt_at=timezone.now())
    assert outbox_requeue() == 1
    OutboxMessage.objects.filter(pk=old.pk).update(requeued_at=timezone.now() - dt.timedelta(minutes=16))
    assert outbox_requeue() == 1
    assert queued == [old.pk] * 3


@pytest.mark.django_db
def test_receipts_move_forward_only(queued):
    message = enqueue()
    outbox_deliver(message.pk)
    services.outbox_apply_receipt(message=message, state=S.DELIVERED, code="2.0.0", detail="Remis")
    assert message.state == S.DELIVERED and message.delivered_at
    services.outbox_apply_receipt(message=message, state=S.READ, code="processed", detail="Lu")
    assert message.state == S.READ and message.read_at
    services.outbox_apply_receipt(message=message, state=S.DELIVERED, code="2.0.0", detail="Remis (doublon)")
    message.refresh_from_db()
    assert message.state == S.READ
    assert list(states(message))[-2:] == [(S.SENT, S.DELIVERED), (S.DELIVERED, S.READ)]


@pytest.mark.django_db
def test_a_failure_receipt_after_delivery_fails_the_message(queued):
    message = enqueue()
    outbox_deliver(message.pk)
    services.outbox_apply_receipt(message=message, state=S.DELIVERED, code="2.0.0")
    services.outbox_apply_receipt(message=message, state=S.FAILED, code="902", detail="Patient inconnu")
    assert message.state == S.FAILED and message.last_code == "902"


@pytest.mark.django_db
def test_a_receipt_overtaking_the_worker_is_kept(queued):
    message = enqueue()
    delivery._claim(message.pk)
    services.outbox_apply_receipt(message=message, state=S.DELIVERED, code="2.0.0", detail="Remis")
    delivery._finish(message.pk, delivery=recording_channel.deliver(message))
    message.refresh_from_db()
    assert message.state == S.DELIVERED and message.sent_at


@pytest.mark.django_db
def test_a_delay_notice_keeps_the_state_and_logs_the_code(queued):
    message = enqueue()
    outbox_deliver(message.pk)
    services.outbox_apply_receipt(message=message, state=S.SENT, code="4.4.7", detail="Remise retardée")
    message.refresh_from_db()
    assert message.state == S.SENT and message.last_code == "4.4.7"
    assert message.transitions.last().detail == "Remise retardée"


@pytest.mark.django_db
def test_transition_refuses_a_move_outside_the_state_machine(queued):
    message = enqueue()
    with pytest.raises(OutboxError, match="Passage impossible"):
        services.outbox_transition(message=message, to_state=S.READ)


@pytest.mark.django_db
def test_resend_creates_a_new_row_linked_to_the_original(queued, personas):
    message = enqueue(payload={"script": ["permanent"]})
    with pytest.raises(OutboxError, match="encore en cours"):
        services.outbox_resend(message=message, by=personas["doctor"])
    outbox_deliver(message.pk)
    again = services.outbox_resend(message=message, by=personas["doctor"])
    assert again.pk != message.pk and again.resent_from_id == message.pk and again.state == S.PENDING
    assert again.message_id != message.message_id and again.created_by == personas["doctor"]
    assert again.transitions.get().detail == "Renvoi"


@pytest.mark.django_db
def test_cancel_a_pending_message(queued, personas):
    message = enqueue()
    services.outbox_cancel(message=message, by=personas["doctor"])
    assert message.state == S.CANCELLED
    assert outbox_deliver(message.pk) is None and recording_channel.DELIVERED == []


@pytest.mark.django_db
def test_selectors_by_source_and_patient(queued, django_assert_num_queries):
    patient = PatientFactory()
    enqueue(patient=patient)
    enqueue(patient=patient, recipient_address="b@pro.mssante.demo.test")
    enqueue(source_id="43")
    with django_assert_num_queries(2):  # messages, transitions (their users joined)
        rows = list(selectors.messages_for_source("rcp.dossier", 42))
        assert all(list(row.transitions.all()) for row in rows)
    assert len(rows) == 2
    assert selectors.messages_for_patient(patient).count() == 2
