"""Sends over real SMTP and receipts over real IMAP against the local MSSanté operator (a real process)."""

from __future__ import annotations

import datetime as dt
import email
import io
import smtplib
import ssl
import zipfile
from email.policy import default

import pytest
from django.utils import timezone
from imapclient import IMAPClient

from interop.mss import transport
from interop.mss.conf import mss_settings
from interop.mss.poller import poll
from interop.outbox import delivery
from interop.outbox.enums import OutboxState
from interop.outbox.models import OutboxMessage
from interop.outbox.tasks import outbox_deliver
from tests.interop.mss.helpers import document_for, enqueue_document, enqueue_notice
from tests.records.documents_helpers import record_patient

S = OutboxState
# The first test builds the sample FRCP (schematrons compiled once per process): slow on a loaded machine.
pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.timeout(900)]


def poll_until(message, states, timeout=30):
    import time

    deadline = time.monotonic() + timeout
    while True:
        poll()
        message.refresh_from_db()
        if message.state in states or time.monotonic() > deadline:
            return message
        time.sleep(0.1)


def test_a_document_reaches_the_gp_mailbox_once_and_becomes_delivered(mss, personas):
    patient = record_patient(personas)
    message = enqueue_document(document_for(patient), "dr.gp1@pro.mssante.demo.test")
    assert outbox_deliver(message.pk) == S.SENT
    received = mss.wait_for("dr.gp1@pro.mssante.demo.test", 1)
    assert [m["message_id"] for m in received] == [f"<{message.message_id}>"]
    mail = email.message_from_bytes(mss.raw(received[0]["id"]), policy=default)
    archive = next(p for p in mail.iter_attachments() if p.get_filename() == "IHE_XDM.ZIP")
    with zipfile.ZipFile(io.BytesIO(archive.get_content())) as z:
        assert "IHE_XDM/SUBSET01/METADATA.XML" in z.namelist()
    message = poll_until(message, {S.DELIVERED})
    assert message.state == S.DELIVERED and message.last_code == "2.0.0"
    assert message.last_detail == "Message remis au destinataire"
    assert message.mss_receipts.get().kind == "dsn"
    outbox_deliver(message.pk)  # the task again: nothing is sent twice
    assert len(mss.mailbox("dr.gp1@pro.mssante.demo.test")) == 1


def test_an_unknown_address_gets_a_failure_dsn_5_1_1(mss):
    message = enqueue_notice("personne@inconnu.mssante.test")
    assert outbox_deliver(message.pk) == S.SENT
    message = poll_until(message, {S.FAILED})
    assert message.state == S.FAILED and message.last_code == "5.1.1"
    assert message.last_detail.startswith("Adresse MSSanté du destinataire inconnue")


def test_an_mdn_processed_makes_the_message_read(mss):
    message = enqueue_notice("lecture@pro.mssante.demo.test")
    outbox_deliver(message.pk)
    message = poll_until(message, {S.READ})
    assert message.state == S.READ and message.read_at and message.delivered_at
    assert set(message.mss_receipts.values_list("kind", flat=True)) == {"dsn", "mdn"}


def test_an_mdn_error_902_fails_the_message_with_its_meaning(mss):
    message = enqueue_notice("erreur902@pro.mssante.demo.test")
    outbox_deliver(message.pk)
    message = poll_until(message, {S.FAILED})
    assert message.state == S.FAILED and message.last_code == "902"
    assert message.last_detail == "Patient inconnu du logiciel du destinataire"


def test_operator_down_is_a_transient_failure_retried_until_it_is_back(mss, settings):
    settings.DCC_MSS_SMTP_PORT = 1  # nothing listens there
    message = enqueue_notice("dr.retry@pro.mssante.demo.test")
    assert outbox_deliver(message.pk) == S.RETRYING
    message.refresh_from_db()
    assert message.last_code == "connexion" and "injoignable" in message.last_detail
    settings.DCC_MSS_SMTP_PORT = mss.ready["smtp_port"]
    assert outbox_deliver(message.pk) == S.SENT
    assert len(mss.wait_for("dr.retry@pro.mssante.demo.test", 1)) == 1


def test_no_double_send_after_a_worker_crash_mid_send(mss):
    message = enqueue_notice("dr.crash@pro.mssante.demo.test")
    # The worker claimed the row and sent the message, then died before recording it.
    claimed, _ = delivery._claim(message.pk)
    conf = mss_settings()
    from interop.mss.channel import envelope_id
    from interop.mss.message import build_email

    transport.submit(
        conf=conf, sender=conf.address, recipient=claimed.recipient_address,
        data=build_email(claimed, conf).as_bytes(), envid=envelope_id(claimed.message_id),
    )  # fmt: skip
    assert outbox_deliver(message.pk) is None  # within the lease: untouched
    OutboxMessage.objects.filter(pk=message.pk).update(last_attempt_at=timezone.now() - dt.timedelta(hours=1))
    assert delivery.outbox_requeue() == [message.pk]
    assert outbox_deliver(message.pk) == S.SENT
    message.refresh_from_db()
    assert "Déjà transmis" in message.last_detail
    assert len(mss.wait_for("dr.crash@pro.mssante.demo.test", 1)) == 1


def test_a_retry_after_a_send_that_got_through_is_not_sent_again(mss):
    message = enqueue_notice("dr.lost@pro.mssante.demo.test")
    outbox_deliver(message.pk)
    # As if the reply to DATA had been lost: the row says "retry", the operator has the message.
    OutboxMessage.objects.filter(pk=message.pk).update(state=S.RETRYING, next_attempt_at=timezone.now())
    assert outbox_deliver(message.pk) == S.SENT
    assert len(mss.wait_for("dr.lost@pro.mssante.demo.test", 1, timeout=1)) == 1


def test_the_gp_notice_of_another_helper_is_sent_as_plain_text(mss):
    message = enqueue_notice("dr.notice@pro.mssante.demo.test")
    outbox_deliver(message.pk)
    raw = mss.raw(mss.wait_for("dr.notice@pro.mssante.demo.test", 1)[0]["id"])
    mail = email.message_from_bytes(raw, policy=default)
    assert mail["Subject"] == "Votre patient passe en RCP" and mail.get_content_type() == "text/plain"


def test_smtp_refuses_a_client_without_certificate(mss):
    conf = mss_settings()
    context = ssl.create_default_context(cafile=conf.ca_bundle)
    refused = (ssl.SSLError, smtplib.SMTPServerDisconnected, ConnectionError)
    with pytest.raises(refused), smtplib.SMTP(conf.smtp_host, conf.smtp_port, timeout=5) as smtp:
        smtp.starttls(context=context)
        smtp.ehlo()
        smtp.mail(conf.address)


def test_imap_refuses_a_login_without_certificate(mss):
    conf = mss_settings()
    context = ssl.create_default_context(cafile=conf.ca_bundle)
    client = IMAPClient(conf.imap_host, port=conf.imap_port, ssl=False, timeout=5)
    try:
        with pytest.raises(Exception):  # noqa: B017 - TLS alert or LOGIN refused, depending on timing
            client.starttls(context)
            client.login(conf.address, conf.password)
    finally:
        client.shutdown()


def test_the_poller_flags_what_it_read_and_ignores_own_copies(mss):
    message = enqueue_notice("dr.poll@pro.mssante.demo.test")
    outbox_deliver(message.pk)
    poll_until(message, {S.DELIVERED})
    assert poll().read == 0  # everything was flagged \\Seen
