"""Writes of the PPS app: the PPS lifecycle (the EDP library is ``pps.edp_library``, the protocol CSV import
``pps.protocol_import``).

Every write on a PPS is traced (``trail_record``) in the same transaction. Bad input raises a
``ValidationError`` with French messages before anything is written.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dcc.accounts.enums import Profile
from dcc.accounts.selectors import author_context
from dcc.directory.models import Establishment, Professional
from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.services import care_relationship_add
from dcc.records.trail import trail_record
from identity.models import Patient
from interop.queueing import generation_queue, generation_relaunch
from pps.dates import RuleError, compute_schedule, validate_override, validate_start
from pps.edp_types import missing_fields
from pps.enums import PpsStatus, RuleKind, UpdateReason
from pps.models import (
    EdpGroup,
    Pps,
    PpsBlock,
    PpsContact,
    PpsElement,
    PpsTransition,
    Protocol,
    protocol_errors,
)
from pps.selectors import DOCUMENT_SOURCES, last_validated_fiche

NOT_DRAFT = "Ce PPS n'est plus un brouillon : créez une nouvelle version pour le modifier."


def _rule_messages(error: RuleError) -> list[str]:
    return [message for messages in error.errors.values() for message in messages]


# --- PPS ----------------------------------------------------------------------------------------


@transaction.atomic
def programme_document_relaunch(*, programme: Pps, by, request=None) -> bool:
    """Queue again the document of a validated PPS or PPAC that failed or stayed « En attente » (traced); False
    when there is nothing to relaunch (running, ready, or pending for less than ``DCC_GENERATION_REQUEUE_SECONDS``)."""
    if programme.validated_at is None:
        raise ValidationError("Ce programme n'est pas validé : aucun document à produire.")
    queued = generation_relaunch(
        source_type=DOCUMENT_SOURCES[programme.programme], source_id=programme.pk, patient=programme.patient, by=by
    )
    _trail(programme, by, request, TrailAction.UPDATE, "Relance de la production du document")
    return queued


def _trail(pps: Pps, by, request, action: str, detail: str) -> None:
    trail_record(user=by, action=action, patient=pps.patient_id, obj=pps, request=request, detail=detail)


def _log(pps: Pps, by, from_status: str, note: str = "") -> None:
    PpsTransition.objects.create(pps=pps, from_status=from_status, to_status=pps.status, by=by, note=note)


def _check_start(start_date: datetime.date) -> None:
    problem = validate_start(start_date)
    if problem:
        raise ValidationError({"start_date": problem})


def _require_draft(pps: Pps) -> None:
    """Lock the PPS row and check, against the database, that it is still a draft."""
    pps.status = Pps.objects.select_for_update().values_list("status", flat=True).get(pk=pps.pk)
    if pps.status != PpsStatus.DRAFT:
        raise ValidationError(NOT_DRAFT)


@transaction.atomic
def pps_create(*, patient: Patient, by, request=None) -> Pps:
    profile, establishment = author_context(by, preferred=Profile.ANNONCE_PPS)
    pps = Pps.objects.create(
        patient=patient,
        author=by,
        author_profile=profile,
        establishment=establishment,
        three_c=establishment.three_c if establishment else None,
        rcp_fiche=last_validated_fiche(patient),
    )
    _log(pps, by, "", "Création")
    care_relationship_add(patient=patient, kind=CareRelationshipKind.PPS_AUTHOR, user=by, source=f"pps:{pps.pk}")
    _trail(pps, by, request, TrailAction.CREATE, "Création du PPS")
    return pps


def _fiche_errors(pps: Pps, fiche) -> list[str]:
    """A PPS follows only a validated fiche RCP of its own patient."""
    if fiche is None:
        return []
    if fiche.dossier.patient_id != pps.patient_id:
        return ["Cette fiche RCP concerne un autre patient : elle ne peut pas être liée à ce PPS."]
    if not fiche.is_validated:
        return ["Cette fiche RCP n'est pas validée : seule la proposition d'une fiche validée peut être suivie."]
    return []


@transaction.atomic
def pps_link_fiche(*, pps: Pps, fiche, by, request=None) -> Pps:
    """Choose the validated fiche RCP whose proposition the PPS follows (``None``: no RCP proposition)."""
    _require_draft(pps)
    errors = _fiche_errors(pps, fiche)
    if errors:
        raise ValidationError({"rcp_fiche": errors})
    pps.rcp_fiche = fiche
    pps.save(update_fields=["rcp_fiche"])
    detail = f"Proposition de la fiche RCP du dossier {fiche.dossier_id}" if fiche else "Aucune proposition RCP liée"
    _trail(pps, by, request, TrailAction.UPDATE, detail)
    return pps


@transaction.atomic
def pps_update_details(*, pps: Pps, by, patient_comment: str, request=None) -> Pps:
    _require_draft(pps)
    pps.patient_comment = patient_comment
    pps.save(update_fields=["patient_comment"])
    _trail(pps, by, request, TrailAction.UPDATE, "Commentaire pour le patient")
    return pps


EDP_FIELDS = ("kind", "label", "establishment", "place", "referring_doctor", "protocol", "rhythm", "comment")


@transaction.atomic
def pps_element_add(
    *,
    pps: Pps,
    by,
    kind: str,
    planned_date: datetime.date | None,
    end_date: datetime.date | None = None,
    label: str = "",
    establishment: Establishment | None = None,
    place: str = "",
    referring_doctor: Professional | None = None,
    protocol: Protocol | None = None,
    rhythm: str = "",
    comment: str = "",
    request=None,
) -> PpsElement:
    """One standalone EDP, with every field its type requires."""
    _require_draft(pps)
    errors = missing_fields(
        kind,
        {
            "planned_date": planned_date,
            "end_date": end_date,
            "establishment": establishment,
            "place": place,
            "referring_doctor": referring_doctor,
            "protocol": protocol,
            "rhythm": rhythm,
        },
    )
    for field, day in (("planned_date", planned_date), ("end_date", end_date)):
        problem = validate_start(day) if day else None
        if problem and field not in errors:
            errors[field] = problem.replace("La date de début", "La date")
    if errors:
        raise ValidationError(errors)
    element = PpsElement.objects.create(
        pps=pps,
        kind=kind,
        planned_date=planned_date,
        end_date=end_date,
        label=label,
        establishment=establishment,
        place=place,
        referring_doctor=referring_doctor,
        protocol=protocol,
        rhythm=rhythm,
        comment=comment,
    )
    _trail(pps, by, request, TrailAction.UPDATE, f"Ajout de l'EDP {element.title}")
    return element


@transaction.atomic
def pps_element_update(*, element: PpsElement, by, request=None, **values) -> PpsElement:
    """Change an EDP's fields (not its date: see ``pps_element_override``)."""
    pps = element.pps
    _require_draft(pps)
    for key, value in values.items():
        if key not in EDP_FIELDS and key != "end_date":
            raise ValueError(key)
        setattr(element, key, "" if value is None and key in ("label", "place", "rhythm", "comment") else value)
    errors = element.missing()
    if errors:
        raise ValidationError(errors)
    element.save()
    _trail(pps, by, request, TrailAction.UPDATE, f"Modification de l'EDP {element.title}")
    return element


@transaction.atomic
def pps_element_remove(*, element: PpsElement, by, request=None) -> None:
    pps = element.pps
    _require_draft(pps)
    block = element.block
    element.delete()
    if block is not None:
        remaining = list(block.elements.order_by("position"))
        if not remaining:
            block.delete()
        else:
            for position, item in enumerate(remaining, start=1):
                item.position = position
                if position == 1:
                    item.rule_kind, item.delay = RuleKind.GROUP_START, 0
                item.save(update_fields=["position", "rule_kind", "delay"])
            _recompute(block)
    _trail(pps, by, request, TrailAction.UPDATE, f"Suppression de l'EDP {element.title}")


def _recompute(block: PpsBlock) -> list[PpsElement]:
    """Apply the block's rules from its start date; overridden dates are kept (and marked)."""
    elements = list(block.elements.order_by("position"))
    overrides = {index: item.planned_date for index, item in enumerate(elements) if item.is_overridden}
    try:
        schedule = compute_schedule(block.start_date, [item.rule for item in elements], overrides)
    except RuleError as error:
        raise ValidationError(_rule_messages(error)) from None
    for item, (computed, effective) in zip(elements, schedule, strict=True):
        item.computed_date = computed
        item.planned_date = effective
    PpsElement.objects.bulk_update(elements, ["computed_date", "planned_date"])
    return elements


def _instantiate(
    *, pps: Pps, name: str, start_date: datetime.date, comment: str, source, items: list[dict]
) -> PpsBlock:
    block = PpsBlock.objects.create(pps=pps, source=source, name=name, start_date=start_date, patient_comment=comment)
    PpsElement.objects.bulk_create(
        PpsElement(pps=pps, block=block, position=position, planned_date=start_date, **item)
        for position, item in enumerate(items, start=1)
    )
    _recompute(block)
    return block


@transaction.atomic
def pps_group_apply(*, pps: Pps, group: EdpGroup, start_date: datetime.date, by, request=None) -> PpsBlock:
    """Instantiate a groupement from ``start_date``; its elements take the PPS's establishment."""
    _require_draft(pps)
    _check_start(start_date)
    items = [
        {
            "kind": element.kind,
            "label": element.label,
            "rule_kind": element.rule_kind,
            "delay": element.delay,
            "establishment": pps.establishment,
            "place": element.place,
            "rhythm": element.rhythm,
            "comment": element.comment,
            "protocol": element.protocol,
        }
        for element in group.elements.select_related("protocol").order_by("position")
    ]
    if not items:
        raise ValidationError("Ce groupement ne contient aucun EDP.")
    block = _instantiate(
        pps=pps, name=group.name, start_date=start_date, comment=group.patient_comment, source=group, items=items
    )
    _trail(pps, by, request, TrailAction.UPDATE, f"Ajout du groupement {group.name} au {start_date:%d/%m/%Y}")
    return block


@transaction.atomic
def pps_protocol_apply(
    *,
    pps: Pps,
    protocol: Protocol,
    start_date: datetime.date,
    by,
    establishment: Establishment | None = None,
    request=None,
) -> PpsBlock:
    """One EDP per administration of the protocol (cycle, day), as a block that moves with its start date."""
    _require_draft(pps)
    _check_start(start_date)
    errors = protocol_errors(
        cycles=protocol.cycles,
        cycle_length_days=protocol.cycle_length_days,
        administration_days=protocol.administration_days,
    )
    if errors:
        raise ValidationError(list(errors.values()))
    items = []
    previous = start_date
    for cycle, day, date in protocol.administrations(start_date):
        items.append(
            {
                "kind": protocol.kind,
                "label": f"{protocol.name} — cycle {cycle}, J{day}",
                "rule_kind": RuleKind.CALENDAR_AFTER_PREVIOUS if items else RuleKind.GROUP_START,
                "delay": (date - previous).days,
                "establishment": establishment or pps.establishment,
                "protocol": protocol,
                "protocol_cycle": cycle,
                "protocol_day": day,
                "rhythm": f"Cycles de {protocol.cycle_length_days} jours",
            }
        )
        previous = date
    block = _instantiate(
        pps=pps, name=protocol.name, start_date=start_date, comment=protocol.comment, source=None, items=items
    )
    _trail(pps, by, request, TrailAction.UPDATE, f"Ajout du protocole {protocol.name} au {start_date:%d/%m/%Y}")
    return block


@transaction.atomic
def pps_block_reschedule(*, block: PpsBlock, start_date: datetime.date, by, request=None) -> list[PpsElement]:
    """Move a groupement to a new start date: every date is recomputed, overrides are kept."""
    pps = block.pps
    _require_draft(pps)
    _check_start(start_date)
    old = block.start_date
    block.start_date = start_date
    block.save(update_fields=["start_date"])
    elements = _recompute(block)
    _trail(
        pps,
        by,
        request,
        TrailAction.UPDATE,
        f"Début du groupement {block.name} : {old:%d/%m/%Y} → {start_date:%d/%m/%Y}",
    )
    return elements


@transaction.atomic
def pps_element_override(*, element: PpsElement, planned_date: datetime.date | None, by, request=None) -> PpsElement:
    """Set one element's date by hand (None gives it back to its rule)."""
    pps = element.pps
    _require_draft(pps)
    if element.block_id is None:
        if planned_date is None:
            raise ValidationError({"planned_date": "La date prévue est obligatoire."})
        if validate_start(planned_date):
            raise ValidationError({"planned_date": validate_start(planned_date).replace("La date de début", "La date")})
        element.planned_date = planned_date
        if element.end_date and element.end_date < planned_date:
            raise ValidationError({"planned_date": "La date prévue ne peut pas suivre la fin de la période."})
        element.save(update_fields=["planned_date"])
    else:
        if planned_date is not None:
            message = validate_override(element.block.start_date, planned_date)
            if message:
                raise ValidationError({"planned_date": message})
            element.planned_date = planned_date
        element.is_overridden = planned_date is not None
        element.save(update_fields=["planned_date", "is_overridden"])
        _recompute(element.block)
        element.refresh_from_db()
    detail = f"Date de l'EDP {element.title} : " + (
        f"{planned_date:%d/%m/%Y} (modifiée)" if planned_date else "rendue au calcul"
    )
    _trail(pps, by, request, TrailAction.UPDATE, detail)
    return element


@transaction.atomic
def pps_contact_add(
    *, pps: Pps, professional: Professional, role: str, by, establishment=None, phone: str = "", request=None
) -> PpsContact:
    _require_draft(pps)
    if not role.strip():
        raise ValidationError({"role": "Précisez le rôle du contact (par ex. « Infirmière de coordination »)."})
    contact, _ = PpsContact.objects.get_or_create(
        pps=pps,
        professional=professional,
        role=role.strip(),
        defaults={"establishment": establishment, "phone": phone},
    )
    _trail(pps, by, request, TrailAction.UPDATE, f"Contact utile : {professional}")
    return contact


@transaction.atomic
def pps_contact_remove(*, contact: PpsContact, by, request=None) -> None:
    pps = contact.pps
    _require_draft(pps)
    contact.delete()
    _trail(pps, by, request, TrailAction.UPDATE, f"Retrait du contact {contact.professional}")


def pps_validation_errors(pps: Pps, *, no_rcp_reason: str) -> list[str]:
    errors = []
    if pps.status != PpsStatus.DRAFT:
        errors.append("Seul un brouillon peut être validé.")
    elements = list(pps.elements.all())
    if not elements:
        errors.append("Ajoutez au moins un élément de parcours avant de valider.")
    for element in elements:
        for message in element.missing().values():
            errors.append(f"{element.title} ({element.planned_date:%d/%m/%Y}) : {message}")
        if element.precedes_block_start:
            errors.append(
                f"{element.title} ({element.planned_date:%d/%m/%Y}) : la date précède le début du groupement "
                f"« {element.block.name} » ; corrigez-la ou revenez à la date calculée."
            )
    if pps.rcp_fiche_id is None and not no_rcp_reason.strip():
        errors.append(
            "Aucune proposition de RCP n'est liée à ce PPS : indiquez la raison de la validation sans proposition."
        )
    errors.extend(_fiche_errors(pps, pps.rcp_fiche))
    return errors


@transaction.atomic
def pps_validate(*, pps: Pps, by, no_rcp_reason: str = "", request=None) -> Pps:
    pps = Pps.objects.select_for_update().get(pk=pps.pk)
    errors = pps_validation_errors(pps, no_rcp_reason=no_rcp_reason)
    if errors:
        raise ValidationError(errors)
    previous = pps.status
    pps.status = PpsStatus.VALIDATED
    pps.validated_at = timezone.now()
    pps.validated_by = by
    # A PPS that follows a fiche RCP needs no reason: any text typed is not kept.
    pps.no_rcp_reason = "" if pps.rcp_fiche_id else no_rcp_reason.strip()
    pps.save(update_fields=["status", "validated_at", "validated_by", "no_rcp_reason"])
    _log(pps, by, previous, f"Sans proposition RCP : {pps.no_rcp_reason}" if pps.no_rcp_reason else "")
    _trail(pps, by, request, TrailAction.UPDATE, "Validation du PPS")
    # The pending generation is recorded with the validation; its task is queued on commit (interop.queueing).
    generation_queue(source_type="pps.pps", source_id=pps.pk, patient=pps.patient, by=by)
    return pps


@transaction.atomic
def pps_deliver(*, pps: Pps, by, delivered_on: datetime.date, request=None) -> Pps:
    """Record that the PPS was handed to the patient (remis au patient) on ``delivered_on``."""
    pps = Pps.objects.select_for_update().get(pk=pps.pk)
    if pps.status != PpsStatus.VALIDATED:
        raise ValidationError("Seul un PPS validé peut être remis au patient.")
    if delivered_on is None:
        raise ValidationError({"delivered_on": "La date de remise est obligatoire."})
    if delivered_on < timezone.localtime(pps.validated_at).date():
        raise ValidationError({"delivered_on": "La remise ne peut pas précéder la validation du PPS."})
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": "La date de remise ne peut pas être dans le futur."})
    pps.status = PpsStatus.DELIVERED
    pps.delivered_on = delivered_on
    pps.save(update_fields=["status", "delivered_on"])
    _log(pps, by, PpsStatus.VALIDATED, f"Remis le {delivered_on:%d/%m/%Y}")
    _trail(pps, by, request, TrailAction.UPDATE, "Remise du PPS au patient")
    return pps


@transaction.atomic
def pps_new_version(*, pps: Pps, by, reason: str, detail: str = "", request=None) -> Pps:
    """A draft copy of a validated PPS, stating why it is updated (motif de mise à jour)."""
    pps = Pps.objects.select_for_update().get(pk=pps.pk)
    if pps.status == PpsStatus.DRAFT:
        raise ValidationError("Ce PPS est encore un brouillon : modifiez-le directement.")
    if Pps.objects.filter(previous=pps).exists():
        raise ValidationError("Une version plus récente de ce PPS existe déjà.")
    if reason not in UpdateReason.values:
        raise ValidationError({"reason": "Choisissez le motif de la mise à jour."})
    if reason == UpdateReason.AUTRE and not detail.strip():
        raise ValidationError({"detail": "Précisez le motif de la mise à jour."})
    profile, establishment = author_context(by, preferred=Profile.ANNONCE_PPS)
    new = Pps.objects.create(
        programme=pps.programme,
        patient=pps.patient,
        version=pps.version + 1,
        previous=pps,
        update_reason=reason,
        update_reason_detail=detail.strip(),
        rcp_fiche_id=pps.rcp_fiche_id,
        patient_comment=pps.patient_comment,
        author=by,
        author_profile=profile,
        establishment=establishment or pps.establishment,
        three_c=(establishment or pps.establishment).three_c if (establishment or pps.establishment) else None,
    )
    blocks = {}
    for block in pps.blocks.all():
        old_pk = block.pk
        block.pk = None
        block.pps = new
        block.save()
        blocks[old_pk] = block
    copies = []
    for element in pps.elements.all():
        element.pk = None
        element.pps = new
        element.block = blocks.get(element.block_id)
        copies.append(element)
    PpsElement.objects.bulk_create(copies)
    PpsContact.objects.bulk_create(
        PpsContact(
            pps=new, professional_id=c.professional_id, establishment_id=c.establishment_id, role=c.role, phone=c.phone
        )
        for c in pps.contacts.all()
    )
    _log(new, by, "", f"Version {new.version} : {UpdateReason(reason).label}")
    _trail(new, by, request, TrailAction.CREATE, f"Nouvelle version {new.version} ({UpdateReason(reason).label})")
    return new
