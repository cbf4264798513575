"""Writes of the dossiers (demandes d'avis): registration, attachments, status changes, order, live session."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dcc.directory.models import Professional
from dcc.records.enums import CareRelationshipKind, DocumentStatus, TrailAction
from dcc.records.services import care_relationship_add
from rcp import perms
from rcp.enums import DOSSIER_ACTIVE, DOSSIER_ATTACHMENTS_EDITABLE, DossierMotive, DossierStatus, SessionStatus
from rcp.gp.services import gp_notice_for_dossier
from rcp.models import (
    FICHE_CONTENT_FIELDS,
    FICHE_COPY_FORWARD_FIELDS,
    Dossier,
    DossierAttachment,
    Fiche,
    Session,
    SessionTransition,
)
from rcp.selectors import next_session_for
from rcp.services.base import TransitionError, dossier_check_transition, dossier_log, dossier_set_status, trail


def _check_session_open_for_registration(session: Session, *, by, check_deadline: bool = True) -> bool:
    """Refuse a cancelled, closed, past or full session; returns whether the registration is late."""
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("Cette séance est annulée : aucun dossier ne peut y être inscrit.")
    if session.status == SessionStatus.CLOSED:
        raise ValidationError("Cette séance est clôturée : aucun dossier ne peut y être inscrit.")
    if session.ends_at < timezone.now():
        raise ValidationError("Cette séance a déjà eu lieu : inscrivez le dossier à une séance à venir.")
    active = session.dossiers.filter(status__in=DOSSIER_ACTIVE).count()
    if active >= session.rcp.max_dossiers:
        raise ValidationError(
            f"La séance est complète ({session.rcp.max_dossiers} dossiers) : choisissez une autre séance."
        )
    late = session.is_past_registration_deadline
    if check_deadline and late and not perms.is_three_c_secretary_of(by, session.rcp):
        raise ValidationError(
            f"La date limite d'inscription à cette séance ({session.registration_deadline:%d/%m/%Y}) est dépassée : "
            "seul le secrétariat du 3C peut encore inscrire un dossier."
        )
    return late


def care_attach(dossier: Dossier) -> None:
    """The people and structures of the RCP become part of the patient's care (dcc.records)."""

    rcp = dossier.session.rcp
    source = f"rcp.dossier:{dossier.pk}"
    patient = dossier.patient
    care_relationship_add(
        patient=patient,
        kind=CareRelationshipKind.REQUESTING_DOCTOR,
        professional=dossier.requesting_doctor,
        source=source,
    )
    care_relationship_add(patient=patient, kind=CareRelationshipKind.THREE_C, three_c=rcp.three_c, source=source)
    care_relationship_add(
        patient=patient,
        kind=CareRelationshipKind.TREATING_ESTABLISHMENT,
        establishment=rcp.establishment,
        source=source,
    )
    for member in rcp.members.select_related("professional"):
        care_relationship_add(
            patient=patient, kind=CareRelationshipKind.RCP_MEMBER, professional=member.professional, source=source
        )


@transaction.atomic
def dossier_register(
    *,
    session: Session,
    patient,
    requesting_doctor: Professional,
    motive: str,
    question: str,
    by,
    draft: bool = False,
    attachments: Iterable = (),
    request=None,
) -> Dossier:
    """Register a patient's case to a session (or keep it as a draft), with its empty fiche.

    Refused for a cancelled, closed, past or full session, and after the deadline unless ``by`` is
    the 3C secretary of the RCP's 3C (the dossier is then marked late). ``attachments`` are documents
    of the patient's record joined to the demande d'avis.
    """

    session = (
        Session.objects.select_for_update().select_related("rcp__three_c", "rcp__establishment").get(pk=session.pk)
    )
    question = (question or "").strip()
    errors = {}
    if motive not in DossierMotive.values:
        errors["motive"] = "Choisissez le motif de la demande."
    if not question:
        errors["question"] = "La question posée à la RCP est obligatoire."
    if not requesting_doctor.is_active:
        errors["requesting_doctor"] = f"{requesting_doctor.display_name} n'est plus en activité."
    attachments = list(attachments)
    if refused := _attachment_error(patient, attachments):
        errors["attachments"] = refused
    if errors:
        raise ValidationError(errors)
    if session.dossiers.filter(patient=patient, status__in=DOSSIER_ACTIVE).exists():
        raise ValidationError("Ce patient est déjà inscrit à cette séance.")
    late = _check_session_open_for_registration(session, by=by, check_deadline=not draft)
    last = session.dossiers.order_by("-position").values_list("position", flat=True).first() or 0
    dossier = Dossier.objects.create(
        session=session,
        patient=patient,
        requesting_doctor=requesting_doctor,
        motive=motive,
        question=question,
        position=last + 1,
        is_late=late and not draft,
        created_by=by,
    )
    dossier_log(dossier, "", DossierStatus.DRAFT, by=by, note="Demande d'avis créée.")
    Fiche.objects.create(dossier=dossier, nature=session.rcp.nature, question=question, updated_by=by)
    care_attach(dossier)
    trail(by=by, action=TrailAction.CREATE, patient=patient, obj=dossier, request=request)
    DossierAttachment.objects.bulk_create(
        DossierAttachment(dossier=dossier, document=document, added_by=by) for document in attachments
    )
    if not draft:
        dossier.status = DossierStatus.REGISTERED
        dossier.save(update_fields=["status"])
        dossier_log(
            dossier,
            DossierStatus.DRAFT,
            DossierStatus.REGISTERED,
            by=by,
            note="Inscription hors délai par le secrétariat du 3C." if dossier.is_late else "Inscription.",
        )
        _notify_gp(dossier, by=by)
    return dossier


def _notify_gp(dossier: Dossier, *, by) -> None:
    """The patient's GP is told of the registration (rcp.gp), in the registration's transaction."""

    gp_notice_for_dossier(dossier=dossier, by=by)


def _attachment_error(patient, documents: list) -> str:
    """Only documents of this patient's record, still current, may be attached: the French refusal, or ''."""

    for document in documents:
        if document.patient_id != patient.pk:
            return f"Le document « {document.title} » n'appartient pas au dossier de ce patient."
        if document.status != DocumentStatus.CURRENT:
            return f"Le document « {document.title} » a été remplacé : joignez sa version en vigueur."
    return ""


@transaction.atomic
def dossier_attachments_set(*, dossier: Dossier, documents: Iterable, by, request=None) -> Dossier:
    """Replace the documents of the record attached to a dossier (while it is a draft or registered)."""

    dossier = Dossier.objects.select_for_update().select_related("patient").get(pk=dossier.pk)
    if dossier.status not in DOSSIER_ATTACHMENTS_EDITABLE:
        raise ValidationError(
            f"Les pièces jointes d'un dossier « {dossier.get_status_display().lower()} » ne sont plus modifiables."
        )
    documents = list(documents)
    current = {attachment.document_id: attachment for attachment in dossier.attached_documents.all()}
    wanted = {document.pk: document for document in documents}
    removed = [pk for pk in current if pk not in wanted]
    added = [document for pk, document in wanted.items() if pk not in current]
    if refused := _attachment_error(dossier.patient, added):
        raise ValidationError({"attachments": refused})
    if not removed and not added:
        return dossier
    dossier.attached_documents.filter(document_id__in=removed).delete()
    DossierAttachment.objects.bulk_create(
        DossierAttachment(dossier=dossier, document=document, added_by=by) for document in added
    )
    trail(
        by=by,
        action=TrailAction.UPDATE,
        patient=dossier.patient,
        obj=dossier,
        request=request,
        detail=f"pièces jointes : {len(added)} ajoutée(s), {len(removed)} retirée(s)",
    )
    return dossier


@transaction.atomic
def dossier_submit(*, dossier: Dossier, by, request=None) -> Dossier:
    """A draft becomes registered: the session's deadline and capacity are checked now."""
    session = Session.objects.select_for_update().select_related("rcp").get(pk=dossier.session_id)
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    dossier_check_transition(dossier, DossierStatus.REGISTERED)
    late = _check_session_open_for_registration(session, by=by)
    dossier.is_late = late
    dossier_set_status(
        dossier, DossierStatus.REGISTERED, by=by, note="Inscription hors délai." if late else "Inscription."
    )
    _notify_gp(dossier, by=by)
    return dossier


def dossier_status_set(*, dossier: Dossier, to: str, by, note: str = "", request=None) -> Dossier:
    """The status change asked from the dossier page: registering a draft is its submission (deadline and capacity
    checked then), any other status goes along the state machine."""
    if to == DossierStatus.REGISTERED:
        return dossier_submit(dossier=dossier, by=by, request=request)
    return dossier_transition(dossier=dossier, to=to, by=by, note=note, request=request)


@transaction.atomic
def dossier_transition(*, dossier: Dossier, to: str, by, note: str = "", request=None) -> Dossier:
    """Change a dossier's status along the state machine; a postponed dossier or one to present
    again is re-registered to the next session of the same RCP (a new dossier linked to this one)."""

    dossier = Dossier.objects.select_for_update().select_related("session__rcp", "patient").get(pk=dossier.pk)
    dossier_check_transition(dossier, to)
    if to == DossierStatus.VALIDATED:
        raise TransitionError("Un dossier est validé par la signature de sa fiche RCP.")
    if to == DossierStatus.CANCELLED and not (note or "").strip():
        raise ValidationError({"note": "Indiquez le motif d'annulation du dossier."})
    successor = None
    if to in (DossierStatus.POSTPONED, DossierStatus.TO_REPRESENT):
        target = next_session_for(dossier.session)
        if target is None:
            raise ValidationError(
                "Aucune séance à venir de cette RCP n'a de place : ajoutez une séance avant de reporter le dossier."
            )
        successor = _re_register(dossier, target, to=to, by=by)
        note = (
            note + " " if note else ""
        ) + f"Réinscrit à la séance du {timezone.localtime(target.starts_at):%d/%m/%Y}."
    dossier_set_status(dossier, to, by=by, note=note.strip())
    trail(by=by, action=TrailAction.UPDATE, patient=dossier.patient, obj=dossier, request=request, detail=to)
    if successor is not None:
        trail(by=by, action=TrailAction.CREATE, patient=dossier.patient, obj=successor, request=request)
    return dossier


@transaction.atomic
def dossier_postpone_undo(*, dossier: Dossier, by, request=None) -> Dossier:
    """Undo a postponement (or « à représenter ») made by mistake: the dossier goes back to its status in this
    session and the dossier it re-registered at the next session is cancelled, while nothing was done with it."""

    dossier = Dossier.objects.select_for_update().select_related("session", "patient").get(pk=dossier.pk)
    if dossier.status not in (DossierStatus.POSTPONED, DossierStatus.TO_REPRESENT):
        raise ValidationError("Ce dossier n'est pas reporté : rien à annuler.")
    if dossier.session.status not in (SessionStatus.PLANNED, SessionStatus.OPEN):
        raise ValidationError("La séance est close : le report ne peut plus être annulé.")
    successor = Dossier.objects.select_for_update(of=("self",)).select_related("fiche").filter(previous=dossier).first()
    if successor is not None and (successor.status != DossierStatus.REGISTERED or successor.fiche.revision > 1):
        raise ValidationError(
            "Le dossier réinscrit à la séance suivante a déjà été modifié : annulez-le depuis cette séance."
        )
    last = dossier.transitions.filter(to_status=dossier.status).order_by("-at", "-pk").first()
    back_to = last.from_status if last and last.from_status else DossierStatus.REGISTERED
    if successor is not None:
        successor.previous = None
        successor.save(update_fields=["previous"])
        dossier_set_status(successor, DossierStatus.CANCELLED, by=by, note=f"Report du dossier {dossier.pk} annulé.")
    dossier_set_status(dossier, back_to, by=by, note="Report annulé : le dossier reste à cette séance.")
    trail(
        by=by, action=TrailAction.UPDATE, patient=dossier.patient, obj=dossier, request=request, detail="report annulé"
    )
    return dossier


def _re_register(dossier: Dossier, target: Session, *, to: str, by) -> Dossier:
    last = target.dossiers.order_by("-position").values_list("position", flat=True).first() or 0
    successor = Dossier.objects.create(
        session=target,
        patient=dossier.patient,
        requesting_doctor=dossier.requesting_doctor,
        motive=DossierMotive.REPRESENTATION if to == DossierStatus.TO_REPRESENT else dossier.motive,
        question=dossier.question,
        status=DossierStatus.REGISTERED,
        position=last + 1,
        previous=dossier,
        created_by=by,
    )
    dossier_log(
        successor,
        "",
        DossierStatus.REGISTERED,
        by=by,
        note=f"Réinscription automatique ({DossierStatus(to).label.lower()}) du dossier {dossier.pk}.",
    )
    old = getattr(dossier, "fiche", None)
    fiche = Fiche(dossier=successor, nature=target.rcp.nature, question=dossier.question, updated_by=by)
    if old is not None:
        # Postponed: nothing was discussed, the whole draft follows; to present again: the disease.
        fields = FICHE_CONTENT_FIELDS if to == DossierStatus.POSTPONED else FICHE_COPY_FORWARD_FIELDS
        for name in fields:
            setattr(fiche, name, getattr(old, name))
        fiche.copied_from = old
        if to == DossierStatus.POSTPONED:
            fiche.guideline_conform = None
            fiche.guideline_justification = old.guideline_justification
    fiche.save()
    # The documents the request relied on follow it to the next session (still editable there).
    DossierAttachment.objects.bulk_create(
        DossierAttachment(dossier=successor, document_id=attachment.document_id, added_by_id=attachment.added_by_id)
        for attachment in dossier.attached_documents.all()
    )
    care_attach(successor)
    _notify_gp(successor, by=by)
    return successor


@transaction.atomic
def dossiers_reorder(*, session: Session, ordered_ids: list[int], by) -> None:
    """The 3C secretary sets the order of presentation; every dossier of the session, once each."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    current = set(session.dossiers.values_list("pk", flat=True))
    if len(ordered_ids) != len(set(ordered_ids)) or set(ordered_ids) != current:
        raise ValidationError("L'ordre proposé ne correspond pas aux dossiers de la séance : rechargez la page.")
    for position, pk in enumerate(ordered_ids, start=1):
        Dossier.objects.filter(pk=pk).update(position=position)
    SessionTransition.objects.create(
        session=session, from_status=session.status, to_status=session.status, note="Ordre de passage modifié.", by=by
    )


@transaction.atomic
def dossier_move(*, session: Session, dossier_id: int | None, up: bool, by) -> bool:
    """Move one dossier a place up or down in the order of presentation (the 3C secretary's arrows); nothing
    happens at either end. Returns whether the order changed."""
    ids = list(session.dossiers.order_by("position", "pk").values_list("pk", flat=True))
    if dossier_id not in ids:
        raise ValidationError("Dossier inconnu dans cette séance.")
    index = ids.index(dossier_id)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ids):
        return False
    ids[index], ids[other] = ids[other], ids[index]
    dossiers_reorder(session=session, ordered_ids=ids, by=by)
    return True


@transaction.atomic
def session_set_current(*, session: Session, dossier: Dossier, by, request=None) -> Session:
    """Show a dossier to everyone following the live session. Reaching it does not mark it presented (the team may
    only skip it): saving its proposition or signing its fiche does."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.OPEN:
        raise ValidationError("Ouvrez la séance avant de présenter les dossiers.")
    if dossier.session_id != session.pk:
        raise ValidationError("Ce dossier n'est pas inscrit à cette séance.")
    session.current_dossier = dossier
    session.save(update_fields=["current_dossier"])
    return session


@transaction.atomic
def dossier_mark_presented(*, dossier: Dossier, by) -> Dossier:
    """The team discussed a registered dossier (its proposition was entered): it is presented."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.status == DossierStatus.REGISTERED:
        dossier_set_status(dossier, DossierStatus.PRESENTED, by=by, note="Présenté en séance.")
    return dossier
