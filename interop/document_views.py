"""The documents of a patient's record: timeline, PDF in the browser, CDA as readable HTML, downloads,
import of an external document and its quarantine.

They live in ``interop`` because they parse, render and validate CDA and run the import of
``interop.importing``; the documents themselves are ``dcc.records`` models. Their URLs keep the
``records:`` names (``dcc/urls.py`` mounts ``interop.document_urls`` with ``dcc.records.urls``).

Every view checks ``can_view_patient`` and writes a trail line (read or download).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header

from dcc.decorators import require
from dcc.records import access, documents_services, selectors
from dcc.records.documents_services import document_file_bytes
from dcc.records.enums import DocumentOrigin, GenerationStatus, QuarantineStatus, TrailAction, ValidationStatus
from dcc.records.forms import DocumentFilterForm, DocumentUploadForm, QuarantineDecisionForm
from dcc.records.models import Document, QuarantinedDocument
from dcc.records.perms import can_review_quarantine
from dcc.records.trail import trail_record
from identity.models import Patient
from interop.cda.parsing import UnsafeDocumentError
from interop.cda.rendering import render_cda
from interop.cda.validation import validate_cda
from interop.importing import ImportRefused, document_import


def _patient_or_403(user, patient_id: int) -> Patient:
    patient = get_object_or_404(Patient, pk=patient_id)
    if not access.can_view_patient(user, patient):
        raise PermissionDenied
    return patient


def _document_or_403(user, document_id: int) -> Document:
    document = get_object_or_404(Document.objects.select_related("patient", "establishment"), pk=document_id)
    if not access.can_view_patient(user, document.patient):
        raise PermissionDenied
    return document


def _trail(request, action: str, patient, document=None, detail: str = "") -> None:
    # A single INSERT is atomic by itself: no BEGIN/COMMIT round trips on every page.
    trail_record(user=request.user, action=action, patient=patient, obj=document, request=request, detail=detail)


@require(access.has_patient_care_profile)
def documents(request, patient_id: int):
    patient = _patient_or_403(request.user, patient_id)
    form = DocumentFilterForm(request.GET or None, types=selectors.patient_document_types(patient.pk))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    items = list(
        selectors.patient_documents(
            patient.pk,
            type_code=filters.get("type_code") or "",
            start=filters.get("start"),
            end=filters.get("end"),
            include_replaced=bool(filters.get("include_replaced")),
        )[:200]
    )
    _trail(request, TrailAction.READ, patient, detail="dossier documentaire")
    return render(
        request,
        "records/documents/list.html",
        {"patient": patient, "form": form, "documents": items, "generations": selectors.recent_generations(patient.pk)},
    )


@require(access.has_patient_care_profile)
def generations(request, patient_id: int):
    """The htmx fragment polled while documents are being produced."""
    patient = _patient_or_403(request.user, patient_id)
    items = selectors.recent_generations(patient.pk)
    polling = any(item.status in (GenerationStatus.PENDING, GenerationStatus.RUNNING) for item in items)
    _trail(request, TrailAction.READ, patient, detail="suivi de production des documents")
    return render(
        request,
        "records/documents/_generations.html",
        {"patient": patient, "generations": items, "polling": polling},
    )


@require(access.has_patient_care_profile)
def document_detail(request, document_id: int):
    document = _document_or_403(request.user, document_id)
    rendered, unreadable = None, ""
    if document.cda_file:
        try:
            rendered = render_cda(document_file_bytes(document, "cda"))
        except UnsafeDocumentError as error:
            unreadable = str(error)
    versions = list(selectors.document_versions(document.set_id))
    _trail(request, TrailAction.READ, document.patient, document, detail=document.title)
    return render(
        request,
        "records/documents/detail.html",
        {
            "document": document,
            "patient": document.patient,
            "rendered": rendered,
            "unreadable": unreadable,
            "versions": versions,
        },
    )


def _file_response(request, document: Document, field: str, *, inline: bool) -> HttpResponse:
    stored = getattr(document, f"{field}_file")
    if not stored:
        raise Http404("Ce document n'a pas de fichier de ce type.")
    content_type = "application/pdf" if field == "pdf" else "application/xml"
    extension = "pdf" if field == "pdf" else "xml"
    action = TrailAction.READ if inline else TrailAction.DOWNLOAD
    _trail(request, action, document.patient, document, detail=f"{document.title} ({extension.upper()})")
    # Documents are a few megabytes at most: read and close here rather than streaming an open file.
    response = HttpResponse(document_file_bytes(document, field), content_type=content_type)
    filename = f"{document.type_code}-{document.pk}-v{document.version}.{extension}"
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require(access.has_patient_care_profile)
def document_pdf(request, document_id: int):
    """The PDF shown in the browser (inline)."""
    return _file_response(request, _document_or_403(request.user, document_id), "pdf", inline=True)


@require(access.has_patient_care_profile)
def document_download(request, document_id: int, kind: str):
    if kind not in ("pdf", "cda"):
        raise Http404
    return _file_response(request, _document_or_403(request.user, document_id), kind, inline=False)


@require(access.has_patient_care_profile)
def document_upload(request, patient_id: int):
    """Add an external PDF or CDA to the record (checked, matched, validated by ``interop.importing``)."""
    patient = _patient_or_403(request.user, patient_id)
    limit = settings.DCC_DOCUMENT_MAX_UPLOAD_BYTES
    form = DocumentUploadForm(max_bytes=limit)
    if request.method == "POST":
        # Refuse an oversized body before the multipart parser reads it.
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 64 * 1024:
            too_big = f"Le fichier est trop volumineux : la limite est de {limit // (1024 * 1024)} Mo."
            context = {"patient": patient, "form": form, "too_big": too_big}
            return render(request, "records/documents/upload.html", context, status=413)
        form = DocumentUploadForm(request.POST, request.FILES, max_bytes=limit)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = document_import(
                    data=upload.read(),
                    filename=upload.name,
                    origin=DocumentOrigin.UPLOADED,
                    by=request.user,
                    patient=patient,
                    type_code=form.cleaned_data["type_code"],
                    act_date=form.cleaned_data["act_date"],
                    title=form.cleaned_data["title"],
                    max_bytes=limit,
                )
            except ImportRefused as refusal:
                form.add_error("file", str(refusal))
            else:
                obj = outcome.document or outcome.quarantined
                _trail(request, TrailAction.CREATE, patient, obj, detail=f"dépôt de {upload.name}")
                (messages.success if outcome.document else messages.warning)(request, outcome.message_fr)
                return redirect("records:documents", patient.pk)
    return render(request, "records/documents/upload.html", {"patient": patient, "form": form})


@require(can_review_quarantine)
def quarantine(request):
    items = list(
        QuarantinedDocument.objects.filter(status=QuarantineStatus.PENDING).select_related("uploaded_by")[:100]
    )
    _trail(request, TrailAction.READ, None, detail=f"quarantaine des documents importés ({len(items)})")
    return render(request, "records/documents/quarantine.html", {"items": items, "form": QuarantineDecisionForm()})


@require(can_review_quarantine)
def quarantine_decide(request, item_id: int):
    """Attach a quarantined document to a patient chosen by a human, or reject it (POST only)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    item = get_object_or_404(QuarantinedDocument, pk=item_id, status=QuarantineStatus.PENDING)
    form = QuarantineDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("records:quarantine")
    data = form.cleaned_data
    if data["decision"] == "reject":
        documents_services.quarantine_reject(item=item, by=request.user, note=data["note"])
        messages.success(request, f"« {item.filename} » rejeté.")
        return redirect("records:quarantine")
    patient = Patient.objects.current().filter(pk=data["patient_id"]).first()
    if patient is None:
        messages.error(request, "Patient introuvable.")
        return redirect("records:quarantine")
    if access.has_patient_care_profile(request.user) and not access.can_view_patient(request.user, patient):
        messages.error(request, "Ce patient ne fait pas partie de votre périmètre : rattachement refusé.")
        return redirect("records:quarantine")
    status, report = ValidationStatus.NOT_APPLICABLE, ""
    if item.file_kind == "cda":
        with item.file.open("rb") as handle:
            result = validate_cda(handle.read())
        status = ValidationStatus.VALID if result.valid else ValidationStatus.INVALID
        report = result.summary_fr()
    with transaction.atomic():
        document = documents_services.quarantine_attach(
            item=item,
            patient=patient,
            by=request.user,
            note=data["note"],
            validation_status=status,
            validation_report=report,
        )
        trail_record(
            user=request.user,
            action=TrailAction.CREATE,
            patient=patient,
            obj=document,
            request=request,
            detail=f"rattachement depuis la quarantaine : {data['note']}",
        )
    messages.success(request, f"« {item.filename} » rattaché au dossier n° {patient.pk}.")
    return redirect("records:quarantine")
