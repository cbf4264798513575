"""The GP's pages (his notified patients, the contribution form), the contribution file, the regional setting."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from dcc.decorators import require
from dcc.records.access import can_view_patient
from dcc.records.enums import TrailAction
from dcc.records.trail import trail_record_many
from rcp import selectors as rcp_selectors
from rcp.gp import forms, perms, selectors, services
from rcp.gp.models import GpContribution, GpNoticeSettings
from rcp.models import Dossier
from rcp.views.helpers import trace

UPLOAD_OVERHEAD = 64 * 1024


def _home_context(request) -> dict:
    home = selectors.gp_home(request.user.professional)
    notices = [*home.coming, *home.past]
    trail_record_many(
        user=request.user,
        action=TrailAction.READ,
        items=[(notice.patient_id, notice.dossier) for notice in notices]
        + [(message.patient_id, message.document) for message in home.documents if message.patient_id],
        request=request,
        detail="patients notifiés au médecin traitant",
    )
    return {"home": home}


@require(perms.is_notified_gp)
def home(request):
    """« Mes patients en RCP »: the GP's notified patients, their coming passages, the documents received."""
    return render(request, "gp/home.html", _home_context(request))


@require(perms.is_notified_gp)
def home_block(request):
    """The same lists for the GP block of the home page (loaded by htmx)."""
    return render(request, "gp/_home_block.html", _home_context(request))


@require(perms.is_notified_gp)
def contribute(request, pk: int):
    try:
        dossier = rcp_selectors.dossier_detail(pk)
    except Dossier.DoesNotExist:
        raise Http404 from None
    if not perms.can_contribute(request.user, dossier):
        raise PermissionDenied
    limit = forms.max_bytes()
    form = forms.ContributionForm()
    status, too_big = 200, ""
    if request.method == "POST":
        # Refuse an oversized body before the multipart parser reads it.
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit + UPLOAD_OVERHEAD:
            too_big = f"Le fichier est trop volumineux : la limite est de {forms.megabytes(limit)}."
            status = 413
        else:
            form = forms.ContributionForm(request.POST, request.FILES)
            if form.is_valid():
                services.gp_contribution_add(
                    dossier=dossier,
                    user=request.user,
                    text=form.cleaned_data["text"],
                    upload=form.cleaned_data["attachment"],
                    request=request,
                )
                messages.success(request, "Votre contribution a été transmise à la RCP.")
                return redirect("rcp:dossier", dossier.pk)
            status = 400
    else:
        trace(request, dossier.patient, dossier, detail="contribution du médecin traitant")
    context = {
        "dossier": dossier,
        "form": form,
        "too_big": too_big,
        "contributions": selectors.contributions_of(dossier),
    }
    return render(request, "gp/contribute.html", context, status=status)


@require(lambda user: user.is_authenticated)
def attachment(request, pk: int):
    """The file a GP joined to his contribution, for those who see the patient (traced as a download)."""
    contribution = get_object_or_404(GpContribution.objects.select_related("patient"), pk=pk)
    if not contribution.attachment or not can_view_patient(request.user, contribution.patient):
        raise PermissionDenied
    trace(request, contribution.patient, contribution, action=TrailAction.DOWNLOAD, detail=contribution.attachment_name)
    response = FileResponse(
        contribution.attachment.open("rb"),
        as_attachment=contribution.attachment_type not in ("application/pdf", "image/png", "image/jpeg"),
        filename=contribution.attachment_name,
        content_type=contribution.attachment_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require(perms.can_edit_notice_settings)
def notice_settings(request):
    """The region's delay between registration and session for the GP to be told."""
    current = GpNoticeSettings.current()
    form = forms.NoticeSettingsForm(request.POST or None, initial={"delay_working_days": current.delay_working_days})
    if request.method == "POST":
        if form.is_valid():
            services.gp_notice_settings_update(
                delay_working_days=form.cleaned_data["delay_working_days"], by=request.user
            )
            messages.success(request, "Réglage enregistré : il s'applique aux prochaines inscriptions.")
            return redirect("gp:settings")
        return render(request, "gp/settings.html", {"form": form, "current": current}, status=400)
    return render(request, "gp/settings.html", {"form": form, "current": current})
