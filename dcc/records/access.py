"""Patient-level access: a user sees a patient only when part of that patient's care.

A user is part of a patient's care when a current ``CareRelationship`` of that patient names
the user, the user's professional identity, an establishment of the user's patient-care
profiles, or a 3C of the user's *Secrétaire 3C* profile. Everyone else gets search results
with no clinical content.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from dcc.accounts import perms
from dcc.accounts.enums import Permission, Profile
from dcc.records import request_memo
from dcc.records.models import BreakGlassGrant


def has_patient_care_profile(user) -> bool:
    """Holds a profile with the right to read patient records (``Permission.PATIENT_READ``)."""
    return Permission.PATIENT_READ in perms.permissions_of(user)


@dataclass(frozen=True)
class CareParties:
    """Who ``user`` can be in a patient's care: the user, his professional identity, the establishments of his
    patient-care profiles, the 3Cs of his *Secrétaire 3C* profile."""

    user_id: int
    professional_id: int | None
    establishment_ids: tuple[int, ...]
    three_c_ids: tuple[int, ...]


def care_parties(user) -> CareParties | None:
    """``None`` for a user without a profile that reads patient records."""
    if not has_patient_care_profile(user):
        return None
    establishment_ids: set[int] = set()
    three_c_ids: set[int] = set()
    readers = {profile for profile, held in perms.profile_permissions(user).items() if Permission.PATIENT_READ in held}
    for grant in user.scoped_grants():
        if grant.profile not in readers:
            continue
        establishment_ids.update(establishment.pk for establishment in grant.establishments.all())
        if grant.profile == Profile.SECRETAIRE_3C:
            three_c_ids.update(three_c.pk for three_c in grant.three_cs.all())
    return CareParties(user.pk, user.professional_id, tuple(sorted(establishment_ids)), tuple(sorted(three_c_ids)))


def care_scope(user) -> Q:
    """The care relationships that give ``user`` access (a filter on CareRelationship)."""
    parties = care_parties(user)
    if parties is None:
        return Q(pk__in=[])
    scope = Q(user_id=parties.user_id)
    if parties.professional_id:
        scope |= Q(professional_id=parties.professional_id)
    if parties.establishment_ids:
        scope |= Q(establishment_id__in=parties.establishment_ids)
    if parties.three_c_ids:
        scope |= Q(three_c_id__in=parties.three_c_ids)
    return scope


# care_scope for one patient, as one statement whose text never changes (the parties are arrays).
_IN_CARE_SQL = (
    "SELECT 1 FROM records_carerelationship WHERE ended_at IS NULL AND patient_id = %s AND (user_id = %s"
    " OR professional_id = %s OR establishment_id = ANY(%s::bigint[]) OR three_c_id = ANY(%s::bigint[])) LIMIT 1"
)


def in_care(parties: CareParties, patient_id: int) -> bool:
    """A current care relationship of the patient names one of ``parties``.

    The same rows as ``CareRelationship.objects.current().filter(care_scope(user), patient=…)``, asked by a
    statement written once: building and compiling that queryset took about three times as long as PostgreSQL
    took to answer it, on nearly every page (tests/records/test_access.py compares the two)."""
    establishments, three_cs = list(parties.establishment_ids), list(parties.three_c_ids)
    with connection.cursor() as cursor:
        cursor.execute(_IN_CARE_SQL, [patient_id, parties.user_id, parties.professional_id, establishments, three_cs])
        return cursor.fetchone() is not None


def has_active_break_glass(user, patient) -> bool:
    patient_id = getattr(patient, "pk", patient)
    return BreakGlassGrant.objects.active().filter(user_id=user.pk, patient_id=patient_id).exists()


def can_view_patient(user, patient) -> bool:
    """Part of the patient's care, or holding an unexpired bris de glace grant for that patient.

    A refusal is noted for the request's trail (``dcc.records.refusals``): if the page ends in a 403/404,
    the refusal line names this patient. An allowed answer is memoised for the request.
    """
    memo = request_memo.current()
    patient_id = getattr(patient, "pk", patient)
    key = ("can_view_patient", user.pk, patient_id)
    if memo is not None and memo.get(key):
        return True
    parties = care_parties(user)
    if parties is not None and (in_care(parties, patient_id) or has_active_break_glass(user, patient)):
        if memo is not None:
            memo[key] = True
        return True
    from dcc.records.refusals import note_refused_patient

    note_refused_patient(patient)
    return False
