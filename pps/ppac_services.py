"""Writes of the PPAC (programme personnalisé de l'après-cancer).

A PPAC is a ``Pps`` with ``programme = ppac``; these services keep its PPAC-specific parts
(plan, follow-up lines and their occurrences, advice) consistent. Every write is traced in the
same transaction; bad input raises ``ValidationError`` with French messages before anything is
written.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dcc.accounts.enums import Profile
from dcc.accounts.selectors import author_context
from dcc.directory.models import Professional
from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.services import care_relationship_add
from dcc.records.trail import trail_record
from identity.models import Patient
from interop.queueing import generation_queue
from pps.dates import validate_start
from pps.edp_types import EDP_TYPES, TRAITEMENT, EdpKind
from pps.enums import PpsStatus, UpdateReason
from pps.models import (
    DEFAULT_ADVICE,
    AdviceSection,
    PpacAdvice,
    PpacFollowUp,
    PpacPlan,
    PpacTemplate,
    PpacTemplateLine,
    Pps,
    PpsContact,
    PpsElement,
    PpsTransition,
    Programme,
    Responsible,
)
from pps.ppac_schedule import Phase, ScheduleError, follow_up_dates, phases_to_json, schedule_errors

# EDP types that make sense in a follow-up plan.
FOLLOW_UP_KINDS = (
    EdpKind.CONSULTATION,
    EdpKind.EXAMEN,
    EdpKind.IMAGERIE,
    EdpKind.SURVEILLANCE,
    EdpKind.SOINS_SUPPORT,
    EdpKind.ACCOMPAGNEMENT_SOCIAL,
)
NOT_DRAFT = "Ce PPAC n'est plus un brouillon : créez une nouvelle version pour le modifier."


def _trail(ppac: Pps, by, request, action: str, detail: str) -> None:
    trail_record(user=by, action=action, patient=ppac.patient_id, obj=ppac, request=request, detail=detail)


def _log(ppac: Pps, by, from_status: str, note: str = "") -> None:
    PpsTransition.objects.create(pps=ppac, from_status=from_status, to_status=ppac.status, by=by, note=note)


def _require_draft(ppac: Pps) -> None:
    ppac.status = Pps.objects.select_for_update().values_list("status", flat=True).get(pk=ppac.pk)
    if ppac.status != PpsStatus.DRAFT:
        raise ValidationError(NOT_DRAFT)


def _check_start(follow_up_start: datetime.date | None) -> None:
    if follow_up_start is None:
        raise ValidationError({"follow_up_start": "Indiquez la date de début du suivi."})
    problem = validate_start(follow_up_start)
    if problem:
        raise ValidationError({"follow_up_start": problem.replace("La date de début", "La date de début du suivi")})


def _check_ppac(ppac: Pps) -> None:
    if ppac.programme != Programme.PPAC:
        raise ValueError("not a PPAC")


def last_pps(patient: Patient) -> Pps | None:
    """The patient's most recent PPS (care programme, not PPAC) that is still current, validated first."""
    current = Pps.objects.current().filter(patient=patient, programme=Programme.PPS)
    return (
        current.exclude(status=PpsStatus.DRAFT).order_by("-validated_at", "-id").first()
        or current.order_by("-created_at", "-id").first()
    )


def treatment_summary(pps: Pps, *, follow_up_start=None) -> str:
    """One line per treatment EDP of ``pps`` ("Chirurgie — 02/07/2024"), for the "traitements reçus" section.

    A treatment that starts on or after ``follow_up_start`` (a 5-year hormonotherapy) has not been *received*: it
    reads « en cours à partir du … (se poursuit pendant le suivi) »."""
    lines = []
    for element in pps.elements.order_by("planned_date", "id"):
        if EDP_TYPES[element.kind].category != TRAITEMENT:
            continue
        if follow_up_start and element.planned_date >= follow_up_start:
            detail = f" ({element.rhythm})" if element.rhythm else ""
            lines.append(
                f"{element.title} — en cours à partir du {element.planned_date:%d/%m/%Y}{detail}, "
                "se poursuit pendant le suivi"
            )
            continue
        when = f"{element.planned_date:%d/%m/%Y}"
        if element.end_date:
            when = f"du {when} au {element.end_date:%d/%m/%Y}"
        lines.append(f"{element.title} — {when}")
    return "\n".join(dict.fromkeys(lines))


def follow_up_errors(
    *,
    kind: str,
    label: str,
    phases: Sequence[Phase],
    first_offset_months: int | None,
    responsible: str,
    responsible_professional: Professional | None = None,
    responsible_name: str = "",
) -> dict[str, list[str]]:
    """French messages for a follow-up line that cannot be used, by field."""
    errors: dict[str, list[str]] = {}
    if kind not in FOLLOW_UP_KINDS:
        errors["kind"] = ["Choisissez un type d'EDP de suivi (consultation, examen, imagerie, surveillance…)."]
    if not label.strip():
        errors["label"] = ["Le libellé est obligatoire (par ex. « Mammographie bilatérale »)."]
    schedule = schedule_errors(phases, first_offset_months)
    if schedule:
        errors["phases"] = schedule
    if responsible not in Responsible.values:
        errors["responsible"] = ["Indiquez qui réalise ce suivi."]
    elif responsible == Responsible.OTHER and responsible_professional is None and not responsible_name.strip():
        errors["responsible_name"] = ["Nommez le professionnel qui réalise ce suivi."]
    return errors


def _generate(follow_up: PpacFollowUp, start: datetime.date) -> list[PpsElement]:
    """(Re)create the follow-up line's EDP occurrences from ``start``."""
    follow_up.occurrences.all().delete()
    try:
        dates = follow_up_dates(start, follow_up.phase_list, follow_up.first_offset_months)
    except ScheduleError as error:
        raise ValidationError({"follow_up_start": error.errors}) from None
    count = len(dates)
    elements = PpsElement.objects.bulk_create(
        PpsElement(
            pps_id=follow_up.pps_id,
            kind=follow_up.kind,
            label=follow_up.label,
            planned_date=day,
            rhythm=follow_up.rhythm_text,
            comment=f"{number}/{count} — {follow_up.responsible_text}"[:500],
        )
        for number, day in enumerate(dates, start=1)
    )
    follow_up.occurrences.add(*elements)
    return elements


def _add_follow_up(ppac: Pps, start: datetime.date, **values) -> PpacFollowUp:
    position = (ppac.follow_ups.aggregate(last=Max("position"))["last"] or 0) + 1
    follow_up = PpacFollowUp.objects.create(pps=ppac, position=position, **values)
    _generate(follow_up, start)
    return follow_up


def _line_values(line: PpacTemplateLine) -> dict:
    return {
        "kind": line.kind,
        "label": line.label,
        "phases": line.phases,
        "first_offset_months": line.first_offset_months,
        "responsible": line.responsible,
        "comment": line.comment,
    }


@transaction.atomic
def ppac_create(
    *,
    patient: Patient,
    by,
    follow_up_start: datetime.date,
    template: PpacTemplate | None = None,
    from_last_pps: bool = True,
    request=None,
) -> Pps:
    """A draft PPAC: from the patient's last PPS when there is one (its care team, its treatments) and
    from a follow-up template when one is chosen; the advice sections get their default text."""
    _check_start(follow_up_start)
    if template is not None and not template.is_active:
        raise ValidationError({"template": "Ce modèle de suivi n'est plus proposé."})
    source = last_pps(patient) if from_last_pps else None
    profile, establishment = author_context(by, preferred=Profile.ANNONCE_PPS)
    establishment = establishment or (source.establishment if source else None)
    ppac = Pps.objects.create(
        programme=Programme.PPAC,
        patient=patient,
        author=by,
        author_profile=profile,
        establishment=establishment,
        three_c=establishment.three_c if establishment else None,
        rcp_fiche_id=source.rcp_fiche_id if source else None,
    )
    PpacPlan.objects.create(
        pps=ppac,
        follow_up_start=follow_up_start,
        source_pps=source,
        template=template,
        treatment_summary=treatment_summary(source, follow_up_start=follow_up_start) if source else "",
    )
    if source is not None:
        PpsContact.objects.bulk_create(
            PpsContact(
                pps=ppac,
                professional_id=c.professional_id,
                establishment_id=c.establishment_id,
                role=c.role,
                phone=c.phone,
            )
            for c in source.contacts.all()
        )
    if (
        patient.general_practitioner_id
        and not ppac.contacts.filter(professional_id=patient.general_practitioner_id).exists()
    ):
        PpsContact.objects.create(pps=ppac, professional_id=patient.general_practitioner_id, role="Médecin traitant")
    if template is not None:
        for line in template.lines.all():
            _add_follow_up(ppac, follow_up_start, **_line_values(line))
    PpacAdvice.objects.bulk_create(
        PpacAdvice(pps=ppac, section=section, text=DEFAULT_ADVICE[section]) for section in AdviceSection
    )
    origin = [f"depuis le PPS v{source.version}" if source else "sans PPS", f"modèle « {template}»" if template else ""]
    _log(ppac, by, "", "Création " + ", ".join(part for part in origin if part))
    care_relationship_add(patient=patient, kind=CareRelationshipKind.PPS_AUTHOR, user=by, source=f"pps:{ppac.pk}")
    _trail(ppac, by, request, TrailAction.CREATE, "Création du PPAC")
    return ppac


@transaction.atomic
def ppac_plan_update(
    *, ppac: Pps, by, follow_up_start: datetime.date, treatment_summary: str, patient_comment: str, request=None
) -> Pps:
    """Change the plan; a new start of the follow-up recomputes every occurrence."""
    _check_ppac(ppac)
    _check_start(follow_up_start)
    _require_draft(ppac)
    plan = PpacPlan.objects.select_for_update().get(pps=ppac)
    moved = plan.follow_up_start != follow_up_start
    plan.follow_up_start = follow_up_start
    plan.treatment_summary = treatment_summary
    plan.save(update_fields=["follow_up_start", "treatment_summary"])
    ppac.patient_comment = patient_comment
    ppac.save(update_fields=["patient_comment"])
    if moved:
        for follow_up in ppac.follow_ups.all():
            _generate(follow_up, follow_up_start)
    _trail(ppac, by, request, TrailAction.UPDATE, "Début du suivi déplacé" if moved else "Plan du PPAC")
    return ppac


@transaction.atomic
def ppac_follow_up_add(
    *,
    ppac: Pps,
    by,
    kind: str,
    label: str,
    phases: Sequence[Phase],
    responsible: str,
    first_offset_months: int | None = None,
    responsible_professional: Professional | None = None,
    responsible_name: str = "",
    comment: str = "",
    request=None,
) -> PpacFollowUp:
    _check_ppac(ppac)
    errors = follow_up_errors(
        kind=kind,
        label=label,
        phases=phases,
        first_offset_months=first_offset_months,
        responsible=responsible,
        responsible_professional=responsible_professional,
        responsible_name=responsible_name,
    )
    if errors:
        raise ValidationError(errors)
    _require_draft(ppac)
    follow_up = _add_follow_up(
        ppac,
        ppac.ppac.follow_up_start,
        kind=kind,
        label=label.strip(),
        phases=phases_to_json(phases),
        first_offset_months=first_offset_months,
        responsible=responsible,
        responsible_professional=responsible_professional,
        responsible_name=responsible_name.strip(),
        comment=comment,
    )
    _trail(ppac, by, request, TrailAction.UPDATE, f"Ajout du suivi {follow_up.label}")
    return follow_up


@transaction.atomic
def ppac_follow_up_remove(*, follow_up: PpacFollowUp, by, request=None) -> None:
    ppac = follow_up.pps
    _require_draft(ppac)
    follow_up.occurrences.all().delete()
    follow_up.delete()
    _trail(ppac, by, request, TrailAction.UPDATE, f"Retrait du suivi {follow_up.label}")


@transaction.atomic
def ppac_advice_update(*, ppac: Pps, by, texts: dict[str, str], request=None) -> None:
    """Replace the advice sections' text (an empty section is left out of the documents)."""
    _check_ppac(ppac)
    unknown = set(texts) - set(AdviceSection.values)
    if unknown:
        raise ValidationError(f"Rubrique de conseils inconnue : {', '.join(sorted(unknown))}.")
    _require_draft(ppac)
    for section, text in texts.items():
        PpacAdvice.objects.update_or_create(pps=ppac, section=section, defaults={"text": text.strip()})
    _trail(ppac, by, request, TrailAction.UPDATE, "Conseils du PPAC")


def ppac_validation_errors(ppac: Pps) -> list[str]:
    errors = []
    if ppac.status != PpsStatus.DRAFT:
        errors.append("Seul un brouillon peut être validé.")
    follow_ups = list(ppac.follow_ups.all())
    if not follow_ups:
        errors.append("Ajoutez au moins un élément de suivi avant de valider le PPAC.")
    if not any(advice.text.strip() for advice in ppac.advice.all()):
        errors.append("Renseignez au moins une rubrique de conseils.")
    return errors


@transaction.atomic
def ppac_validate(*, ppac: Pps, by, request=None) -> Pps:
    ppac = Pps.objects.select_for_update().get(pk=ppac.pk)
    _check_ppac(ppac)
    errors = ppac_validation_errors(ppac)
    if errors:
        raise ValidationError(errors)
    ppac.status = PpsStatus.VALIDATED
    ppac.validated_at = timezone.now()
    ppac.validated_by = by
    ppac.save(update_fields=["status", "validated_at", "validated_by"])
    _log(ppac, by, PpsStatus.DRAFT)
    _trail(ppac, by, request, TrailAction.UPDATE, "Validation du PPAC")
    generation_queue(source_type="pps.ppac", source_id=ppac.pk, patient=ppac.patient, by=by)
    return ppac


@transaction.atomic
def ppac_deliver(*, ppac: Pps, by, delivered_on: datetime.date | None, request=None) -> Pps:
    ppac = Pps.objects.select_for_update().get(pk=ppac.pk)
    _check_ppac(ppac)
    if ppac.status != PpsStatus.VALIDATED:
        raise ValidationError("Seul un PPAC validé peut être remis au patient.")
    if delivered_on is None:
        raise ValidationError({"delivered_on": "La date de remise est obligatoire."})
    if delivered_on < timezone.localtime(ppac.validated_at).date():
        raise ValidationError({"delivered_on": "La remise ne peut pas précéder la validation du PPAC."})
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": "La date de remise ne peut pas être dans le futur."})
    ppac.status = PpsStatus.DELIVERED
    ppac.delivered_on = delivered_on
    ppac.save(update_fields=["status", "delivered_on"])
    _log(ppac, by, PpsStatus.VALIDATED, f"Remis le {delivered_on:%d/%m/%Y}")
    _trail(ppac, by, request, TrailAction.UPDATE, "Remise du PPAC au patient")
    return ppac


@transaction.atomic
def ppac_new_version(*, ppac: Pps, by, reason: str, detail: str = "", request=None) -> Pps:
    """A draft copy of a validated PPAC stating why (motif): plan, follow-up lines (occurrences
    regenerated), advice and contacts."""
    ppac = Pps.objects.select_for_update().get(pk=ppac.pk)
    _check_ppac(ppac)
    if ppac.status == PpsStatus.DRAFT:
        raise ValidationError("Ce PPAC est encore un brouillon : modifiez-le directement.")
    if Pps.objects.filter(previous=ppac).exists():
        raise ValidationError("Une version plus récente de ce PPAC existe déjà.")
    if reason not in UpdateReason.values:
        raise ValidationError({"reason": "Choisissez le motif de la mise à jour."})
    if reason == UpdateReason.AUTRE and not detail.strip():
        raise ValidationError({"detail": "Précisez le motif de la mise à jour."})
    profile, establishment = author_context(by, preferred=Profile.ANNONCE_PPS)
    establishment = establishment or ppac.establishment
    new = Pps.objects.create(
        programme=Programme.PPAC,
        patient=ppac.patient,
        version=ppac.version + 1,
        previous=ppac,
        update_reason=reason,
        update_reason_detail=detail.strip(),
        rcp_fiche_id=ppac.rcp_fiche_id,
        patient_comment=ppac.patient_comment,
        author=by,
        author_profile=profile,
        establishment=establishment,
        three_c=establishment.three_c if establishment else None,
    )
    plan = ppac.ppac
    PpacPlan.objects.create(
        pps=new,
        follow_up_start=plan.follow_up_start,
        treatment_summary=plan.treatment_summary,
        source_pps_id=plan.source_pps_id,
        template_id=plan.template_id,
    )
    for follow_up in ppac.follow_ups.all():
        copy = PpacFollowUp.objects.create(
            pps=new,
            position=follow_up.position,
            kind=follow_up.kind,
            label=follow_up.label,
            phases=follow_up.phases,
            first_offset_months=follow_up.first_offset_months,
            responsible=follow_up.responsible,
            responsible_professional_id=follow_up.responsible_professional_id,
            responsible_name=follow_up.responsible_name,
            comment=follow_up.comment,
        )
        _generate(copy, plan.follow_up_start)
    PpacAdvice.objects.bulk_create(
        PpacAdvice(pps=new, section=advice.section, text=advice.text) for advice in ppac.advice.all()
    )
    PpsContact.objects.bulk_create(
        PpsContact(
            pps=new, professional_id=c.professional_id, establishment_id=c.establishment_id, role=c.role, phone=c.phone
        )
        for c in ppac.contacts.all()
    )
    label = UpdateReason(reason).label
    _log(new, by, "", f"Version {new.version} : {label}")
    _trail(new, by, request, TrailAction.CREATE, f"Nouvelle version {new.version} du PPAC ({label})")
    return new


# --- Template library (the administrator's) -----------------------------------------------------


@transaction.atomic
def ppac_template_line_add(
    *,
    template: PpacTemplate,
    kind: str,
    label: str,
    phases: Sequence[Phase],
    responsible: str,
    first_offset_months: int | None = None,
    comment: str = "",
) -> PpacTemplateLine:
    errors = follow_up_errors(
        kind=kind,
        label=label,
        phases=phases,
        first_offset_months=first_offset_months,
        responsible=responsible,
        responsible_name="-",
    )
    if errors:
        raise ValidationError(errors)
    position = (template.lines.aggregate(last=Max("position"))["last"] or 0) + 1
    return PpacTemplateLine.objects.create(
        template=template,
        position=position,
        kind=kind,
        label=label.strip(),
        phases=phases_to_json(phases),
        first_offset_months=first_offset_months,
        responsible=responsible,
        comment=comment,
    )
