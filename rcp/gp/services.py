"""Writes of the GP loop: the notice at registration, the GP's consultations and contributions, the setting."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.services import care_relationship_add
from dcc.records.trail import trail_record
from rcp.gp.enums import NOTICE_KIND, NOTICE_SOURCE_TYPE, NoticeOutcome
from rcp.gp.models import GpContribution, GpNotice, GpNoticeSettings
from rcp.gp.rules import notice_deadline, notice_on_time


def gp_notice_decide(*, dossier, today: datetime.date | None = None) -> tuple[str, object, int, datetime.date]:
    """(outcome, GP, delay, deadline) for a dossier registered ``today`` (the rule alone, nothing written)."""
    delay = GpNoticeSettings.current().delay_working_days
    session_day = timezone.localtime(dossier.session.starts_at).date()
    deadline = notice_deadline(session_day=session_day, delay=delay)
    gp = dossier.patient.general_practitioner
    if gp is None:
        return NoticeOutcome.NO_GP, None, delay, deadline
    if not notice_on_time(registered_on=today or timezone.localdate(), session_day=session_day, delay=delay):
        return NoticeOutcome.TOO_LATE, gp, delay, deadline
    if not gp.mss_address:
        return NoticeOutcome.NO_ADDRESS, gp, delay, deadline
    return NoticeOutcome.NOTIFIED, gp, delay, deadline


@transaction.atomic
def gp_notice_for_dossier(*, dossier, by=None, today: datetime.date | None = None) -> GpNotice:
    """Tell the patient's GP that the dossier is registered, in the registration's transaction (idempotent).

    A GP with an MSSanté address and a session at least the region's delay ahead gets an outbox
    message (``gp_notice``) and a care relationship « médecin traitant prévenu » that opens the
    dossier to him; a GP without an address gets the outbox's FAILED row « pas d'adresse MSSanté »
    (a data-quality line); a session too close or no GP known are only recorded.
    """
    existing = GpNotice.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing
    outcome, gp, delay, deadline = gp_notice_decide(dossier=dossier, today=today)
    notice = GpNotice.objects.create(
        dossier=dossier,
        patient=dossier.patient,
        professional=gp,
        outcome=outcome,
        recipient_address=gp.mss_address if gp is not None else "",
        session_starts_at=dossier.session.starts_at,
        delay_working_days=delay,
        deadline=deadline,
    )
    if outcome in (NoticeOutcome.NOTIFIED, NoticeOutcome.NO_ADDRESS):
        _enqueue(notice, dossier, by=by)
    if outcome == NoticeOutcome.NOTIFIED:
        care_relationship_add(
            patient=dossier.patient,
            kind=CareRelationshipKind.GENERAL_PRACTITIONER,
            professional=gp,
            source=f"{NOTICE_SOURCE_TYPE}:{dossier.pk}",
        )
    return notice


def _enqueue(notice: GpNotice, dossier, *, by) -> None:
    """The MSSanté notice as an outbox row, committed with the registration."""
    from interop.outbox.enums import Channel
    from interop.outbox.services import outbox_enqueue
    from rcp.gp.messages import notice_payload

    gp = notice.professional
    outbox_enqueue(
        channel=Channel.MSS,
        kind=NOTICE_KIND,
        recipient_address=notice.recipient_address,
        recipient_label=gp.display_name,
        payload=notice_payload(dossier),
        patient=dossier.patient,
        professional=gp,
        source_type=NOTICE_SOURCE_TYPE,
        source_id=str(dossier.pk),
        dedupe_key=f"{NOTICE_KIND}:{dossier.pk}:{gp.pk}",
        by=by,
    )


def gp_notice_record_consultation(*, dossier, user) -> bool:
    """Count an opening of the dossier by its notified GP (for the dashboard); False for anyone else."""
    from rcp.gp.selectors import notice_of

    notice = notice_of(dossier)
    if not getattr(user, "professional_id", None) or notice is None or notice.professional_id != user.professional_id:
        return False
    now = timezone.now()
    updated = GpNotice.objects.filter(
        dossier_id=dossier.pk, professional_id=user.professional_id, outcome=NoticeOutcome.NOTIFIED
    ).update(consultations=F("consultations") + 1)
    if updated:
        GpNotice.objects.filter(dossier_id=dossier.pk, first_consulted_at__isnull=True).update(first_consulted_at=now)
    return bool(updated)


@transaction.atomic
def gp_notice_settings_update(*, delay_working_days: int, by) -> GpNoticeSettings:
    current = GpNoticeSettings.objects.select_for_update().order_by("pk").first() or GpNoticeSettings()
    current.delay_working_days = delay_working_days
    current.updated_by = by
    current.save()
    return current


@transaction.atomic
def gp_contribution_add(*, dossier, user, text: str, upload=None, request=None) -> GpContribution:
    """Store the GP's contribution to the RCP (text, optional checked file) with its trail line."""
    contribution = GpContribution(
        dossier=dossier,
        patient=dossier.patient,
        professional=user.professional,
        author=user,
        text=text.strip(),
    )
    if upload is not None:
        contribution.attachment_name = upload.name[:200]
        contribution.attachment_type = getattr(upload, "content_type", "")[:60]
        contribution.attachment_size = upload.size
        contribution.attachment.save(upload.name, upload, save=False)
    contribution.save()
    trail_record(
        user=user,
        action=TrailAction.CREATE,
        patient=dossier.patient,
        obj=contribution,
        request=request,
        detail="contribution du médecin traitant" + (f" ({contribution.attachment_name})" if upload else ""),
    )
    return contribution
