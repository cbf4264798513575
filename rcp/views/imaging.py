"""Imaging studies of a demande d'avis: those attached (seen by the RCP) and, for its editors, the
patient's studies in the PACS to attach."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dcc.decorators import require
from dcc.records.access import has_patient_care_profile
from interop.imaging import selectors as imaging
from interop.imaging.models import AttachedStudy
from interop.imaging.services import AttachmentRefused, study_attach, study_detach
from rcp import perms
from rcp.views.helpers import dossier_for_user, trace

SOURCE_TYPE = "rcp.dossier"


@require(has_patient_care_profile)
@require_http_methods(["GET", "POST"])
def dossier_studies(request, pk: int):
    dossier = dossier_for_user(request, pk)
    can_edit = perms.can_edit_attachments(request.user, dossier)
    error = ""
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        error = _change(request, dossier)
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect("rcp:dossier", dossier.pk)
    attached = imaging.attached_studies(SOURCE_TYPE, dossier.pk)
    result = imaging.patient_studies(dossier.patient) if can_edit else imaging.ImagingResult()
    if request.method == "GET":
        trace(request, dossier.patient, dossier, detail=f"imagerie du dossier ({len(attached)} examen(s) joint(s))")
    context = {
        "dossier": dossier,
        "attached": attached,
        "attached_uids": {study.study_uid for study in attached},
        "result": result,
        "can_edit": can_edit,
        "attach_url": request.path if can_edit else "",
        "error": error,
    }
    template = "imaging/_dossier_studies.html" if request.htmx else "imaging/dossier_studies.html"
    return render(request, template, context)


def _change(request, dossier) -> str:
    """Attach or detach one study; the French reason of a refusal, or ""."""
    if request.POST.get("action") == "detach":
        attached = AttachedStudy.objects.filter(
            pk=request.POST.get("attached") or 0, source_type=SOURCE_TYPE, source_id=str(dossier.pk)
        ).first()
        if attached is None:
            return "Cet examen n'est pas joint à la demande d'avis."
        study_detach(attached=attached, by=request.user, request=request)
        return ""
    try:
        pacs_id = int(request.POST.get("pacs", ""))
    except ValueError:
        return "Examen inconnu : choisissez un examen de la liste."
    row = imaging.find_study(dossier.patient, pacs_id=pacs_id, study_uid=request.POST.get("study", "")[:64])
    if row is None:
        return "Cet examen n'a pas été trouvé dans les PACS du patient (ou le PACS ne répond pas) : réessayez."
    try:
        study_attach(
            row=row,
            patient=dossier.patient,
            source_type=SOURCE_TYPE,
            source_id=dossier.pk,
            by=request.user,
            request=request,
        )
    except AttachmentRefused as refusal:
        return str(refusal)
    return ""
