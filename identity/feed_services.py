"""Identity writes for the hospitals' feeds (HL7 ADT), shaped for a sustained message rate.

``patient_create_from_feed`` is ``patient_create`` + ``local_identifier_add`` for each IPP + the treating
establishment's care link, with the same checks, the same identity-change lines and the same trail lines
(one per write), written with one INSERT per table instead of one statement (and one savepoint) per write.
``patient_update_from_feed`` is ``patient_update`` without its savepoint nor its second read of a patient the
feed has already read ``FOR UPDATE``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.services import care_relationship_add_to_new_patient
from dcc.records.trail import trail_record_lines
from identity.enums import LOCKED_STATUSES, ChangeKind, RnivStatus
from identity.models import IdentityChange, LocalIdentifier, Patient
from identity.services import (
    EDITABLE_FIELDS,
    IdentityError,
    _snapshot,
    check_ins,
    check_traits,
    normalize_traits,
    patient_update_locked,
)


def patient_create_from_feed(
    *,
    data: dict,
    origin: str,
    establishment,
    ipps: list[str],
    care_source: str,
    reason: str,
    ins_matricule: str = "",
    ins_oid: str = "",
    rniv_status: str = RnivStatus.PROVISOIRE,
    savepoint: bool = True,
) -> Patient:
    """A patient received from ``establishment``'s feed, with its IPPs there and that establishment as treating.

    Refused (``IdentityError``, nothing written) as ``patient_create`` and ``local_identifier_add`` refuse: bad
    traits, an INS incoherent or carried by another patient, a qualified status without INS, an IPP already
    given to another patient of the establishment. The INS and IPP uniqueness are the database's constraints
    (``unique_current_ins``, ``unique_ipp_per_establishment``): no read before the writes, and no race.
    ``savepoint=False`` (the HL7 feed, whose message transaction is rolled back whole on a refusal) saves the
    savepoint's two round trips; the caller's transaction must then be rolled back after an ``IdentityError``.
    """
    try:
        with transaction.atomic(savepoint=savepoint):
            return _create(
                data=data,
                origin=origin,
                establishment=establishment,
                ipps=ipps,
                care_source=care_source,
                reason=reason,
                ins_matricule=ins_matricule,
                ins_oid=ins_oid,
                rniv_status=rniv_status,
            )
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "")
        if constraint == "unique_current_ins":
            raise IdentityError({"ins_matricule": ["Un patient porte déjà ce matricule INS."]}) from error
        if constraint == "unique_ipp_per_establishment":
            raise IdentityError(
                {"value": ["Un des IPP reçus est déjà attribué à un autre patient dans cet établissement."]}
            ) from error
        raise


def _create(*, data, origin, establishment, ipps, care_source, reason, ins_matricule, ins_oid, rniv_status) -> Patient:
    data = normalize_traits(data)
    check_traits(data)
    fields = {name: data[name] for name in EDITABLE_FIELDS if name in data and data[name] is not None}
    if ins_matricule:
        ins_matricule = check_ins(matricule=ins_matricule, oid=ins_oid, traits=data)
    elif rniv_status in LOCKED_STATUSES:
        raise IdentityError("Une identité récupérée ou qualifiée porte un INS.")
    ipps = list(dict.fromkeys(value.strip() for value in ipps if value and value.strip()))
    patient = Patient.objects.create(
        **fields,
        ins_matricule=ins_matricule,
        ins_oid=ins_oid if ins_matricule else "",
        rniv_status=rniv_status,
        origin=origin,
    )
    identifiers = LocalIdentifier.objects.bulk_create(
        [LocalIdentifier(patient=patient, establishment=establishment, value=value) for value in ipps]
    )
    care_relationship_add_to_new_patient(
        patient=patient,
        kind=CareRelationshipKind.TREATING_ESTABLISHMENT,
        establishment=establishment,
        source=care_source,
    )
    IdentityChange.objects.bulk_create(
        [
            IdentityChange(
                patient=patient, kind=ChangeKind.CREATE, reason=reason[:500], before={}, after=_snapshot(patient)
            ),
            *(
                IdentityChange(
                    patient=patient,
                    kind=ChangeKind.IDENTIFIER,
                    reason=str(establishment)[:500],
                    before={},
                    after={"ipp": item.value, "oid": establishment.oid},
                )
                for item in identifiers
            ),
        ]
    )
    trail_record_lines(
        [
            {"user": None, "action": TrailAction.CREATE, "patient": patient, "obj": patient},
            *({"user": None, "action": TrailAction.UPDATE, "patient": patient, "obj": item} for item in identifiers),
        ]
    )
    return patient


def patient_update_from_feed(*, patient: Patient, data: dict, reason: str, locked: bool = False) -> Patient:
    """``patient_update`` (same rules, identity-change line and trail line) inside the caller's transaction, with no
    savepoint; ``locked``: the caller read ``patient`` ``FOR UPDATE`` in this transaction, so it is not read again.
    An ``IdentityError`` leaves nothing written here, but the caller's transaction is to be rolled back anyway."""
    with transaction.atomic(savepoint=False):
        if not locked:
            patient = Patient.objects.select_for_update().get(pk=patient.pk)
        return patient_update_locked(patient=patient, user=None, data=data, reason=reason)


@transaction.atomic
def patient_validate_from_feed(*, patient: Patient, source: str) -> Patient:
    """A *provisoire* identity that its establishment now sends as validated (PID-32 VALI) without an INS:
    *validée*, as an A28 would have created it. Nothing else goes up without an INS, nothing ever goes down."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.rniv_status != RnivStatus.PROVISOIRE or patient.is_merged:
        return patient
    patient.rniv_status = RnivStatus.VALIDEE
    patient.save(update_fields=["rniv_status"])
    IdentityChange.objects.create(
        patient=patient,
        kind=ChangeKind.STATUS,
        reason=source[:500],
        before={"rniv_status": RnivStatus.PROVISOIRE},
        after={"rniv_status": RnivStatus.VALIDEE},
    )
    trail_record_lines([{"action": TrailAction.UPDATE, "patient": patient, "obj": patient, "detail": "statut"}])
    return patient
