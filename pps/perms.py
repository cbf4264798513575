"""Who may do what with PPS and the EDP library: every check reads the rights table (``user_can``):
``pps_author`` writes PPS, ``pps_library`` manages the regional library, ``stats_read`` reads the statistics."""

from __future__ import annotations

from dcc.accounts.enums import Permission
from dcc.accounts.perms import user_can
from dcc.records.access import can_view_patient
from pps.enums import GroupScope


def can_author_pps(user) -> bool:
    return user_can(user, Permission.PPS_AUTHOR)


def can_manage_regional_library(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser) or user_can(
        user, Permission.PPS_LIBRARY
    )


def can_use_library(user) -> bool:
    return can_author_pps(user) or can_manage_regional_library(user)


def can_edit_group(user, group) -> bool:
    if group.scope == GroupScope.REGIONAL:
        return can_manage_regional_library(user)
    return group.owner_id == user.pk and can_use_library(user)


def can_create_regional_group(user) -> bool:
    return can_manage_regional_library(user)


def can_work_on_patient_pps(user, patient) -> bool:
    """Write and read a patient's PPS: a PPS author who is part of the patient's care."""
    return can_author_pps(user) and can_view_patient(user, patient)


def can_view_statistics(user) -> bool:
    return user_can(user, Permission.STATS_READ)
