"""Patient-level access: a user sees a patient only when part of that patient's care.

A user is part of a patient's care when a current ``CareRelationship`` of that patient names
the user, the user's professional identity, an establishment of the user's patient-care
profiles, or a 3C of the user's *Secrétaire 3C* profile. Everyone else gets search results
with no clinical content.
"""

from __future__ import annotations

from django.db.models import Q

from dcc.accounts import perms
from dcc.accounts.enums import Permission, Profile
from dcc.records import request_memo
from dcc.records.models import BreakGlassGrant, CareRelationship


def has_patient_care_profile(user) -> bool:
    """Holds a profile with the right to read patient records (``Permission.PATIENT_READ``)."""
    return Permission.PATIENT_READ in perms.permissions_of(user)


def care_scope(user) -> Q:
    """The care relationships that give ``user`` access (a filter on CareRelationship)."""
    if not has_patient_care_profile(user):
        return Q(pk__in=[])
    scope = Q(user_id=user.pk)
    if user.professional_id:
        scope |= Q(professional_id=user.professional_id)
    establishment_ids: set[int] = set()
    three_c_ids: set[int] = set()
    readers = {profile for profile, held in perms.profile_permissions(user).items() if Permission.PATIENT_READ in held}
    for grant in user.scoped_grants():
        if grant.profile not in readers:
            continue
        establishment_ids.update(establishment.pk for establishment in grant.establishments.all())
        if grant.profile == Profile.SECRETAIRE_3C:
            three_c_ids.update(three_c.pk for three_c in grant.three_cs.all())
    if establishment_ids:
        scope |= Q(establishment_id__in=establishment_ids)
    if three_c_ids:
        scope |= Q(three_c_id__in=three_c_ids)
    return scope


def has_active_break_glass(user, patient) -> bool:
    patient_id = getattr(patient, "pk", patient)
    return BreakGlassGrant.objects.active().filter(user_id=user.pk, patient_id=patient_id).exists()


def can_view_patient(user, patient) -> bool:
    """Part of the patient's care, or holding an unexpired bris de glace grant for that patient.

    A refusal is noted for the request's trail (``dcc.records.refusals``): if the page ends in a 403/404,
    the refusal line names this patient. An allowed answer is memoised for the request.
    """
    memo = request_memo.current()
    key = ("can_view_patient", user.pk, getattr(patient, "pk", patient))
    if memo is not None and memo.get(key):
        return True
    if has_patient_care_profile(user) and (
        CareRelationship.objects.current().filter(care_scope(user), patient=patient).exists()
        or has_active_break_glass(user, patient)
    ):
        if memo is not None:
            memo[key] = True
        return True
    from dcc.records.refusals import note_refused_patient

    note_refused_patient(patient)
    return False
