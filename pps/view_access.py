"""What the PPS and PPAC views share: loading a patient or a programme with the access check, running a form
against a service, and the contacts (the same model and services for both programmes)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from identity.models import Patient
from pps import forms, perms, selectors, services
from pps.models import Pps, PpsContact


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


def run_form(request, form, action, success: str, *, done_url: str, show_again: Callable) -> HttpResponse:
    """Validate ``form`` and run ``action(cleaned_data)`` (a service call); on success a message and a redirect to
    ``done_url``, else ``show_again(form)`` (the page again, the input and the French errors kept)."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, success)
            return redirect(done_url)
    return show_again(form)


def contact_adding(request, programme: Pps):
    """The contact form of ``programme`` bound to the request, and the service call that adds the contact."""
    form = forms.ContactForm(request.POST, professionals=selectors.directory_choices(programme))

    def add(data) -> None:
        services.pps_contact_add(
            pps=programme,
            professional=data["professional"],
            role=data["role"],
            by=request.user,
            request=request,
            establishment=programme.establishment,
        )

    return form, add


def remove_contact(request, programme: Pps, contact_pk: int, *, done_url: str, show_errors: Callable) -> HttpResponse:
    contact = get_object_or_404(PpsContact, pk=contact_pk, pps=programme)
    try:
        services.pps_contact_remove(contact=contact, by=request.user, request=request)
    except ValidationError as error:
        return show_errors(error.messages)
    return redirect(done_url)
