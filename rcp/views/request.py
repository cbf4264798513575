"""« Nouvelle demande d'avis » for a known patient: choose the session, then register (the contextual
launch's ``demande_avis`` target lands here)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from dcc.decorators import require
from dcc.records.access import can_view_patient
from identity.models import Patient
from rcp import perms, selectors
from rcp.enums import SessionStatus
from rcp.models import Session
from rcp.views.helpers import trace

WEEKS_AHEAD = 8


def sessions_for_request(user, *, weeks: int = WEEKS_AHEAD) -> list[Session]:
    """Coming sessions (planned or open) of the RCPs of the user's 3C or of which the user is a member."""
    today = timezone.localdate()
    start = selectors.local_midnight(today)
    end = selectors.local_midnight(today + datetime.timedelta(weeks=weeks))
    scope = Q(rcp__three_c_id__in=selectors.user_three_c_ids(user))
    if user.professional_id:
        scope |= Q(rcp__members__professional_id=user.professional_id)
    return list(
        Session.objects.filter(scope, starts_at__gte=start, starts_at__lt=end)
        .filter(status__in=[SessionStatus.PLANNED, SessionStatus.OPEN])
        .select_related("rcp__establishment", "rcp__three_c")
        .distinct()
        .order_by("starts_at")[:60]
    )


@require(perms.can_register_dossiers)
def dossier_new(request, patient_pk: int):
    patient = get_object_or_404(Patient.objects.current(), pk=patient_pk)
    if not can_view_patient(request.user, patient):
        raise PermissionDenied
    trace(request, patient, patient, detail="nouvelle demande d'avis")
    sessions = [
        {"session": session, "late": session.is_past_registration_deadline}
        for session in sessions_for_request(request.user)
    ]
    return render(request, "rcp/dossier_new.html", {"patient": patient, "sessions": sessions})
