"""Loading a patient or a programme (PPS or PPAC) for a view, with the access check both share."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from identity.models import Patient
from pps import perms
from pps.models import Pps


def patient_for(request, patient_pk: int) -> Patient:
    patient = get_object_or_404(Patient.objects.current(), pk=patient_pk)
    if not perms.can_work_on_patient_pps(request.user, patient):
        raise PermissionDenied
    return patient


def programme_for(request, pk: int, load: Callable[[int], Pps]) -> Pps:
    """``load`` is the selector of the programme (``pps_detail`` or ``ppac_detail``)."""
    try:
        programme = load(pk)
    except Pps.DoesNotExist:
        raise Http404 from None
    if not perms.can_work_on_patient_pps(request.user, programme.patient):
        raise PermissionDenied
    return programme
