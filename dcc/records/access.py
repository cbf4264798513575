"""Patient-level access: a user sees a patient only when part of that patient's care.

A user is part of a patient's care when a current ``CareRelationship`` of that patient names
the user, the user's professional identity, an establishment of the user's patient-care
profiles, or a 3C of the user's *Secrétaire 3C* profile. Everyone else gets search results
with no clinical content.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from dcc.accounts.enums import PATIENT_CARE_PROFILES, Profile
from dcc.records.models import CareRelationship
from identity.models import Patient


def has_patient_care_profile(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.profiles & PATIENT_CARE_PROFILES)


def care_scope(user) -> Q:
    """The care relationships that give ``user`` access (a filter on CareRelationship)."""
    if not has_patient_care_profile(user):
        return Q(pk__in=[])
    scope = Q(user_id=user.pk)
    if user.professional_id:
        scope |= Q(professional_id=user.professional_id)
    establishment_ids: set[int] = set()
    three_c_ids: set[int] = set()
    for grant in user.active_grants():
        if grant.profile not in PATIENT_CARE_PROFILES:
            continue
        establishment_ids.update(establishment.pk for establishment in grant.establishments.all())
        if grant.profile == Profile.SECRETAIRE_3C:
            three_c_ids.update(three_c.pk for three_c in grant.three_cs.all())
    if establishment_ids:
        scope |= Q(establishment_id__in=establishment_ids)
    if three_c_ids:
        scope |= Q(three_c_id__in=three_c_ids)
    return scope


def visible_patients(user) -> QuerySet[Patient]:
    """The patients whose record ``user`` may open (without bris de glace)."""
    links = CareRelationship.objects.current().filter(care_scope(user)).values("patient_id")
    return Patient.objects.current().filter(pk__in=links)


def can_view_patient(user, patient: Patient) -> bool:
    if not has_patient_care_profile(user):
        return False
    return CareRelationship.objects.current().filter(care_scope(user), patient=patient).exists()
