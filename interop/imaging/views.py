"""The patient's imaging studies (a fragment loaded by the patient page, or a page of its own)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, render

from dcc.decorators import require
from dcc.records.access import can_view_patient, has_patient_care_profile
from dcc.records.enums import TrailAction
from dcc.records.trail import trail_record
from identity.models import Patient
from interop.imaging import selectors


@require(has_patient_care_profile)
def patient_studies(request, patient_pk: int):
    patient = get_object_or_404(Patient.objects.current(), pk=patient_pk)
    if not can_view_patient(request.user, patient):
        raise PermissionDenied
    result = selectors.patient_studies(patient)
    with transaction.atomic():
        trail_record(
            user=request.user,
            action=TrailAction.READ,
            patient=patient,
            obj=patient,
            request=request,
            detail=f"examens d'imagerie ({len(result.studies)})",
        )
    context = {"patient": patient, "result": result, "attach_url": "", "attached_uids": ()}
    template = "imaging/_studies.html" if request.htmx else "imaging/patient_studies.html"
    return render(request, template, context)
