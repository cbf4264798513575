"""DSN/MDN parsing and correlation, through ``mss_ingest`` (the poller's code) and ``ingest``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from interop.mss.enums import ReceivedStatus
from interop.mss.models import ReceivedMessage
from interop.mss.operator import reports
from interop.mss.receipts import ingest
from interop.outbox.enums import OutboxState
from interop.outbox.services import outbox_transition
from tests.interop.mss.helpers import enqueue_notice

pytestmark = pytest.mark.django_db
S = OutboxState


@pytest.fixture
def sent(settings):
    settings.DCC_MSS_ADDRESS = "dcc@dcc.mssante.demo.test"
    message = enqueue_notice("dr.recu@pro.mssante.demo.test")
    outbox_transition(message=message, to_state=S.SENDING)
    outbox_transition(message=message, to_state=S.SENT)
    original = (
        f"From: dcc@dcc.mssante.demo.test\r\nTo: dr.recu@pro.mssante.demo.test\r\nSubject: Avis\r\n"
        f"Message-ID: <{message.message_id}>\r\nDisposition-Notification-To: dcc@dcc.mssante.demo.test\r\n"
        "\r\nBonjour\r\n"
    ).encode()
    return message, original


def a_dsn(message, original, action="delivered", status="2.0.0", envid=None, recipient="dr.recu@pro.mssante.demo.test"):
    return reports.dsn(
        hostname="op.test", postmaster="postmaster@op.test", to="dcc@dcc.mssante.demo.test",
        envid=message.message_id.split("@")[0].upper() if envid is None else envid, recipient=recipient,
        original_recipient=recipient, action=action, status=status,
        diagnostic="550 5.1.1 Recipient address unknown" if action == "failed" else "", original=original,
    )  # fmt: skip


def run_ingest(tmp_path, *blobs) -> str:
    paths = []
    for i, blob in enumerate(blobs):
        path = tmp_path / f"m{i}.eml"
        path.write_bytes(blob)
        paths.append(str(path))
    out = StringIO()
    call_command("mss_ingest", *paths, stdout=out)
    return out.getvalue()


def test_a_dsn_success_is_matched_by_envelope_id_and_delivers(sent, tmp_path):
    message, original = sent
    output = run_ingest(tmp_path, a_dsn(message, original))
    message.refresh_from_db()
    assert message.state == S.DELIVERED
    assert f"envoi n° {message.pk} à dr.recu@pro.mssante.demo.test : délivré" in output


def test_a_dsn_without_envid_is_matched_by_the_returned_message_id(sent):
    message, original = sent
    result = ingest(a_dsn(message, original, envid=""), origin="test")
    assert result.status == ReceivedStatus.MATCHED and result.message.state == S.DELIVERED


def test_a_failure_dsn_fails_the_message_in_french(sent):
    message, original = sent
    ingest(a_dsn(message, original, action="failed", status="5.1.1"), origin="test")
    message.refresh_from_db()
    assert message.state == S.FAILED and message.last_code == "5.1.1"
    assert message.last_detail.startswith("Adresse MSSanté du destinataire inconnue")


def test_a_delayed_dsn_keeps_the_state_and_logs(sent):
    message, original = sent
    ingest(a_dsn(message, original, action="delayed", status="4.4.7"), origin="test")
    message.refresh_from_db()
    assert message.state == S.SENT and message.last_detail == "Remise retardée"


def test_mdn_processed_then_error_902(sent):
    message, original = sent
    _, processed = reports.mdn(hostname="op.test", reader="dr.recu@pro.mssante.demo.test", original=original)
    ingest(processed, origin="test")
    message.refresh_from_db()
    assert message.state == S.READ
    other = enqueue_notice("dr.recu@pro.mssante.demo.test")
    outbox_transition(message=other, to_state=S.SENDING)
    outbox_transition(message=other, to_state=S.SENT)
    _, error = reports.mdn(
        hostname="op.test", reader="dr.recu@pro.mssante.demo.test",
        original=original.replace(message.message_id.encode(), other.message_id.encode()), error_code="902",
    )  # fmt: skip
    ingest(error, origin="test")
    other.refresh_from_db()
    assert other.state == S.FAILED and other.last_code == "902"
    assert other.last_detail == "Patient inconnu du logiciel du destinataire"


def test_a_receipt_for_another_recipient_is_not_applied(sent):
    message, original = sent
    result = ingest(a_dsn(message, original, recipient="quelquun@autre.test"), origin="test")
    assert result.status == ReceivedStatus.UNMATCHED
    message.refresh_from_db()
    assert message.state == S.SENT


def test_unknown_and_malformed_files_are_reported_and_kept(sent, tmp_path):
    message, _ = sent
    broken = (
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\n\r\nrien\r\n--x--\r\n"
    )
    stranger = b"From: a@b.test\r\nSubject: Bonjour\r\n\r\nUn message sans rapport.\r\n"
    output = run_ingest(tmp_path, broken, stranger, b"\x00\x01 pas un message")
    lines = output.splitlines()
    assert "illisible" in lines[0] and "conservé pour examen" in lines[0]
    assert "non rapproché" in lines[1]
    assert "conservé pour examen" in lines[2]
    assert ReceivedMessage.objects.filter(status=ReceivedStatus.MALFORMED).count() == 2
    assert ReceivedMessage.objects.filter(status=ReceivedStatus.UNMATCHED).count() == 1
    message.refresh_from_db()
    assert message.state == S.SENT


def test_ingesting_the_same_file_twice_changes_nothing(sent, tmp_path):
    message, original = sent
    dsn = a_dsn(message, original)
    run_ingest(tmp_path, dsn)
    output = run_ingest(tmp_path, dsn)
    assert "déjà traité" in output and ReceivedMessage.objects.count() == 1


def test_a_missing_file_is_reported_not_a_crash(tmp_path):
    out = StringIO()
    call_command("mss_ingest", str(tmp_path / "absent.eml"), stdout=out)
    assert "fichier illisible" in out.getvalue()
