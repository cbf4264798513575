from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from dcc.accounts import perms
from dcc.decorators import require
from dcc.postgresql.plans import custom_plans
from dcc.records import access, selectors
from dcc.records.enums import TrailAction
from dcc.records.forms import BreakGlassForm, TrailFilterForm
from dcc.records.paging import CappedPaginator
from dcc.records.perms import can_view_access_log, may_read_trails
from dcc.records.services import BreakGlassRefused, break_glass_open
from dcc.records.trail import trail_record

PAGE_SIZE = 50


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _patient_or_404(patient_id: int) -> models.Model:
    # identity sits above the record: its Patient is named through the app registry, as the models name it.
    return get_object_or_404(apps.get_model("identity", "Patient"), pk=patient_id)


@require(perms.can_break_glass)
def break_glass(request, patient_id: int):
    patient = _patient_or_404(patient_id)
    if access.can_view_patient(request.user, patient):
        messages.info(request, "Vous avez déjà accès à ce dossier.")
        return redirect(_safe_next(request) or "home")
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = break_glass_open(
                user=request.user, patient=patient, reason=form.cleaned_data["reason"], request=request
            )
        except BreakGlassRefused as refusal:
            form.add_error("reason", str(refusal))
        else:
            expires = timezone.localtime(grant.expires_at)
            messages.warning(
                request,
                f"Accès exceptionnel ouvert jusqu'à {expires:%H:%M}. "
                "Les administrateurs ont été prévenus et votre accès est tracé.",
            )
            return redirect(_safe_next(request) or "home")
    # The form shows no identity (only the record's number): a name is read after a justification, not before.
    with transaction.atomic():
        trail_record(
            user=request.user,
            action=TrailAction.READ,
            patient=patient,
            request=request,
            detail="formulaire de bris de glace (identité non affichée)",
        )
    return render(
        request, "records/break_glass.html", {"patient": patient, "form": form, "next": _safe_next(request) or ""}
    )


@require(may_read_trails)
def patient_access_log(request, patient_id: int):
    patient = _patient_or_404(patient_id)
    if not can_view_access_log(request.user, patient):
        raise PermissionDenied
    page = Paginator(selectors.patient_openers(patient.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    grants = list(selectors.break_glass_grants_of(patient.pk)[:20])
    with transaction.atomic():
        trail_record(
            user=request.user, action=TrailAction.READ, patient=patient, request=request, detail="journal des accès"
        )
    return render(request, "records/patient_access_log.html", {"patient": patient, "page": page, "grants": grants})


@require(perms.can_audit_trail)
def trail(request):
    form = TrailFilterForm(request.GET or None)
    lines = selectors.trail_search()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        lines = selectors.trail_search(
            user_query=data["user"].strip(),
            patient_id=data["patient"],
            action=data["action"],
            start=data["start"],
            end=data["end"],
        )
    with custom_plans():  # a rare action among 20 million lines needs its own plan (dcc/postgresql/plans.py)
        page = CappedPaginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "records/trail.html", {"form": form, "page": page})
