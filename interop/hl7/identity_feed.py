"""Identity feed (IHE PAM France 2.11): A28 create, A31 update, A40 merge, A47 identifier change.

Every write goes through ``identity.services`` with the RNIV rules:

- the feed never downgrades an identity, and never changes the strict traits of an identity that is
  *validée*, *récupérée* or *qualifiée* locally (only a *provisoire* one follows the sender's traits);
- an INS that disagrees with the traits (NIR sex/birth year/month) or is already carried by another patient,
  a strict-trait change refused, a merge refused: a ``VigilanceItem`` for the identity-vigilance cell, and an
  AE (ERR-5 904) saying what was not applied;
- identities created here have the origin « Interopérabilité » and the sending establishment as treating
  establishment (so its staff can open the record).
"""

from __future__ import annotations

from django.db import connection

from identity import nir as nir_rules
from identity.enums import LOCKED_STATUSES, IdentityOrigin, RnivStatus
from identity.feed_services import patient_create_from_feed, patient_update_from_feed, patient_validate_from_feed
from identity.merge import patient_merge
from identity.models import LocalIdentifier, Patient
from identity.services import (
    IdentityError,
    check_ins,
    local_identifier_add,
    local_identifier_change,
    normalize_traits,
    patient_ins_from_feed,
)
from interop.hl7.enums import VigilanceKind
from interop.hl7.handling import Context, Outcome
from interop.hl7.models import VigilanceItem
from interop.hl7.pid import STATUS_RANK, PidData, read_mrg, read_pid
from interop.hl7.protocol import Hl7Problem

TRAIT_LABELS = {
    "birth_name": "nom de naissance",
    "first_given_name": "premier prénom",
    "given_names": "prénoms",
    "sex": "sexe",
    "birth_date": "date de naissance",
    "birth_place_code": "lieu de naissance",
}


def _source(ctx: Context) -> str:
    return f"HL7 {ctx.header.type_label} de {ctx.partner.application}@{ctx.partner.facility} n° {ctx.header.control_id}"


def _current(patient: Patient | None) -> Patient | None:
    seen = 0
    while patient is not None and patient.merged_into_id is not None and seen < 20:
        patient, seen = patient.merged_into, seen + 1
    return patient


def _by_ipp(establishment, values: list[str]) -> Patient | None:
    return _by_ipp_with_known(establishment, values)[0]


def _by_ipp_with_known(establishment, values: list[str]) -> tuple[Patient | None, set[str]]:
    """The patient of the first of ``values`` known in ``establishment`` (one query), and which of ``values``
    that very patient already carries (no need to add them again)."""
    if not values:
        return None, set()
    found = {
        local.value: local
        for local in LocalIdentifier.objects.select_related("patient__merged_into").filter(
            establishment=establishment, value__in=values
        )
    }
    for ipp in values:
        if ipp in found:
            patient = _current(found[ipp].patient)
            return patient, {value for value, local in found.items() if local.patient_id == patient.pk}
    return None, set()


_LOOKUP_SQL: str = ""


def _lookup_sql() -> str:
    """The IPP and INS lookups of an A28/A31 in one statement (two index scans, not an ``OR`` across the join,
    which PostgreSQL answers with a sequential scan of the patients). The IPP branch locks its patients'
    rows (``FOR UPDATE``, as ``patient_update`` would, in id order: no deadlock between two messages naming the
    same patients): the update then needs no second read."""
    global _LOOKUP_SQL
    if not _LOOKUP_SQL:
        columns = ", ".join(f'p."{field.column}"' for field in Patient._meta.concrete_fields)
        patients, identifiers = Patient._meta.db_table, LocalIdentifier._meta.db_table
        _LOOKUP_SQL = (
            f'WITH by_ipp AS (SELECT l."value" AS ipp, {columns} FROM "{identifiers}" l '  # noqa: S608 - table/column names only
            f'JOIN "{patients}" p ON p."id" = l."patient_id" '
            f'WHERE l."establishment_id" = %s AND l."value" = ANY(%s) ORDER BY p."id" FOR UPDATE OF p) '
            f"SELECT 'ipp' AS via, * FROM by_ipp UNION ALL "
            f"SELECT 'ins', '', {columns} FROM \"{patients}\" p "
            f'WHERE p."ins_matricule" = %s AND p."ins_oid" = %s AND p."merged_into_id" IS NULL'
        )
    return _LOOKUP_SQL


def _lookup(
    establishment, ipps: list[str], matricule: str, oid: str
) -> tuple[Patient | None, set[str], bool, Patient | None]:
    """(the current patient of the first of ``ipps`` known in ``establishment``, which of ``ipps`` it already
    carries, whether its row is locked, the current patient carrying the INS ``matricule``/``oid``), one query."""
    names = [field.attname for field in Patient._meta.concrete_fields]
    by_ipp: dict[str, Patient] = {}
    holder = None
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [establishment.pk, ipps, matricule or None, oid if matricule else None])
        for via, ipp, *values in cursor.fetchall():
            patient = Patient.from_db(connection.alias, names, values)
            if via == "ipp":
                by_ipp[ipp] = patient
            else:
                holder = patient
    for ipp in ipps:
        if ipp in by_ipp:
            found = by_ipp[ipp]
            patient = _current(found)
            known = {value for value, other in by_ipp.items() if other.pk == patient.pk}
            return patient, known, patient is found, holder
    return None, set(), False, holder


def _strict_diff(patient: Patient, incoming: dict) -> list[str]:
    wrong = []
    for name, label in TRAIT_LABELS.items():
        new = incoming.get(name)
        if new in (None, ""):
            continue
        old = getattr(patient, name)
        if name in {"birth_name", "first_given_name", "given_names"}:
            same = nir_rules.loose_trait(old or "") == nir_rules.loose_trait(new)
        else:
            same = (old or "") == new
        if not same:
            wrong.append(label)
    return wrong


def _queue(ctx: Context, kind: str, *, reason: str, data: PidData, patient=None, other=None) -> VigilanceItem:
    """A vigilance item, written with the message row it belongs to (``processing._finish``)."""
    ins = data.ins
    item = VigilanceItem(
        kind=kind,
        patient=patient,
        other_patient=other,
        ins_matricule=nir_rules.clean(ins.value)[:15] if ins else "",
        ins_oid=ins.authority_oid[:32] if ins else "",
        received=data.json(),
        reason=reason,
    )
    ctx.pending.append(item)
    return item


def _queued_problem(reasons: list[str], applied: str = "") -> Hl7Problem:
    text = "Mis en file d'identitovigilance, non appliqué : " + " ".join(reasons)
    if applied:
        text = f"{applied} {text}"
    return Hl7Problem(text, code="207", app_code="904", location="PID^1^3")


def handle_create_or_update(ctx: Context) -> Outcome:
    data = read_pid(ctx.hl7)
    establishment = ctx.partner.establishment
    source = _source(ctx)
    ipps = data.ipps(establishment)
    ins = data.ins
    matricule = nir_rules.clean(ins.value) if ins else ""
    incoming = normalize_traits(data.traits())
    patient, known, locked, holder = _lookup(establishment, ipps, matricule, ins.authority_oid if ins else "")
    if patient is None and holder is not None:
        wrong = _strict_diff(holder, incoming)
        if wrong:
            _queue(
                ctx,
                VigilanceKind.INS_TRAITS,
                data=data,
                patient=holder,
                reason=f"L'INS {matricule} est déjà porté par {holder} dont les traits diffèrent ({', '.join(wrong)}).",
            )
            return Outcome(patient=holder, problem=_queued_problem([f"INS {matricule} : traits différents."]))
        patient, locked = holder, False
    if patient is None:
        return _create(ctx, data, incoming, ipps, source)
    new_ipps = [ipp for ipp in ipps if ipp not in known]
    return _update(ctx, data, patient, incoming, new_ipps, holder, source, locked=locked)


def _create(ctx: Context, data: PidData, incoming: dict, ipps: list[str], source: str) -> Outcome:
    ins = data.ins
    status = data.requested_status
    kwargs = {}
    if ins is not None:
        try:
            check_ins(matricule=ins.value, oid=ins.authority_oid, traits=incoming)
        except IdentityError as error:
            reason = " ".join(error.messages)
            _queue(ctx, VigilanceKind.INS_TRAITS, data=data, reason=f"INS {ins.value} refusé : {reason}")
            return Outcome(problem=_queued_problem([f"INS {ins.value} : {reason}"]))
        kwargs = {"ins_matricule": ins.value, "ins_oid": ins.authority_oid}
    elif status in LOCKED_STATUSES:
        status = RnivStatus.PROVISOIRE
    patient = patient_create_from_feed(
        data={**incoming, **data.other_fields()},
        origin=IdentityOrigin.INTEROP,
        rniv_status=status,
        reason=source,
        establishment=ctx.partner.establishment,
        ipps=ipps,
        care_source=f"hl7:{ctx.partner.application}@{ctx.partner.facility}",
        savepoint=False,  # a refusal rolls the whole message transaction back (processing._run)
        **kwargs,
    )
    return Outcome(patient=patient, summary=f"Identité créée : {patient} ({patient.get_rniv_status_display()})")


def _update(ctx, data: PidData, patient: Patient, incoming: dict, ipps, holder, source, *, locked=False) -> Outcome:
    """``ipps``: the message's IPPs this patient does not carry yet; ``locked``: its row read ``FOR UPDATE``."""
    establishment = ctx.partner.establishment
    reasons: list[str] = []
    applied: list[str] = []
    for ipp in ipps:
        try:
            local_identifier_add(patient=patient, user=None, establishment=establishment, value=ipp)
        except IdentityError as error:
            reasons.append(" ".join(error.messages))
    wrong = _strict_diff(patient, incoming)
    changes = {}
    if wrong:
        if patient.rniv_status == RnivStatus.PROVISOIRE:
            changes.update({k: v for k, v in incoming.items() if v not in (None, "")})
            applied.append("traits stricts")
        else:
            text = (
                f"Traits stricts reçus différents ({', '.join(wrong)}) pour une identité "
                f"{patient.get_rniv_status_display().lower()} : non appliqués."
            )
            _queue(ctx, VigilanceKind.LOCKED_IDENTITY, data=data, patient=patient, reason=text)
            reasons.append(text)
    others = normalize_traits(data.other_fields())
    changes.update({k: v for k, v in others.items() if getattr(patient, k) != v})
    if changes:
        patient = patient_update_from_feed(patient=patient, data=changes, reason=source, locked=locked)
        if "traits stricts" not in applied:
            applied.append("nom utilisé / coordonnées")
    ins = data.ins
    if ins is None and data.requested_status == RnivStatus.VALIDEE and patient.rniv_status == RnivStatus.PROVISOIRE:
        patient = patient_validate_from_feed(patient=patient, source=source)
        applied.append("statut validée")
    if ins is not None:
        matricule = nir_rules.clean(ins.value)
        if patient.ins_matricule and (patient.ins_matricule, patient.ins_oid) != (matricule, ins.authority_oid):
            text = f"L'identité porte l'INS {patient.ins_matricule} ; le message apporte {matricule}."
            _queue(ctx, VigilanceKind.INS_TRAITS, data=data, patient=patient, reason=text)
            reasons.append(text)
        elif holder is not None and holder.pk != patient.pk:
            text = f"L'INS {matricule} est déjà porté par une autre identité ({holder})."
            _queue(ctx, VigilanceKind.INS_OTHER_PATIENT, data=data, patient=patient, other=holder, reason=text)
            reasons.append(text)
        elif patient.rniv_status not in LOCKED_STATUSES and (
            not patient.ins_matricule or STATUS_RANK[data.requested_status] > STATUS_RANK[patient.rniv_status]
        ):
            try:
                patient = patient_ins_from_feed(
                    patient=patient,
                    matricule=matricule,
                    oid=ins.authority_oid,
                    status=data.requested_status,
                    source=source,
                )
                applied.append("INS")
            except IdentityError as error:
                text = f"INS {matricule} refusé : {' '.join(error.messages)}"
                _queue(ctx, VigilanceKind.INS_TRAITS, data=data, patient=patient, reason=text)
                reasons.append(text)
    summary = f"Identité mise à jour : {patient}" + (f" ({', '.join(applied)})" if applied else " (inchangée)")
    if reasons:
        return Outcome(patient=patient, summary=summary[:255], problem=_queued_problem(reasons))
    return Outcome(patient=patient, summary=summary)


def handle_merge(ctx: Context) -> Outcome:
    """A40: the PID patient is kept, the MRG-1 patient (prior identifier) is absorbed (identity merge service)."""
    data = read_pid(ctx.hl7)
    establishment = ctx.partner.establishment
    previous = read_mrg(ctx.hl7)
    kept = _by_ipp(establishment, data.ipps(establishment))
    if kept is None:
        raise Hl7Problem(
            "Patient conservé inconnu du DCC (PID-3) : fusion impossible.", app_code="902", location="PID^1^3"
        )
    old_ipps = [item.value for item in previous if item.kind in {"PI", "PN", "MR", ""}]
    absorbed = None
    for ipp in old_ipps:
        local = LocalIdentifier.objects.select_related("patient").filter(establishment=establishment, value=ipp).first()
        if local is not None:
            absorbed = local.patient
            break
    if absorbed is None:
        raise Hl7Problem(
            f"Identifiant à fusionner (MRG-1 {', '.join(old_ipps)}) inconnu du DCC.", app_code="902", location="MRG^1^1"
        )
    if _current(absorbed).pk == kept.pk:
        return Outcome(patient=kept, summary=f"Identités déjà fusionnées dans {kept}.")
    try:
        patient_merge(kept=kept, absorbed=absorbed, user=None, reason=_source(ctx), source="HL7 A40")
    except IdentityError as error:
        text = f"Fusion de {absorbed} dans {kept} refusée : {' '.join(error.messages)}"
        _queue(ctx, VigilanceKind.MERGE_REFUSED, data=data, patient=kept, other=absorbed, reason=text)
        return Outcome(patient=kept, problem=_queued_problem([text]))
    return Outcome(patient=kept, summary=f"Fusion : {absorbed} (n° {absorbed.pk}) absorbé par {kept}.")


def handle_identifier_change(ctx: Context) -> Outcome:
    """A47: MRG-1 is the IPP to change, PID-3 the new one (same establishment)."""
    data = read_pid(ctx.hl7)
    establishment = ctx.partner.establishment
    previous = read_mrg(ctx.hl7)
    new_values = data.ipps(establishment)
    if not new_values:
        raise Hl7Problem("Nouvel IPP (PID-3 de type PI) absent.", code="101", location="PID^1^3")
    for item in previous:
        local = (
            LocalIdentifier.objects.select_related("patient", "establishment")
            .filter(establishment=establishment, value=item.value)
            .first()
        )
        if local is not None:
            local_identifier_change(identifier=local, value=new_values[0], reason=_source(ctx))
            return Outcome(
                patient=_current(local.patient),
                summary=f"IPP {item.value} remplacé par {new_values[0]} ({establishment.name}).",
            )
    raise Hl7Problem(
        f"IPP à modifier (MRG-1 {', '.join(i.value for i in previous)}) inconnu du DCC.",
        app_code="902",
        location="MRG^1^1",
    )
