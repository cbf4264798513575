"""CR de concertation: an opinion given outside a session, its page and its document."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dcc.decorators import require
from dcc.records.access import can_view_patient, has_patient_care_profile
from dcc.records.perms import can_view_documents
from dcc.records.selectors import source_generation
from identity.models import Patient
from rcp import forms, perms, selectors
from rcp.concertation_documents import CONCERTATION_SOURCE
from rcp.models import Concertation
from rcp.services import concertations as concertation_services
from rcp.views.helpers import errors_to_form, trace

# --- CR de concertation ---------------------------------------------------------------------


def _patient_in_care(request, patient_pk: int) -> Patient:
    patient = get_object_or_404(Patient.objects.current(), pk=patient_pk)
    if not can_view_patient(request.user, patient):
        raise PermissionDenied
    return patient


@require(perms.is_doctor)
def concertation_create(request, patient_pk: int):
    patient = _patient_in_care(request, patient_pk)
    form = forms.ConcertationForm(
        request.POST or None,
        rcps=selectors.concertation_rcps(request.user),
        doctors=selectors.concertation_doctors(request.user),
        treatment_entries=selectors.fiche_code_lists(["type_traitement"])["type_traitement"],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concertation = concertation_services.concertation_create(
                patient=patient,
                requesting_doctor=request.user.professional,
                consulted=list(data["consulted"]),
                question=data["question"],
                opinion=data["opinion"],
                treatment_codes=[data["treatment_1"], data["treatment_2"]],
                rcp=data["rcp"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Compte rendu de concertation signé.")
            return redirect("rcp:concertation", concertation.pk)
    return render(request, "rcp/concertation_form.html", {"patient": patient, "form": form})


@require(has_patient_care_profile)
def concertation_detail(request, pk: int):
    concertation = get_object_or_404(
        Concertation.objects.select_related("patient", "rcp", "requesting_doctor", "author").prefetch_related(
            "consulted"
        ),
        pk=pk,
    )
    if not can_view_patient(request.user, concertation.patient):
        raise PermissionDenied
    trace(request, concertation.patient, concertation)
    context = {
        "concertation": concertation,
        "treatments": selectors.concertation_treatments(concertation),
        "can_view_documents": can_view_documents(request.user, concertation.patient),
        "generation": source_generation(CONCERTATION_SOURCE, concertation.pk),
        "relaunch_url": reverse("rcp:concertation_document_relaunch", args=[concertation.pk])
        if perms.can_relaunch_concertation_document(request.user, concertation)
        else "",
    }
    return render(request, "rcp/concertation_detail.html", context)


@require(has_patient_care_profile)
@require_POST
def concertation_document_relaunch(request, pk: int):
    concertation = get_object_or_404(Concertation.objects.select_related("patient"), pk=pk)
    if not perms.can_relaunch_concertation_document(request.user, concertation):
        raise PermissionDenied
    if concertation_services.concertation_document_relaunch(
        concertation=concertation, by=request.user, request=request
    ):
        messages.success(request, "Production du document relancée.")
    else:
        messages.info(request, "Le document est déjà produit ou en cours de production.")
    return redirect("rcp:concertation", pk)
