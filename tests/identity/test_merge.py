"""Merge: every row pointing to the absorbed patient moves (found through relation metadata)."""

import pytest
from django.apps import apps

from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.models import AccessTrail, CareRelationship
from dcc.records.selectors import patient_openers
from dcc.records.services import care_relationship_add
from dcc.records.trail import trail_record
from identity.enums import ChangeKind
from identity.merge import KEEP_ON_ABSORBED, patient_merge, patient_pointers, patient_unmerge
from identity.models import InsiLookup, LocalIdentifier, Patient, PatientMerge
from identity.selectors import search_patients
from identity.services import IdentityError
from tests.identity.factories import LocalIdentifierFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_pointers_cover_every_foreign_key_to_patient_and_the_trail_column():
    labels = {(pointer.label, pointer.field) for pointer in patient_pointers()}
    assert ("records.CareRelationship", "patient_id") in labels
    # The access trail is append-only: never rewritten by a merge.
    assert ("records.AccessTrail", "patient_id") not in labels
    assert ("identity.LocalIdentifier", "patient_id") in labels
    assert ("identity.InsiLookup", "patient_id") in labels
    # Every ForeignKey/OneToOne to Patient in the project is either moved or deliberately kept.
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "concrete", False) and field.is_relation and field.related_model is Patient:
                key = (model._meta.label, field.attname)
                assert key in labels or key in KEEP_ON_ABSORBED, key


def _world(personas):
    user = personas["doctor"]
    kept = PatientFactory(birth_name="DUPONT")
    absorbed = PatientFactory(birth_name="DUPOND")
    care_relationship_add(
        patient=absorbed, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    care_relationship_add(
        patient=absorbed, kind=CareRelationshipKind.GENERAL_PRACTITIONER, professional=personas["gp"].professional
    )
    # The same link on both: it stays on the absorbed (unique constraint) without failing the merge.
    care_relationship_add(
        patient=kept, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    trail_record(user=user, action=TrailAction.READ, patient=absorbed)
    LocalIdentifierFactory(patient=absorbed, establishment=personas.hospital, value="IPP-ABS")
    InsiLookup.objects.create(patient=absorbed, operation="traits", code_cr="01")
    return user, kept, absorbed


def test_merge_moves_every_row_and_keeps_a_redirect(personas):
    user, kept, absorbed = _world(personas)
    merge = patient_merge(kept=kept, absorbed=absorbed, user=user, reason="doublon évident")
    absorbed.refresh_from_db()
    assert absorbed.merged_into == kept and absorbed.merged_at is not None
    assert LocalIdentifier.objects.get(value="IPP-ABS").patient == kept
    assert InsiLookup.objects.get().patient == kept
    assert CareRelationship.objects.filter(patient=kept, kind=CareRelationshipKind.GENERAL_PRACTITIONER).exists()
    assert CareRelationship.objects.filter(patient=absorbed).count() == 1  # the duplicate link
    # The read stays written under the absorbed id, and is shown in the kept patient's access log.
    assert AccessTrail.objects.filter(patient_id=absorbed.pk, action=TrailAction.READ).count() == 1
    assert AccessTrail.objects.filter(patient_id=absorbed.pk, action=TrailAction.MERGE).count() == 1
    assert [line.action for line in patient_openers(kept.pk) if line.action == TrailAction.READ] == ["read"]
    assert absorbed.identity_changes.filter(kind=ChangeKind.MERGE).exists()
    assert merge.moved["records.CareRelationship"]["patient_id"]
    # The absorbed identity no longer appears in searches.
    assert list(search_patients(name="dupon")) == [kept]


def test_unmerge_puts_every_row_back(personas):
    user, kept, absorbed = _world(personas)
    before = {
        "links": set(CareRelationship.objects.filter(patient=absorbed).values_list("pk", flat=True)),
        "trail": set(AccessTrail.objects.filter(patient_id=absorbed.pk).values_list("pk", flat=True)),
    }
    merge = patient_merge(kept=kept, absorbed=absorbed, user=user, reason="erreur")
    with pytest.raises(IdentityError, match="motif"):
        patient_unmerge(merge=merge, user=personas["admin"], reason="")
    patient_unmerge(merge=merge, user=personas["admin"], reason="pas la même personne")
    absorbed.refresh_from_db()
    assert absorbed.merged_into is None
    assert set(CareRelationship.objects.filter(patient=absorbed).values_list("pk", flat=True)) == before["links"]
    assert before["trail"] <= set(AccessTrail.objects.filter(patient_id=absorbed.pk).values_list("pk", flat=True))
    assert LocalIdentifier.objects.get(value="IPP-ABS").patient == absorbed
    merge.refresh_from_db()
    assert merge.reverted_by == personas["admin"]
    with pytest.raises(IdentityError, match="déjà été annulée"):
        patient_unmerge(merge=merge, user=personas["admin"], reason="encore")


def test_two_qualified_identities_with_different_ins_are_never_merged(personas):
    kept, absorbed = PatientFactory(qualified=True), PatientFactory(qualified=True)
    with pytest.raises(IdentityError, match="qualifiées avec des INS différents"):
        patient_merge(kept=kept, absorbed=absorbed, user=personas["doctor"], reason="x")
    assert not PatientMerge.objects.exists()
    assert Patient.objects.filter(merged_into__isnull=False).count() == 0


def test_the_identity_carrying_the_ins_must_be_the_one_kept(personas):
    kept, absorbed = PatientFactory(), PatientFactory(retrieved=True)
    with pytest.raises(IdentityError, match="Conservez plutôt"):
        patient_merge(kept=kept, absorbed=absorbed, user=personas["doctor"], reason="x")
    patient_merge(kept=absorbed, absorbed=kept, user=personas["doctor"], reason="x")


@pytest.mark.parametrize("case", ["self", "already", "no_reason"])
def test_bad_merges_are_refused(personas, case):
    first, second = PatientFactory(), PatientFactory()
    if case == "already":
        patient_merge(kept=first, absorbed=second, user=None, reason="x")
        with pytest.raises(IdentityError, match="déjà été fusionnée"):
            patient_merge(kept=first, absorbed=second, user=None, reason="x")
    elif case == "self":
        with pytest.raises(IdentityError, match="elle-même"):
            patient_merge(kept=first, absorbed=first, user=None, reason="x")
    else:
        with pytest.raises(IdentityError, match="motif"):
            patient_merge(kept=first, absorbed=second, user=None, reason="")
