"""Helpers shared by the RCP views: form errors from a service, tracing the patient data a page shows, and the
object lookups that check access."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from dcc.directory.models import ThreeC
from dcc.records.enums import GenerationStatus, TrailAction
from dcc.records.trail import trail_record, trail_record_many
from rcp import forms, perms, selectors
from rcp.models import Dossier, Rcp, Session


def errors_to_form(form, exc: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when the form has it, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def trace(request, patient, obj, action: str = TrailAction.READ, detail: str = "") -> None:
    """One trail line for a page about one patient: a single INSERT, atomic by itself (no BEGIN/COMMIT trips)."""
    trail_record(user=request.user, action=action, patient=patient, obj=obj, request=request, detail=detail)


def trace_dossiers(request, dossiers: Iterable, *, detail: str) -> None:
    """One trail line per dossier a page lists, written in a single INSERT whatever their number."""
    trail_record_many(
        user=request.user,
        action=TrailAction.READ,
        items=[(dossier.patient_id, dossier) for dossier in dossiers],
        request=request,
        detail=detail,
    )


def editable_three_cs(user):
    ids = perms.editable_three_c_ids(user)
    three_cs = ThreeC.objects.filter(is_active=True)
    return three_cs if ids is None else three_cs.filter(pk__in=ids)


def rcp_for_edit(request, pk: int) -> Rcp:
    rcp = get_object_or_404(Rcp.objects.select_related("three_c", "establishment"), pk=pk)
    if not perms.can_edit_rcp(request.user, rcp):
        raise PermissionDenied
    return rcp


def session_for_edit(request, pk: int) -> Session:
    session = get_object_or_404(Session.objects.select_related("rcp__three_c", "rcp__establishment"), pk=pk)
    if not perms.can_edit_rcp(request.user, session.rcp):
        raise PermissionDenied
    return session


def dossier_for_user(request, pk: int, *, edit: bool = False) -> Dossier:
    try:
        dossier = selectors.dossier_detail(pk)
    except Dossier.DoesNotExist:
        raise Http404 from None
    allowed = perms.can_edit_fiche(request.user, dossier) if edit else perms.can_view_dossier(request.user, dossier)
    if not allowed:
        raise PermissionDenied
    return dossier


def off_quorum_draft_key(fiche) -> str:
    return f"rcp-fiche-{fiche.pk}-off-quorum-reason"


def validate_form(request, fiche) -> forms.ValidateForm:
    """The « Valider et signer » form, with the off-quorum reason typed before a refused attempt (kept)."""
    reason = request.session.pop(off_quorum_draft_key(fiche), "")
    return forms.ValidateForm(initial={"revision": fiche.revision, "off_quorum_reason": reason})


def signing_blockers(request, fiche) -> list[str]:
    """Why the user cannot sign this fiche (presence, document); only asked of a doctor, before validation."""
    if fiche.is_validated or not perms.is_doctor(request.user):
        return []
    return selectors.fiche_signing_blockers(fiche=fiche, by=request.user)


def fiche_documents_context(request, dossier: Dossier) -> dict:
    generations = selectors.fiche_generations(dossier.fiche)
    unfinished = (GenerationStatus.PENDING, GenerationStatus.RUNNING)
    return {
        "generations": generations,
        "polling": any(generation.status in unfinished for generation in generations),
        "can_regenerate": any(generation.can_relaunch for generation in generations)
        and perms.can_regenerate_fiche_document(request.user, dossier),
    }
