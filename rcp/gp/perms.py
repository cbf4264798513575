"""Who may do what in the GP loop (over the rights table and the care relationships)."""

from __future__ import annotations

from dcc.accounts import perms as account_perms
from dcc.accounts.enums import Permission
from dcc.records.access import can_view_patient
from rcp.enums import DossierStatus
from rcp.gp.enums import NoticeOutcome

CONTRIBUTION_OPEN = frozenset({DossierStatus.REGISTERED, DossierStatus.PRESENTED})


def is_notified_gp(user) -> bool:
    """Holds patient access and is a professional: may have been notified as a patient's GP."""
    return bool(
        user.is_authenticated and user.professional_id and Permission.PATIENT_READ in account_perms.permissions_of(user)
    )


def notified_gp_of(user, dossier) -> bool:
    """The user is the GP the registration of this dossier notified."""
    from rcp.gp.models import GpNotice

    return bool(
        is_notified_gp(user)
        and GpNotice.objects.filter(
            dossier_id=dossier.pk, professional_id=user.professional_id, outcome=NoticeOutcome.NOTIFIED
        ).exists()
    )


def can_contribute(user, dossier) -> bool:
    """The notified GP, still part of the patient's care, while the dossier waits for or is at its session."""
    return (
        dossier.status in CONTRIBUTION_OPEN
        and notified_gp_of(user, dossier)
        and can_view_patient(user, dossier.patient)
    )


def can_edit_notice_settings(user) -> bool:
    """The regional rule is the regional administrator's (the right to administer users, region-wide)."""
    return account_perms.user_can(user, Permission.USERS_ADMIN)
