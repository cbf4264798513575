"""Writes on patient identities: creation, edits, RNIV status rules, INSi decisions, the HL7 feed (merge and
unmerge: ``identity.merge``).

Every write runs in one transaction with its identity-change log line and its access-trail line:
a refused change leaves nothing half-written.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.services import care_relationship_add
from dcc.records.trail import trail_record
from identity import nir as nir_rules
from identity.enums import (
    HIGH_TRUST_DOCUMENTS,
    INS_OID_NIA,
    INS_OID_NIR,
    INS_OID_TEST,
    LOCKED_STATUSES,
    STRICT_TRAITS,
    ChangeKind,
    IdentityOrigin,
    InsiDecision,
    ProofDocument,
    RnivStatus,
    Sex,
)
from identity.models import IdentityChange, InsiLookup, LocalIdentifier, Patient

INS_OIDS = frozenset({INS_OID_NIR, INS_OID_NIA, INS_OID_TEST, "1.2.250.1.213.1.4.11"})
EDITABLE_FIELDS = (
    *STRICT_TRAITS,
    "used_name",
    "used_first_name",
    "general_practitioner",
    "date_of_death",
    "address",
    "postcode",
    "town",
    "phone",
    "email",
)


class IdentityError(ValidationError):
    """A refused identity write; the message is French and meant for the user."""


def _snapshot(patient: Patient, fields=EDITABLE_FIELDS) -> dict:
    values = {}
    for name in fields:
        value = getattr(patient, f"{name}_id" if name == "general_practitioner" else name)
        values[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return values


def identity_change_log(
    *, patient: Patient, user, kind: str, reason: str = "", before=None, after=None
) -> IdentityChange:
    """The identity-change log line of a write (the merge module writes its lines with it too)."""
    return IdentityChange.objects.create(
        patient=patient,
        user=user if getattr(user, "is_authenticated", False) else None,
        kind=kind,
        reason=reason[:500],
        before=before or {},
        after=after or {},
    )


def normalize_traits(data: dict) -> dict:
    """Strict traits stored in their INS form (upper case, no accents); the first given name derived."""
    data = dict(data)
    for name in ("birth_name", "first_given_name", "given_names", "used_name", "used_first_name"):
        if name in data and data[name] is not None:
            data[name] = nir_rules.normalize_trait(data[name])
    if data.get("given_names") and not data.get("first_given_name"):
        data["first_given_name"] = data["given_names"].split(" ")[0]
    if data.get("first_given_name") and not data.get("given_names"):
        data["given_names"] = data["first_given_name"]
    return data


def check_traits(data: dict) -> None:
    """Refuse incomplete or impossible strict traits (French messages per field)."""
    errors: dict[str, list[str]] = {}
    if not data.get("birth_name"):
        errors.setdefault("birth_name", []).append("Le nom de naissance est obligatoire.")
    if not data.get("first_given_name"):
        errors.setdefault("first_given_name", []).append("Le premier prénom de naissance est obligatoire.")
    first, given = data.get("first_given_name") or "", data.get("given_names") or ""
    if first and given and given.split(" ")[0] != first:
        errors.setdefault("given_names", []).append(
            "La liste des prénoms de naissance doit commencer par le premier prénom."
        )
    if data.get("sex") not in Sex.values:
        errors.setdefault("sex", []).append("Le sexe doit être féminin, masculin ou inconnu.")
    birth_date = data.get("birth_date")
    if not birth_date:
        errors.setdefault("birth_date", []).append("La date de naissance est obligatoire.")
    elif birth_date > timezone.localdate():
        errors.setdefault("birth_date", []).append("La date de naissance ne peut pas être dans le futur.")
    place = data.get("birth_place_code") or ""
    if place and not (len(place) == 5 and (place.isdigit() or (place[:2] in {"2A", "2B"} and place[2:].isdigit()))):
        errors.setdefault("birth_place_code", []).append(
            "Le lieu de naissance est un code INSEE à 5 caractères (99XXX à l'étranger, 99999 si inconnu)."
        )
    death = data.get("date_of_death")
    if death and birth_date and death < birth_date:
        errors.setdefault("date_of_death", []).append("La date de décès précède la date de naissance.")
    if errors:
        raise IdentityError(errors)


def check_ins(*, matricule: str, oid: str, traits: dict) -> str:
    """A checked matricule INS coherent with the traits, or IdentityError (French)."""
    try:
        parsed = nir_rules.parse(matricule)
    except nir_rules.NirError as exc:
        raise IdentityError({"ins_matricule": [str(exc)]}) from exc
    if oid not in INS_OIDS:
        raise IdentityError({"ins_oid": [f"L'OID {oid or '(vide)'} n'est pas un OID d'INS."]})
    if parsed.is_nia != (oid == INS_OID_NIA):
        raise IdentityError({"ins_oid": ["Un NIA (premier chiffre 7 ou 8) porte l'OID INS-NIA, un NIR l'OID INS-NIR."]})
    problems = nir_rules.coherence_errors(parsed, sex=traits.get("sex"), birth_date=traits.get("birth_date"))
    if problems:
        raise IdentityError({"ins_matricule": problems})
    return parsed.value


def _attach_creator(patient: Patient, user) -> None:
    if not getattr(user, "is_authenticated", False):
        return
    care_relationship_add(patient=patient, kind=CareRelationshipKind.IDENTITY_CREATOR, user=user)
    establishments = {establishment for grant in user.active_grants() for establishment in grant.establishments.all()}
    if len(establishments) == 1:
        care_relationship_add(
            patient=patient,
            kind=CareRelationshipKind.TREATING_ESTABLISHMENT,
            establishment=establishments.pop(),
            source="identity:creation",
        )


@transaction.atomic
def patient_create(
    *,
    user,
    data: dict,
    origin: str = IdentityOrigin.UI,
    ins_matricule: str = "",
    ins_oid: str = "",
    rniv_status: str = RnivStatus.PROVISOIRE,
    request=None,
    reason: str = "",
) -> Patient:
    """Create a patient (status provisoire from the UI; interop may bring an INS and its status)."""
    data = normalize_traits(data)
    check_traits(data)
    fields = {name: data[name] for name in EDITABLE_FIELDS if name in data and data[name] is not None}
    if ins_matricule:
        ins_matricule = check_ins(matricule=ins_matricule, oid=ins_oid, traits=data)
        if Patient.objects.current().filter(ins_matricule=ins_matricule, ins_oid=ins_oid).exists():
            raise IdentityError({"ins_matricule": ["Un patient porte déjà ce matricule INS."]})
    elif rniv_status in LOCKED_STATUSES:
        raise IdentityError("Une identité récupérée ou qualifiée porte un INS.")
    patient = Patient.objects.create(
        **fields,
        ins_matricule=ins_matricule,
        ins_oid=ins_oid if ins_matricule else "",
        rniv_status=rniv_status,
        origin=origin,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    identity_change_log(patient=patient, user=user, kind=ChangeKind.CREATE, reason=reason, after=_snapshot(patient))
    _attach_creator(patient, user)
    trail_record(user=user, action=TrailAction.CREATE, patient=patient, obj=patient, request=request)
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, user, data: dict, reason: str, request=None) -> Patient:
    """Edit an identity. Strict traits of a récupérée/qualifiée identity only change through INSi.

    Changing a strict trait of a *validée* identity returns it to *provisoire*: the document seen
    no longer vouches for the new traits.
    """
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    return patient_update_locked(patient=patient, user=user, data=data, reason=reason, request=request)


def patient_update_locked(*, patient: Patient, user, data: dict, reason: str, request=None) -> Patient:
    """``patient_update`` of a patient the caller has read ``FOR UPDATE`` in its current transaction."""
    if patient.is_merged:
        raise IdentityError("Cette identité a été fusionnée : modifiez l'identité conservée.")
    data = normalize_traits(data)
    before = _snapshot(patient)
    changed_strict = [
        name for name in STRICT_TRAITS if name in data and (before[name] or "") != (_snapshot_value(data[name]) or "")
    ]
    if changed_strict and patient.rniv_status in LOCKED_STATUSES:
        labels = ", ".join(str(Patient._meta.get_field(name).verbose_name) for name in changed_strict)
        raise IdentityError(
            f"L'identité est {patient.get_rniv_status_display().lower()} : ses traits stricts ({labels}) ne "
            "peuvent être modifiés que par un nouvel appel au téléservice INSi."
        )
    if not reason.strip():
        raise IdentityError({"reason": ["Indiquez le motif de la modification."]})
    merged = {**{name: getattr(patient, name) for name in STRICT_TRAITS}, **data}
    check_traits(merged)
    nullable = {"general_practitioner", "date_of_death"}
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(patient, name, data[name] if data[name] is not None or name in nullable else "")
    status_note = ""
    if changed_strict and patient.rniv_status == RnivStatus.VALIDEE:
        patient.rniv_status = RnivStatus.PROVISOIRE
        patient.proof_document = ""
        patient.proof_checked_at = None
        patient.proof_checked_by = None
        status_note = " (identité repassée en provisoire : traits stricts modifiés)"
    patient.save()
    after = _snapshot(patient)
    diff_before = {key: value for key, value in before.items() if after[key] != value}
    diff_after = {key: after[key] for key in diff_before}
    if status_note:
        diff_before["rniv_status"], diff_after["rniv_status"] = RnivStatus.VALIDEE, RnivStatus.PROVISOIRE
    identity_change_log(
        patient=patient,
        user=user,
        kind=ChangeKind.UPDATE,
        reason=reason + status_note,
        before=diff_before,
        after=diff_after,
    )
    trail_record(user=user, action=TrailAction.UPDATE, patient=patient, obj=patient, request=request)
    return patient


def _snapshot_value(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _set_status(patient: Patient, *, user, status: str, reason: str) -> None:
    if patient.rniv_status == status:
        return
    before = patient.rniv_status
    patient.rniv_status = status
    identity_change_log(
        patient=patient,
        user=user,
        kind=ChangeKind.STATUS,
        reason=reason,
        before={"rniv_status": before},
        after={"rniv_status": status},
    )


@transaction.atomic
def identity_proof_record(*, patient: Patient, user, document: str, request=None) -> Patient:
    """The user saw an identity document. A high-trust one validates (or, after INSi, qualifies)."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.is_merged:
        raise IdentityError("Cette identité a été fusionnée.")
    if document not in ProofDocument.values:
        raise IdentityError({"document": ["Choisissez le justificatif d'identité vu."]})
    before = {"proof_document": patient.proof_document}
    patient.proof_document = document
    patient.proof_checked_at = timezone.now()
    patient.proof_checked_by = user
    identity_change_log(
        patient=patient,
        user=user,
        kind=ChangeKind.PROOF,
        reason=ProofDocument(document).label,
        before=before,
        after={"proof_document": document},
    )
    if document in HIGH_TRUST_DOCUMENTS:
        if patient.rniv_status == RnivStatus.PROVISOIRE:
            _set_status(patient, user=user, status=RnivStatus.VALIDEE, reason="Justificatif à haut niveau de confiance")
        elif patient.rniv_status == RnivStatus.RECUPEREE:
            _set_status(
                patient,
                user=user,
                status=RnivStatus.QUALIFIEE,
                reason="INS récupéré par INSi et justificatif à haut niveau de confiance",
            )
    patient.save()
    trail_record(user=user, action=TrailAction.UPDATE, patient=patient, obj=patient, request=request, detail="proof")
    return patient


@transaction.atomic
def identity_downgrade(*, patient: Patient, user, reason: str, request=None) -> Patient:
    """A doubt on the identity (RNIV: "identité douteuse"): back to provisoire, INS kept for history only."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if not reason.strip():
        raise IdentityError({"reason": ["Indiquez le motif du retour en identité provisoire."]})
    _set_status(patient, user=user, status=RnivStatus.PROVISOIRE, reason=reason)
    patient.proof_document = ""
    patient.proof_checked_at = None
    patient.proof_checked_by = None
    patient.save()
    trail_record(
        user=user, action=TrailAction.UPDATE, patient=patient, obj=patient, request=request, detail="downgrade"
    )
    return patient


# --- INSi ----------------------------------------------------------------------------------


@transaction.atomic
def insi_lookup_record(*, patient: Patient, user, operation: str, result, request=None) -> InsiLookup:
    """Store an INSi answer (``identity.insi.client.InsiResult``) for the user's decision."""
    lookup = InsiLookup.objects.create(
        patient=patient,
        operation=operation,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        code_cr=result.code,
        label_cr=result.label,
        matricule=result.identity.matricule if result.identity else "",
        oid=result.identity.oid if result.identity else "",
        traits=result.identity.traits_json() if result.identity else {},
        decision=InsiDecision.PENDING if result.identity else InsiDecision.NONE,
    )
    trail_record(user=user, action=TrailAction.READ, patient=patient, obj=lookup, request=request, detail="INSi")
    return lookup


@transaction.atomic
def insi_result_accept(*, lookup: InsiLookup, user, request=None) -> Patient:
    """Take the INS and the INS traits: récupérée, or qualifiée when a high-trust document was seen."""
    lookup = InsiLookup.objects.select_for_update().get(pk=lookup.pk)
    if lookup.decision == InsiDecision.NONE:
        raise IdentityError("Cet appel INSi n'a renvoyé aucune identité à accepter.")
    if lookup.decision != InsiDecision.PENDING:
        raise IdentityError("Ce résultat INSi a déjà été traité.")
    patient = Patient.objects.select_for_update().get(pk=lookup.patient_id)
    if patient.is_merged:
        raise IdentityError("Cette identité a été fusionnée.")
    traits = dict(lookup.traits)
    traits["birth_date"] = datetime.date.fromisoformat(traits["birth_date"])
    matricule = check_ins(matricule=lookup.matricule, oid=lookup.oid, traits=traits)
    other = Patient.objects.current().filter(ins_matricule=matricule, ins_oid=lookup.oid).exclude(pk=patient.pk)
    if other.exists():
        raise IdentityError(
            "Ce matricule INS est déjà porté par une autre identité : il s'agit probablement d'un doublon, "
            "à fusionner depuis la page qualité des identités."
        )
    before = {**_snapshot(patient, STRICT_TRAITS), "ins_matricule": patient.ins_matricule, "ins_oid": patient.ins_oid}
    for name in STRICT_TRAITS:
        setattr(patient, name, traits[name])
    patient.ins_matricule, patient.ins_oid = matricule, lookup.oid
    patient.insi_checked_at = timezone.now()
    after = {**_snapshot(patient, STRICT_TRAITS), "ins_matricule": matricule, "ins_oid": lookup.oid}
    identity_change_log(
        patient=patient,
        user=user,
        kind=ChangeKind.INSI_ACCEPT,
        reason=f"CR {lookup.code_cr}",
        before=before,
        after=after,
    )
    high_trust = patient.proof_document in HIGH_TRUST_DOCUMENTS
    target = RnivStatus.QUALIFIEE if high_trust else RnivStatus.RECUPEREE
    reason = (
        "INS récupéré par INSi et justificatif à haut niveau de confiance"
        if high_trust
        else "INS récupéré par INSi sans justificatif à haut niveau de confiance"
    )
    _set_status(patient, user=user, status=target, reason=reason)
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError as exc:
        raise IdentityError("Ce matricule INS est déjà porté par une autre identité.") from exc
    lookup.decision, lookup.decided_by, lookup.decided_at = InsiDecision.ACCEPTED, user, timezone.now()
    lookup.save(update_fields=["decision", "decided_by", "decided_at"])
    trail_record(
        user=user, action=TrailAction.UPDATE, patient=patient, obj=lookup, request=request, detail="INSi accepté"
    )
    return patient


@transaction.atomic
def insi_result_reject(*, lookup: InsiLookup, user, reason: str, request=None) -> InsiLookup:
    lookup = InsiLookup.objects.select_for_update().get(pk=lookup.pk)
    if lookup.decision != InsiDecision.PENDING:
        raise IdentityError("Ce résultat INSi a déjà été traité.")
    if not reason.strip():
        raise IdentityError({"reason": ["Indiquez pourquoi l'identité renvoyée ne correspond pas."]})
    lookup.decision, lookup.decided_by, lookup.decided_at = InsiDecision.REJECTED, user, timezone.now()
    lookup.save(update_fields=["decision", "decided_by", "decided_at"])
    identity_change_log(
        patient=lookup.patient,
        user=user,
        kind=ChangeKind.INSI_REJECT,
        reason=reason,
        after={"matricule": lookup.matricule, **lookup.traits},
    )
    trail_record(
        user=user, action=TrailAction.UPDATE, patient=lookup.patient, obj=lookup, request=request, detail="INSi refusé"
    )
    return lookup


# --- Local identifiers -----------------------------------------------------------------------


@transaction.atomic
def local_identifier_add(*, patient: Patient, user, establishment, value: str, request=None) -> LocalIdentifier:
    value = (value or "").strip()
    if not value:
        raise IdentityError({"value": ["L'IPP est obligatoire."]})
    existing = LocalIdentifier.objects.filter(establishment=establishment, value=value).first()
    if existing is not None:
        if existing.patient_id == patient.pk:
            return existing
        raise IdentityError({"value": [f"L'IPP {value} est déjà attribué à un autre patient dans cet établissement."]})
    identifier = LocalIdentifier.objects.create(patient=patient, establishment=establishment, value=value)
    identity_change_log(
        patient=patient,
        user=user,
        kind=ChangeKind.IDENTIFIER,
        reason=str(establishment),
        after={"ipp": value, "oid": establishment.oid},
    )
    trail_record(user=user, action=TrailAction.UPDATE, patient=patient, obj=identifier, request=request)
    return identifier


# --- Identity feed (HL7 PAM) ---------------------------------------------------------------------


@transaction.atomic
def patient_ins_from_feed(
    *, patient: Patient, matricule: str, oid: str, status: str, source: str, user=None
) -> Patient:
    """Record the INS and status an identity feed (HL7 A28/A31) brings for a *provisoire/validée* identity.

    The caller has checked the INS against the traits and the other patients; here the rules are enforced
    again: a récupérée/qualifiée identity is never changed, the status only goes up.
    """
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.rniv_status in LOCKED_STATUSES:
        raise IdentityError("L'identité est récupérée ou qualifiée : seul un appel INSi la modifie.")
    matricule = check_ins(
        matricule=matricule, oid=oid, traits=patient.strict_traits | {"birth_date": patient.birth_date}
    )
    before = {"ins_matricule": patient.ins_matricule, "ins_oid": patient.ins_oid, "rniv_status": patient.rniv_status}
    patient.ins_matricule, patient.ins_oid = matricule, oid
    rank = {RnivStatus.PROVISOIRE: 0, RnivStatus.VALIDEE: 1, RnivStatus.RECUPEREE: 1, RnivStatus.QUALIFIEE: 2}
    if rank.get(status, 0) > rank.get(patient.rniv_status, 0):
        patient.rniv_status = status
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError as exc:
        raise IdentityError("Ce matricule INS est déjà porté par une autre identité.") from exc
    after = {"ins_matricule": matricule, "ins_oid": oid, "rniv_status": patient.rniv_status}
    identity_change_log(patient=patient, user=user, kind=ChangeKind.UPDATE, reason=source, before=before, after=after)
    trail_record(user=user, action=TrailAction.UPDATE, patient=patient, obj=patient, detail=source[:100])
    return patient


@transaction.atomic
def local_identifier_change(*, identifier: LocalIdentifier, value: str, user=None, reason: str = "") -> LocalIdentifier:
    """Change an IPP's value (HL7 A47): the establishment renumbered the patient."""
    value = (value or "").strip()
    if not value:
        raise IdentityError({"value": ["L'IPP est obligatoire."]})
    identifier = LocalIdentifier.objects.select_for_update().get(pk=identifier.pk)
    if identifier.value == value:
        return identifier
    taken = LocalIdentifier.objects.filter(establishment_id=identifier.establishment_id, value=value).exists()
    if taken:
        raise IdentityError({"value": [f"L'IPP {value} est déjà attribué à un patient dans cet établissement."]})
    before = identifier.value
    identifier.value = value
    identifier.save(update_fields=["value"])
    identity_change_log(
        patient=identifier.patient,
        user=user,
        kind=ChangeKind.IDENTIFIER,
        reason=reason or "Changement d'IPP",
        before={"ipp": before},
        after={"ipp": value, "oid": identifier.establishment.oid},
    )
    trail_record(user=user, action=TrailAction.UPDATE, patient=identifier.patient, obj=identifier, detail=reason[:100])
    return identifier
