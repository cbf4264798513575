"""Who may see the access layer's pages."""

from __future__ import annotations

from dcc.accounts import perms
from dcc.accounts.enums import Permission
from dcc.records import access


def may_read_trails(user) -> bool:
    """Entry check for the per-patient access log (the patient-level check follows)."""
    return perms.user_can(user, Permission.TRAIL_READ)


def can_view_access_log(user, patient) -> bool:
    """The regional admin, or a holder of the right who is part of the patient's care (3C secretary)."""
    if perms.can_audit_trail(user):
        return True
    return may_read_trails(user) and access.can_view_patient(user, patient)


def can_review_quarantine(user) -> bool:
    """Imported documents in quarantine: the 3C secretaries and the regional admin (agenda holders)."""
    return perms.user_can(user, Permission.RCP_AGENDA)


def can_view_documents(user, patient) -> bool:
    """May open the patient's record documents (the page ``records:documents``): the link is shown only then."""
    return access.can_view_patient(user, patient)
