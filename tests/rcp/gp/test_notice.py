"""The GP notice at registration: outbox row in the same transaction, delay rule, no address, access, counts."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from dcc.records.access import can_view_patient
from interop.outbox.enums import Channel, OutboxState
from interop.outbox.models import OutboxMessage
from rcp.gp import selectors, services
from rcp.gp.enums import NoticeOutcome
from rcp.gp.models import GpNotice, GpNoticeSettings
from rcp.services.dossiers import dossier_submit, dossier_transition
from tests.identity.factories import PatientFactory
from tests.rcp.factories import DossierFactory, SessionFactory, register_dossier

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def gp_rows(dossier):
    return OutboxMessage.objects.filter(source_type="rcp.dossier", source_id=str(dossier.pk), kind="gp_notice")


def test_registration_notifies_the_gp_through_the_outbox(personas, world, gp_patient):
    world["session"].video_link = "https://visio.chu-test.test/rcp-digestif"
    world["session"].save()
    dossier = register_dossier(world["session"], personas["doctor"], patient=gp_patient)
    notice = GpNotice.objects.get(dossier=dossier)
    assert notice.outcome == NoticeOutcome.NOTIFIED
    gp = personas["gp"].professional
    [message] = gp_rows(dossier)
    assert (message.channel, message.state) == (Channel.MSS, OutboxState.PENDING)
    assert message.recipient_address == gp.mss_address
    assert message.professional == gp and message.patient == gp_patient
    body, subject = message.payload["body"], message.payload["subject"]
    starts = world["session"].starts_at.astimezone(PARIS)
    assert f"RCP du {starts:%d/%m/%Y}" in subject and gp_patient.display_name in subject
    assert "Tumeurs digestives" in body and "Chirurgie première ?" in body
    assert "https://visio.chu-test.test/rcp-digestif" in body
    assert f"/rcp/dossiers/{dossier.pk}/" in body
    # The notified GP is now part of the patient's care.
    assert can_view_patient(personas["gp"], gp_patient)
    # Idempotent: a second call neither writes another notice nor another message.
    assert services.gp_notice_for_dossier(dossier=dossier) == notice
    assert gp_rows(dossier).count() == 1


def test_the_notice_is_written_with_the_registration_or_not_at_all(personas, world, gp_patient):
    with pytest.raises(RuntimeError), transaction.atomic():
        register_dossier(world["session"], personas["doctor"], patient=gp_patient)
        raise RuntimeError("the registration's transaction fails")
    assert not GpNotice.objects.exists() and not OutboxMessage.objects.exists()


def test_no_mss_address_records_a_failed_row(personas, world, gp_patient):
    gp = personas["gp"].professional
    gp.mss_address = ""
    gp.save()
    dossier = register_dossier(world["session"], personas["doctor"], patient=gp_patient)
    assert GpNotice.objects.get(dossier=dossier).outcome == NoticeOutcome.NO_ADDRESS
    [message] = gp_rows(dossier)
    assert message.state == OutboxState.FAILED
    assert "Pas d'adresse MSSanté" in message.last_detail
    assert not can_view_patient(personas["gp"], gp_patient)  # not notified: no access


def test_a_session_too_close_is_only_recorded(personas, world, gp_patient):
    GpNoticeSettings.objects.create(delay_working_days=30)
    dossier = register_dossier(world["session"], personas["doctor"], patient=gp_patient)
    notice = GpNotice.objects.get(dossier=dossier)
    assert notice.outcome == NoticeOutcome.TOO_LATE and notice.delay_working_days == 30
    assert not gp_rows(dossier).exists()
    assert not can_view_patient(personas["gp"], gp_patient)


def test_no_gp_known(personas, world):
    dossier = register_dossier(world["session"], personas["doctor"], patient=PatientFactory())
    assert GpNotice.objects.get(dossier=dossier).outcome == NoticeOutcome.NO_GP
    assert not OutboxMessage.objects.exists()


def test_a_draft_notifies_only_when_submitted(personas, world, gp_patient):
    dossier = register_dossier(world["session"], personas["doctor"], patient=gp_patient, draft=True)
    assert not GpNotice.objects.filter(dossier=dossier).exists()
    dossier_submit(dossier=dossier, by=personas["doctor"])
    assert GpNotice.objects.get(dossier=dossier).outcome == NoticeOutcome.NOTIFIED
    assert gp_rows(dossier).count() == 1


def test_session_the_tuesday_after_easter_monday(personas, world, gp_patient):
    """Easter Monday 29/03/2027 is not a working day: registering on Friday 26 is too late, Thursday 25 is not."""
    session = SessionFactory(
        rcp=world["rcp"], starts_at=datetime.datetime(2027, 3, 30, 14, 0, tzinfo=PARIS),
        ends_at=datetime.datetime(2027, 3, 30, 16, 0, tzinfo=PARIS),
    )  # fmt: skip
    friday = DossierFactory(session=session, patient=gp_patient)
    late = services.gp_notice_for_dossier(dossier=friday, today=datetime.date(2027, 3, 26))
    assert late.outcome == NoticeOutcome.TOO_LATE and late.deadline == datetime.date(2027, 3, 25)
    thursday = DossierFactory(session=session, patient=gp_patient)
    on_time = services.gp_notice_for_dossier(dossier=thursday, today=datetime.date(2027, 3, 25))
    assert on_time.outcome == NoticeOutcome.NOTIFIED
    assert gp_rows(thursday).count() == 1 and not gp_rows(friday).exists()


def test_a_postponed_dossier_notifies_again_for_the_next_session(personas, world, gp_patient):
    SessionFactory(rcp=world["rcp"], starts_at=world["session"].starts_at + datetime.timedelta(days=14),
                   ends_at=world["session"].ends_at + datetime.timedelta(days=14))  # fmt: skip
    dossier = register_dossier(world["session"], personas["doctor"], patient=gp_patient)
    dossier_transition(dossier=dossier, to="reporte", by=personas["secretary_3c"])
    successor = dossier.next_dossier
    assert GpNotice.objects.get(dossier=successor).outcome == NoticeOutcome.NOTIFIED
    assert gp_rows(successor).count() == 1


def test_counts_for_the_dashboard(personas, world, gp_patient):
    notified = register_dossier(world["session"], personas["doctor"], patient=gp_patient)
    register_dossier(world["session"], personas["doctor"], patient=PatientFactory())
    services.gp_notice_record_consultation(dossier=notified, user=personas["gp"])
    services.gp_notice_record_consultation(dossier=notified, user=personas["gp"])
    assert not services.gp_notice_record_consultation(dossier=notified, user=personas["doctor"])
    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    counts = selectors.gp_notice_counts(start=today - day, end=today + day)
    assert counts.dossiers_registered == 2
    assert counts.dossiers_concerned == 1
    assert (counts.consultations, counts.dossiers_consulted, counts.gps_consulting, counts.gps_notified) == (2, 1, 1, 1)
    other = selectors.gp_notice_counts(start=today, end=today, three_c_ids={personas.other_three_c.pk})
    assert other.dossiers_registered == 0
