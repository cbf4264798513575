"""Who may do what with PPS and the EDP library."""

from __future__ import annotations

from dcc.accounts.enums import PATIENT_CARE_PROFILES, Profile
from dcc.accounts.perms import can_administer
from dcc.records.access import can_view_patient
from pps.enums import GroupScope

# Profiles that write PPS (the seed's PPS-per-profile table: annonce, hospital doctors, medical
# and 3C secretaries).
PPS_AUTHOR_PROFILES = PATIENT_CARE_PROFILES


def can_author_pps(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.profiles & PPS_AUTHOR_PROFILES)


def can_use_library(user) -> bool:
    return can_author_pps(user) or can_administer(user)


def can_edit_group(user, group) -> bool:
    if group.scope == GroupScope.REGIONAL:
        return can_administer(user)
    return group.owner_id == user.pk and can_use_library(user)


def can_create_regional_group(user) -> bool:
    return can_administer(user)


def can_work_on_patient_pps(user, patient) -> bool:
    """Write and read a patient's PPS: a PPS author who is part of the patient's care."""
    return can_author_pps(user) and can_view_patient(user, patient)


def can_view_statistics(user) -> bool:
    return can_administer(user) or user.has_profile(Profile.SECRETAIRE_3C) or user.has_profile(Profile.REGISTRE)
