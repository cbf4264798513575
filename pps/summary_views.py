"""The patient summary page: the one place that leads to everything the DCC holds on a patient."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from dcc.records.access import can_view_patient
from dcc.records.enums import TrailAction
from dcc.records.trail import trail_record
from identity.models import Patient
from pps import perms
from pps.summary import patient_summary


@login_required
def patient(request, patient_pk: int):
    patient = get_object_or_404(Patient.objects.current().select_related("general_practitioner"), pk=patient_pk)
    if not can_view_patient(request.user, patient):
        raise PermissionDenied
    summary = patient_summary(patient)
    trail_record(user=request.user, action=TrailAction.READ, patient=patient, request=request, detail="Synthèse")
    context = {
        "patient": patient,
        "summary": summary,
        "can_author_pps": perms.can_author_pps(request.user),
    }
    return render(request, "pps/summary.html", context)
