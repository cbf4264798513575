"""Writes of the fiche RCP: checked partial saves, validation and signature, amendments, documents, copy forward."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dcc.records.documents_services import generation_request
from dcc.records.enums import TrailAction
from interop.queueing import queue_on_commit
from rcp import perms
from rcp.documents import signing_problems
from rcp.enums import FICHE_DOCUMENT_SOURCE, QUICK_PROPOSITION_RANKS, AttendanceMode, DossierStatus, Nature
from rcp.models import (
    FICHE_CODED_FIELDS,
    FICHE_CONTENT_FIELDS,
    FICHE_COPY_FORWARD_FIELDS,
    CodeListEntry,
    Dossier,
    Fiche,
    FicheVersion,
    Session,
)
from rcp.selectors import fiche_quorum, is_present, previous_fiche
from rcp.services.base import FicheConflict, RoleRefused, TransitionError, dossier_set_status, trail
from rcp.services.dossiers import dossier_mark_presented
from rcp.value_sets import FICHE_VALUE_SETS

# --- Fiche RCP ------------------------------------------------------------------------------

FICHE_DATE_FIELDS = frozenset({"discovery_date", "diagnosis_date"})


def _value_set_codes(key: str, codes: Iterable[str]) -> set[str]:
    name = FICHE_VALUE_SETS[key].filename.removesuffix(".xml")
    return set(CodeListEntry.objects.filter(value_set_name=name, code__in=list(codes)).values_list("code", flat=True))


def clean_fiche_data(data: dict) -> dict:
    """Check a (partial) fiche content: codes in their value sets, ranked treatments, conformity.

    Returns the cleaned values; raises a ValidationError with one French message per field.
    """
    unknown = set(data) - set(FICHE_CONTENT_FIELDS)
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    cleaned = dict(data)
    errors: dict[str, list[str]] = {}
    for name, key in FICHE_CODED_FIELDS.items():
        code = (cleaned.get(name) or "").strip() if name in cleaned else None
        if code is None:
            continue
        cleaned[name] = code
        if code and not _value_set_codes(key, [code]):
            errors.setdefault(name, []).append(
                f"Le code « {code} » n'appartient pas au jeu de valeurs « {FICHE_VALUE_SETS[key].purpose} »."
            )
    if "treatments" in cleaned:
        treatments = []
        for item in cleaned["treatments"] or []:
            code = (item.get("code") or "").strip()
            if not code:
                continue
            treatments.append({"rank": int(item.get("rank") or 0), "code": code, "detail": (item.get("detail") or "")})
        valid = _value_set_codes("type_traitement", [t["code"] for t in treatments])
        for t in treatments:
            if t["code"] not in valid:
                errors.setdefault("treatments", []).append(
                    f"Le code « {t['code']} » n'est pas un type de traitement du jeu de valeurs FRCP."
                )
        ranks = [t["rank"] for t in treatments]
        if any(rank < 1 for rank in ranks) or len(ranks) != len(set(ranks)):
            errors.setdefault("treatments", []).append("Chaque option proposée doit avoir un rang distinct (1, 2, 3…).")
        cleaned["treatments"] = sorted(treatments, key=lambda t: t["rank"])
    if "nature" in cleaned and cleaned["nature"] not in Nature.values:
        errors.setdefault("nature", []).append("Nature de discussion inconnue.")
    if cleaned.get("guideline_conform") is False and not (cleaned.get("guideline_justification") or "").strip():
        errors.setdefault("guideline_justification", []).append("Justifiez la proposition non conforme au référentiel.")
    if cleaned.get("clinical_trial_proposed") and not (cleaned.get("clinical_trial") or "").strip():
        errors.setdefault("clinical_trial", []).append("Précisez l'essai clinique proposé.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lock_fiche(fiche: Fiche, expected_revision: int | None, submitted: dict) -> Fiche:
    current = Fiche.objects.select_for_update().select_related("dossier__patient").get(pk=fiche.pk)
    if expected_revision is not None and current.revision != expected_revision:
        raise FicheConflict(current, submitted)
    return current


def _apply(fiche: Fiche, cleaned: dict, *, by) -> None:
    for name, value in cleaned.items():
        setattr(fiche, name, value)
    fiche.revision += 1
    fiche.updated_by = by
    fiche.save()


@transaction.atomic
def fiche_save(*, fiche: Fiche, data: dict, expected_revision: int | None, by, request=None) -> Fiche:
    """Save a (partial) fiche before validation. ``expected_revision`` is the revision the form was
    opened on: a different current revision means someone saved meanwhile → FicheConflict."""

    cleaned = clean_fiche_data(data)
    current = _lock_fiche(fiche, expected_revision, data)
    if current.is_validated:
        raise ValidationError("Cette fiche est validée : modifiez-la par un amendement motivé.")
    if current.dossier.status in (DossierStatus.CANCELLED, DossierStatus.POSTPONED, DossierStatus.TO_REPRESENT):
        raise ValidationError("Ce dossier n'est plus discuté dans cette séance : sa fiche ne peut plus changer.")
    _apply(current, cleaned, by=by)
    trail(by=by, action=TrailAction.UPDATE, patient=current.dossier.patient, obj=current, request=request)
    return current


REQUIRED_FOR_VALIDATION = {
    "diagnosis_date": "la date du diagnostic",
    "topography_code": "la topographie (CIM-10)",
    "morphology_code": "la morphologie (CIM-O-3)",
    "case_summary": "le résumé du cas",
    "question": "la question posée",
}


@transaction.atomic
def fiche_quick_proposition_save(*, fiche: Fiche, data: dict, expected_revision: int | None, by, request=None) -> Fiche:
    """The live session's quick proposition: options ranked 1 to ``QUICK_PROPOSITION_RANKS``, surveillance,
    re-presentation, free text. The options ranked after them (entered on the full fiche) are kept, and the dossier,
    discussed, becomes presented."""
    kept = [item for item in fiche.treatments if item["rank"] > QUICK_PROPOSITION_RANKS]
    quick = [item for item in data.get("treatments", []) if item["rank"] <= QUICK_PROPOSITION_RANKS]
    data = {**data, "treatments": quick + kept}
    saved = fiche_save(fiche=fiche, data=data, expected_revision=expected_revision, by=by, request=request)
    dossier_mark_presented(dossier=saved.dossier, by=by)
    return saved


def _participants(session: Session) -> list[dict]:
    return [
        {
            "professional_id": a.professional_id,
            "name": a.professional.display_name,
            "specialty": a.specialty.short_label if a.specialty else "",
            "mode": a.mode,
        }
        for a in session.attendances.select_related("professional", "specialty").filter(
            mode__in=[AttendanceMode.ROOM, AttendanceMode.VIDEO]
        )
    ]


@transaction.atomic
def fiche_validate(
    *, fiche: Fiche, by, off_quorum_reason: str = "", expected_revision: int | None = None, request=None
) -> Fiche:
    """Sign the fiche: by a doctor present at the session; without quorum only with a reason."""

    current = _lock_fiche(fiche, expected_revision, {})
    dossier = (
        Dossier.objects.select_for_update()
        .select_related("session__rcp", "requesting_doctor")
        .get(pk=current.dossier_id)
    )
    if current.is_validated:
        raise ValidationError("Cette fiche est déjà validée.")
    if dossier.status not in (DossierStatus.REGISTERED, DossierStatus.PRESENTED):
        raise TransitionError(f"Un dossier « {DossierStatus(dossier.status).label.lower()} » ne peut pas être validé.")
    if not (perms.is_doctor(by) and is_present(session_id=dossier.session_id, user=by)):
        raise RoleRefused("Seul un médecin présent à la séance peut valider la fiche RCP.")
    missing = [label for name, label in REQUIRED_FOR_VALIDATION.items() if not getattr(current, name)]
    if not (current.treatments or current.surveillance_only or current.representation_requested):
        missing.append("la proposition (un traitement, la surveillance seule ou une re-présentation)")
    if current.guideline_conform is None:
        missing.append("la conformité au référentiel")
    if missing:
        raise ValidationError("Avant de valider, renseignez " + ", ".join(missing) + ".")
    problems = signing_problems(dossier, by)
    if problems:
        raise ValidationError("Avant de signer : " + " ".join(problems))
    current.dossier = dossier
    quorum = fiche_quorum(current)
    reason = (off_quorum_reason or "").strip()
    if not quorum.reached and not reason:
        raise ValidationError(
            {"off_quorum_reason": f"{quorum.explanation} Indiquez le motif d'une validation hors quorum."}
        )
    now = timezone.now()
    current.quorum_reached = quorum.reached
    current.quorum_explanation = quorum.explanation
    current.off_quorum_reason = "" if quorum.reached else reason
    current.participants = _participants(dossier.session)
    current.validated_by = by
    current.validated_at = now
    current.revision += 1
    current.save()
    _snapshot(current, by=by, at=now, reason="")
    if dossier.status == DossierStatus.REGISTERED:
        dossier_set_status(dossier, DossierStatus.PRESENTED, by=by, note="Présenté (validation de la fiche).")
    dossier_set_status(dossier, DossierStatus.VALIDATED, by=by, note="Fiche RCP validée.")
    trail(by=by, action=TrailAction.UPDATE, patient=dossier.patient, obj=current, request=request, detail="validation")
    return current


def _snapshot(fiche: Fiche, *, by, at, reason: str) -> FicheVersion:
    version = FicheVersion.objects.create(
        fiche=fiche,
        version=fiche.version,
        content=fiche.content(),
        reason=reason,
        quorum_reached=fiche.quorum_reached,
        off_quorum_reason=fiche.off_quorum_reason,
        participants=fiche.participants,
        signed_by=by,
        signed_at=at,
    )
    fiche_document_request(version=version, patient=fiche.dossier.patient, by=by)
    return version


def fiche_document_request(*, version: FicheVersion, patient, by, relaunch: bool = False) -> bool:
    """Ask for the FRCP document (CDA + PDF/A) of a validated version, queued once the transaction commits.

    Idempotent: a version whose document is pending, running or stored is not queued again; a failed one is, and
    with ``relaunch`` one stuck « En attente » too (``DocumentGeneration.is_stuck``).
    """

    _, should_queue = generation_request(
        source_type=FICHE_DOCUMENT_SOURCE, source_id=version.pk, patient=patient, requested_by=by, relaunch=relaunch
    )
    if should_queue:  # a broker away at commit leaves it pending for the beat task (interop.queueing)
        queue_on_commit(FICHE_DOCUMENT_SOURCE, version.pk, by.pk)
    return should_queue


@transaction.atomic
def fiche_document_regenerate(*, fiche: Fiche, by, request=None) -> int:
    """Queue again the failed, stuck « En attente » (or never requested) documents of the fiche's versions, oldest
    first, so version n+1 finds version n filed; returns how many were queued."""

    patient = fiche.dossier.patient
    queued = sum(
        fiche_document_request(version=version, patient=patient, by=by, relaunch=True)
        for version in fiche.versions.order_by("version")
    )
    trail(by=by, action=TrailAction.UPDATE, patient=patient, obj=fiche, request=request, detail="relance du document")
    return queued


@transaction.atomic
def fiche_amend(*, fiche: Fiche, data: dict, reason: str, expected_revision: int | None, by, request=None) -> Fiche:
    """Amend a validated fiche: a new version, signed by a doctor, with the reason; earlier kept."""

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Le motif de l'amendement est obligatoire."})
    if not perms.is_doctor(by):
        raise RoleRefused("Seul un médecin peut amender une fiche RCP validée.")
    cleaned = clean_fiche_data(data)
    current = _lock_fiche(fiche, expected_revision, data)
    if not current.is_validated:
        raise ValidationError("Cette fiche n'est pas encore validée : enregistrez-la simplement.")
    problems = signing_problems(current.dossier, by)
    if problems:
        raise ValidationError("Avant de signer l'amendement : " + " ".join(problems))
    current.version += 1
    _apply(current, cleaned, by=by)
    _snapshot(current, by=by, at=timezone.now(), reason=reason)
    trail(
        by=by,
        action=TrailAction.UPDATE,
        patient=current.dossier.patient,
        obj=current,
        request=request,
        detail="amendement",
    )
    return current


@transaction.atomic
def fiche_copy_forward(*, fiche: Fiche, expected_revision: int | None, by, request=None) -> Fiche:
    """Fill the disease items of the fiche from the patient's previous fiche."""
    source = previous_fiche(fiche)
    if source is None:
        raise ValidationError("Ce patient n'a pas d'autre fiche RCP à reprendre.")
    data = {name: getattr(source, name) for name in FICHE_COPY_FORWARD_FIELDS}
    saved = fiche_save(fiche=fiche, data=data, expected_revision=expected_revision, by=by, request=request)
    saved.copied_from = source
    saved.save(update_fields=["copied_from"])
    return saved
