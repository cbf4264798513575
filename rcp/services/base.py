"""What the RCP write modules share: their refusals, the dossier's status change and the access trail."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from dcc.records.trail import trail_record
from rcp.enums import DOSSIER_TRANSITIONS, DossierStatus
from rcp.models import Dossier, DossierTransition, Fiche


class TransitionError(ValidationError):
    """A forbidden status change."""


class RoleRefused(ValidationError):
    """An action the user's role does not allow (views turn it into a 403 or a message)."""


class FicheConflict(Exception):
    """Someone else saved the fiche since the form was opened: nothing was written."""

    def __init__(self, current: Fiche, submitted: dict):
        super().__init__("Conflit de modification")
        self.current = current
        self.submitted = submitted


def dossier_log(dossier: Dossier, from_status: str, to_status: str, *, by, note: str = "") -> None:
    DossierTransition.objects.create(
        dossier=dossier, from_status=from_status, to_status=to_status, note=note, by=by if by else None
    )


def dossier_check_transition(dossier: Dossier, to: str) -> None:
    if to not in DOSSIER_TRANSITIONS[dossier.status]:
        raise TransitionError(
            f"Transition impossible : un dossier « {DossierStatus(dossier.status).label.lower()} » "
            f"ne peut pas passer à « {DossierStatus(to).label.lower()} »."
        )


def dossier_set_status(dossier: Dossier, to: str, *, by, note: str = "") -> Dossier:
    """Write the new status and its line in the dossier's transition log (the caller checked the move)."""
    current = dossier.status
    dossier.status = to
    dossier.save(update_fields=["status", "is_late"])
    dossier_log(dossier, current, to, by=by, note=note)
    return dossier


def trail(*, by, action: str, patient, obj, request=None, detail: str = "") -> None:
    """One access-trail line for a write on a patient's data."""
    trail_record(user=by, action=action, patient=patient, obj=obj, request=request, detail=detail)
