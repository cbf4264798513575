"""Who may do what with patient identities (patient-level access comes from ``dcc.records.access``)."""

from __future__ import annotations

from dcc.accounts.enums import Profile
from dcc.accounts.perms import can_administer
from dcc.records.access import can_view_patient, has_patient_care_profile


def can_search_patients(user) -> bool:
    """Patient-care profiles search the regional index (identity only outside their patients' care)."""
    return has_patient_care_profile(user)


def can_create_patient(user) -> bool:
    return has_patient_care_profile(user)


def can_edit_identity(user, patient) -> bool:
    return can_view_patient(user, patient)


def can_review_identity_quality(user) -> bool:
    """The data-quality page: regional administrators and 3C secretaries (identity vigilance)."""
    return bool(can_administer(user) or (user.is_authenticated and user.has_profile(Profile.SECRETAIRE_3C)))


def can_merge(user, kept, absorbed) -> bool:
    if not can_review_identity_quality(user):
        return False
    return can_administer(user) or (can_view_patient(user, kept) and can_view_patient(user, absorbed))


def can_unmerge(user) -> bool:
    return can_administer(user)
