"""Merge two identities of one person, and undo it: every row pointing to the absorbed patient moves to the kept
one (the columns found through Django's relation metadata), the absorbed identity becomes a redirect.

Like every identity write, each runs in one transaction with its identity-change log lines and access-trail lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from dcc.records.enums import TrailAction
from dcc.records.trail import trail_record
from identity.enums import LOCKED_STATUSES, ChangeKind, RnivStatus
from identity.models import Patient, PatientMerge
from identity.services import IdentityError, identity_change_log


@dataclass(frozen=True)
class _Pointer:
    label: str  # "app_label.Model"
    field: str  # attribute name of the column (e.g. "patient_id")
    model: type[models.Model]


# Columns that hold a patient id without a ForeignKey (kept in sync by hand; checked by a test).
# The access trail (records.AccessTrail.patient_id) is append-only and deliberately not listed: its
# lines keep the absorbed identity's id, and the "who opened this record" view of the kept patient
# includes the lines of the identities merged into it.
PLAIN_PATIENT_COLUMNS: tuple[tuple[str, str], ...] = ()
# Rows of the absorbed patient that stay with it: its own history.
KEEP_ON_ABSORBED = {
    ("identity.IdentityChange", "patient_id"),
    ("identity.PatientMerge", "kept_id"),
    ("identity.PatientMerge", "absorbed_id"),
    ("identity.Patient", "merged_into_id"),
}


def patient_pointers() -> list[_Pointer]:
    """Every column that points to a patient, found through Django's relation metadata."""
    pointers = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            points_to_patient = (
                getattr(field, "concrete", False)
                and field.is_relation
                and (field.many_to_one or field.one_to_one)
                and field.related_model is Patient
            )
            key = (model._meta.label, getattr(field, "attname", ""))
            if points_to_patient and key not in KEEP_ON_ABSORBED:
                pointers.append(_Pointer(model._meta.label, field.attname, model))
    for label, column in PLAIN_PATIENT_COLUMNS:
        model = apps.get_model(label)
        pointers.append(_Pointer(label, column, model))
    return pointers


def _unique_conflicts(model, field: str, kept_id: int, row_ids: list[int]) -> set[int]:
    """Rows that would break a unique constraint once moved to the kept patient (already there)."""
    conflicts: set[int] = set()
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or not constraint.fields:
            continue
        names = [model._meta.get_field(name).attname for name in constraint.fields]
        if field not in names:
            continue
        others = [name for name in names if name != field]
        kept_rows = set(model.objects.filter(**{field: kept_id}).values_list(*others)) if others else {()}
        for row in model.objects.filter(pk__in=row_ids).values("pk", *others):
            if tuple(row[name] for name in others) in kept_rows:
                conflicts.add(row["pk"])
    return conflicts


@transaction.atomic
def patient_merge(
    *, kept: Patient, absorbed: Patient, user, reason: str, source: str = "UI", request=None
) -> PatientMerge:
    """Keep ``kept``; move every row pointing to ``absorbed``; ``absorbed`` becomes a redirect."""
    kept, absorbed = (
        Patient.objects.select_for_update().get(pk=kept.pk),
        Patient.objects.select_for_update().get(pk=absorbed.pk),
    )
    if kept.pk == absorbed.pk:
        raise IdentityError("Une identité ne peut pas être fusionnée avec elle-même.")
    if kept.is_merged or absorbed.is_merged:
        raise IdentityError("L'une des deux identités a déjà été fusionnée.")
    if not reason.strip():
        raise IdentityError({"reason": ["Indiquez le motif de la fusion."]})
    if (
        kept.rniv_status == RnivStatus.QUALIFIEE
        and absorbed.rniv_status == RnivStatus.QUALIFIEE
        and (kept.ins_matricule, kept.ins_oid) != (absorbed.ins_matricule, absorbed.ins_oid)
    ):
        raise IdentityError(
            "Fusion refusée : les deux identités sont qualifiées avec des INS différents. Ce sont deux "
            "personnes distinctes pour l'INSi ; signalez le cas à la cellule d'identitovigilance."
        )
    different_ins = (absorbed.ins_matricule, absorbed.ins_oid) != (kept.ins_matricule, kept.ins_oid)
    better_absorbed = not kept.ins_matricule or (
        absorbed.rniv_status in LOCKED_STATUSES and kept.rniv_status not in LOCKED_STATUSES
    )
    if absorbed.ins_matricule and different_ins and better_absorbed:
        raise IdentityError(
            "Conservez plutôt l'identité qui porte l'INS récupéré par INSi : fusionnez l'autre dans celle-ci."
        )
    moved: dict[str, dict[str, list[int]]] = {}
    for pointer in patient_pointers():
        rows = list(pointer.model.objects.filter(**{pointer.field: absorbed.pk}).values_list("pk", flat=True))
        if not rows:
            continue
        conflicts = _unique_conflicts(pointer.model, pointer.field, kept.pk, rows)
        movable = [pk for pk in rows if pk not in conflicts]
        pointer.model.objects.filter(pk__in=movable).update(**{pointer.field: kept.pk})
        moved.setdefault(pointer.label, {})[pointer.field] = movable
    before = {"merged_into": None}
    absorbed.merged_into, absorbed.merged_at = kept, timezone.now()
    absorbed.save(update_fields=["merged_into", "merged_at"])
    merge = PatientMerge.objects.create(
        kept=kept,
        absorbed=absorbed,
        merged_by=user if getattr(user, "is_authenticated", False) else None,
        reason=reason[:500],
        source=source,
        moved=moved,
    )
    identity_change_log(
        patient=absorbed, user=user, kind=ChangeKind.MERGE, reason=reason, before=before, after={"merged_into": kept.pk}
    )
    identity_change_log(patient=kept, user=user, kind=ChangeKind.MERGE, reason=reason, after={"absorbed": absorbed.pk})
    trail_record(user=user, action=TrailAction.MERGE, patient=kept, obj=merge, request=request)
    trail_record(user=user, action=TrailAction.MERGE, patient=absorbed, obj=merge, request=request)
    return merge


@transaction.atomic
def patient_unmerge(*, merge: PatientMerge, user, reason: str, request=None) -> PatientMerge:
    """Undo a merge (administrator): the rows moved go back, the absorbed identity is current again."""
    merge = PatientMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.reverted_at is not None:
        raise IdentityError("Cette fusion a déjà été annulée.")
    if not reason.strip():
        raise IdentityError({"reason": ["Indiquez le motif de l'annulation."]})
    kept = Patient.objects.select_for_update().get(pk=merge.kept_id)
    absorbed = Patient.objects.select_for_update().get(pk=merge.absorbed_id)
    if kept.is_merged:
        raise IdentityError(
            "L'identité conservée a depuis été fusionnée dans une autre : annulez d'abord cette fusion."
        )
    for label, columns in merge.moved.items():
        model = apps.get_model(label)
        for column, ids in columns.items():
            model.objects.filter(pk__in=ids, **{column: kept.pk}).update(**{column: absorbed.pk})
    absorbed.merged_into, absorbed.merged_at = None, None
    absorbed.save(update_fields=["merged_into", "merged_at"])
    merge.reverted_by, merge.reverted_at = user, timezone.now()
    merge.save(update_fields=["reverted_by", "reverted_at"])
    identity_change_log(
        patient=absorbed,
        user=user,
        kind=ChangeKind.UNMERGE,
        reason=reason,
        before={"merged_into": kept.pk},
        after={"merged_into": None},
    )
    identity_change_log(
        patient=kept, user=user, kind=ChangeKind.UNMERGE, reason=reason, before={"absorbed": absorbed.pk}
    )
    trail_record(user=user, action=TrailAction.MERGE, patient=kept, obj=merge, request=request, detail="annulation")
    trail_record(user=user, action=TrailAction.MERGE, patient=absorbed, obj=merge, request=request, detail="annulation")
    return merge
