"""Dossiers (demandes d'avis): registration, attachments, the dossier page, status changes, order of presentation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dcc.decorators import require
from dcc.params import int_param
from dcc.records.access import can_view_patient, has_patient_care_profile
from dcc.records.perms import can_view_documents
from dcc.records.trail import trail_search
from identity.models import Patient
from identity.selectors import search_for_user
from rcp import forms, perms, selectors
from rcp.enums import DossierStatus
from rcp.gp.services import gp_notice_record_consultation
from rcp.models import Session
from rcp.services import dossiers as dossier_services
from rcp.views.helpers import (
    dossier_for_user,
    errors_to_form,
    fiche_documents_context,
    signing_blockers,
    trace,
    validate_form,
)

# --- Registration ---------------------------------------------------------------------------


@require(perms.can_register_dossiers)
def dossier_register(request, pk: int):
    session = get_object_or_404(Session.objects.select_related("rcp__establishment", "rcp__three_c"), pk=pk)
    search = forms.PatientSearchForm(request.GET or None)
    results = []
    if search.is_valid() and (search.cleaned_data["q"] or search.cleaned_data["birth_date"]):
        results = search_for_user(
            request.user, name=search.cleaned_data["q"], birth_date=search.cleaned_data["birth_date"], limit=20
        )
        with transaction.atomic():
            shown = [item["patient"] for item in results]
            trail_search(request=request, patients=shown, detail="recherche patient (inscription RCP)")
    patient = None
    patient_id = int_param(request.POST if "patient" in request.POST else request.GET, "patient", label="patient")
    if patient_id:
        patient = get_object_or_404(Patient.objects.current(), pk=patient_id)
        if not can_view_patient(request.user, patient):
            raise PermissionDenied
    form = forms.DossierForm(
        request.POST or None,
        doctors=selectors.requesting_doctors(session, request.user),
        documents=selectors.attachable_documents(patient) if patient is not None else None,
        initial={"requesting_doctor": request.user.professional_id},
    )
    if request.method == "POST" and patient is not None and form.is_valid():
        data = form.cleaned_data
        try:
            dossier = dossier_services.dossier_register(
                session=session,
                patient=patient,
                requesting_doctor=data["requesting_doctor"],
                motive=data["motive"],
                question=data["question"],
                by=request.user,
                draft=data["draft"],
                attachments=data["attachments"],
                request=request,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                "Dossier enregistré en brouillon."
                if dossier.is_draft
                else f"Patient inscrit à la séance (position {dossier.position}).",
            )
            return redirect("rcp:dossier", dossier.pk)
    if patient is not None and request.method == "GET":
        trace(request, patient, patient, detail="inscription RCP")
    context = {
        "session": session,
        "search": search,
        "results": results,
        "patient": patient,
        "form": form,
        "late": session.is_past_registration_deadline,
    }
    return render(request, "rcp/dossier_register.html", context)


@require(has_patient_care_profile)
def dossier_attachments(request, pk: int):
    """Choose the documents of the patient's record joined to the demande d'avis (draft or registered dossier)."""
    dossier = dossier_for_user(request, pk)
    if not perms.can_edit_attachments(request.user, dossier):
        raise PermissionDenied
    attached = [attachment.document for attachment in dossier.attached_documents.all()]
    form = forms.AttachmentsForm(
        request.POST or None,
        documents=selectors.attachable_documents(dossier.patient),
        initial={"attachments": [document.pk for document in attached]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            dossier_services.dossier_attachments_set(
                dossier=dossier, documents=form.cleaned_data["attachments"], by=request.user, request=request
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Pièces jointes enregistrées.")
            return redirect("rcp:dossier", pk)
    if request.method == "GET":
        trace(request, dossier.patient, dossier, detail="choix des pièces jointes")
    return render(request, "rcp/dossier_attachments.html", {"dossier": dossier, "form": form})


@require(has_patient_care_profile)
def dossier_detail(request, pk: int):
    dossier = dossier_for_user(request, pk)
    trace(request, dossier.patient, dossier)
    gp_notice_record_consultation(dossier=dossier, user=request.user)
    fiche = dossier.fiche
    context = {
        "dossier": dossier,
        "can_edit_attachments": perms.can_edit_attachments(request.user, dossier),
        "can_view_documents": can_view_documents(request.user, dossier.patient),
        "fiche": fiche,
        "labels": selectors.fiche_labels(fiche),
        "can_edit": perms.can_edit_fiche(request.user, dossier),
        "is_doctor": perms.is_doctor(request.user),
        "is_secretary": perms.is_three_c_secretary_of(request.user, dossier.session.rcp),
        "quorum": selectors.fiche_quorum(fiche) if not fiche.is_validated else None,
        "validate_form": validate_form(request, fiche),
        "signing_blockers": signing_blockers(request, fiche),
        "statuses": DossierStatus,
    }
    if fiche.is_validated:
        context |= fiche_documents_context(request, dossier)
    return render(request, "rcp/dossier_detail.html", context)


@require(has_patient_care_profile)
@require_POST
def dossier_status(request, pk: int):
    dossier = dossier_for_user(request, pk, edit=True)
    form = forms.DossierStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Changement de statut inconnu.")
        return redirect("rcp:dossier", pk)
    to, note = form.cleaned_data["to"], form.cleaned_data["note"]
    try:
        dossier_services.dossier_status_set(dossier=dossier, to=to, by=request.user, note=note, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Dossier : {DossierStatus(to).label.lower()}.")
    target = request.POST.get("next", "")
    if target.startswith("/rcp/"):
        return redirect(target)
    return redirect("rcp:dossier", pk)


@require(has_patient_care_profile)
def patient_dossiers(request, patient_pk: int):
    patient = get_object_or_404(Patient.objects.current(), pk=patient_pk)
    if not can_view_patient(request.user, patient):
        raise PermissionDenied
    trace(request, patient, patient, detail="dossiers RCP")
    context = {
        "patient": patient,
        "dossiers": selectors.patient_dossiers(patient),
        "concertations": selectors.patient_concertations(patient),
        "can_write_concertation": perms.is_doctor(request.user),
    }
    return render(request, "rcp/patient_dossiers.html", context)


@require(perms.can_register_dossiers)
@require_POST
def session_reorder(request, pk: int):
    session = get_object_or_404(Session.objects.select_related("rcp"), pk=pk)
    if not perms.is_three_c_secretary_of(request.user, session.rcp):
        raise PermissionDenied
    moved = request.POST.get("dossier", "")
    try:
        dossier_services.dossier_move(
            session=session,
            dossier_id=int(moved) if moved.isdigit() else None,
            up=request.POST.get("direction") == "up",
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rcp:session", pk)
    return redirect(reverse("rcp:session", args=[pk]) + "#dossiers")
