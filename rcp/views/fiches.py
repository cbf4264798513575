"""The fiche RCP: the form (save, amend, conflict), validation and signature, its documents, copy forward."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dcc.decorators import require
from dcc.params import int_param
from dcc.records.access import has_patient_care_profile
from rcp import forms, perms, selectors
from rcp.models import FICHE_CODED_FIELDS, Dossier, Fiche
from rcp.services import fiches as fiche_services
from rcp.services.base import FicheConflict
from rcp.views.codes import DATALIST_VALUE_SETS
from rcp.views.helpers import dossier_for_user, errors_to_form, fiche_documents_context, off_quorum_draft_key, trace

# The large value sets (datalists) are loaded on demand by the page (rcp/views/codes.py), not with the form.
FORM_VALUE_SETS = tuple(
    key for key in (*FICHE_CODED_FIELDS.values(), "type_traitement") if key not in DATALIST_VALUE_SETS
)


def _fiche_form(data=None, *, fiche: Fiche):
    return forms.FicheForm(
        data, initial=forms.FicheForm.initial_from(fiche), code_lists=selectors.fiche_code_lists(FORM_VALUE_SETS)
    )


def _conflict(request, dossier, exc: FicheConflict, form):
    mine = form.content()
    current = exc.current
    rows = []
    for name in (*[n for n in mine if n != "treatments"], "treatments"):
        theirs = getattr(current, name)
        ours = mine.get(name)
        rows.append(
            {
                "label": Fiche._meta.get_field(name).verbose_name,
                "theirs": theirs,
                "mine": ours,
                "differs": str(theirs or "") != str(ours or ""),
            }
        )
    context = {
        "dossier": dossier,
        "current": current,
        "rows": rows,
        "form": _fiche_form(request.POST.copy(), fiche=current),
    }
    form_again = context["form"]
    form_again.data["revision"] = current.revision
    return render(request, "rcp/fiche_conflict.html", context, status=409)


def _fiche_page(request, dossier: Dossier, *, amend: forms.AmendReasonForm | None):
    """The fiche form: saves a fiche in progress, or amends a validated one when ``amend`` (its reason) is given."""
    fiche = dossier.fiche
    form = _fiche_form(request.POST or None, fiche=fiche)
    if request.method == "POST" and form.is_valid() and (amend is None or amend.is_valid()):
        common = {
            "fiche": fiche,
            "data": form.content(),
            "expected_revision": form.cleaned_data["revision"],
            "by": request.user,
            "request": request,
        }
        try:
            if amend is None:
                fiche_services.fiche_save(**common)
            else:
                fiche_services.fiche_amend(**common, reason=amend.cleaned_data["reason"])
        except FicheConflict as exc:
            return _conflict(request, dossier, exc, form)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            amended = "Amendement enregistré : nouvelle version de la fiche."
            messages.success(request, "Fiche RCP enregistrée." if amend is None else amended)
            return redirect("rcp:dossier", dossier.pk)
    if request.method == "GET":
        trace(request, dossier.patient, fiche)
    context = {
        "dossier": dossier,
        "fiche": fiche,
        "form": form,
        "amend": amend,
        "required_to_validate": set(fiche_services.REQUIRED_FOR_VALIDATION) | {"guideline_conform"},
    }
    return render(request, "rcp/fiche_form.html", context)


@require(has_patient_care_profile)
def fiche_edit(request, pk: int):
    dossier = dossier_for_user(request, pk, edit=True)
    if dossier.fiche.is_validated:
        return redirect("rcp:fiche_amend", pk)
    return _fiche_page(request, dossier, amend=None)


@require(perms.is_doctor)
def fiche_amend(request, pk: int):
    dossier = dossier_for_user(request, pk, edit=True)
    if not dossier.fiche.is_validated:
        return redirect("rcp:fiche", pk)
    return _fiche_page(request, dossier, amend=forms.AmendReasonForm(request.POST or None))


@require(has_patient_care_profile)
@require_POST
def fiche_validate(request, pk: int):
    dossier = dossier_for_user(request, pk)
    form = forms.ValidateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Formulaire de validation incomplet : rechargez la page.")
        return redirect("rcp:dossier", pk)
    try:
        fiche_services.fiche_validate(
            fiche=dossier.fiche,
            by=request.user,
            off_quorum_reason=form.cleaned_data["off_quorum_reason"],
            expected_revision=form.cleaned_data["revision"],
            request=request,
        )
    except FicheConflict:
        messages.error(request, "La fiche a été modifiée entre-temps : relisez-la avant de la valider.")
        request.session[off_quorum_draft_key(dossier.fiche)] = form.cleaned_data["off_quorum_reason"]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        request.session[off_quorum_draft_key(dossier.fiche)] = form.cleaned_data["off_quorum_reason"]
    else:
        messages.success(request, "Fiche RCP validée et signée.")
    target = request.POST.get("next", "")
    return redirect(target) if target.startswith("/rcp/") else redirect("rcp:dossier", pk)


@require(has_patient_care_profile)
def fiche_documents(request, pk: int):
    """The htmx fragment of the fiche's FRCP documents, polled while they are being produced."""
    dossier = dossier_for_user(request, pk)
    trace(request, dossier.patient, dossier.fiche, detail="suivi de production de la fiche RCP")
    context = {"dossier": dossier, **fiche_documents_context(request, dossier)}
    return render(request, "rcp/_fiche_documents.html", context)


@require(has_patient_care_profile)
@require_POST
def fiche_documents_regenerate(request, pk: int):
    dossier = dossier_for_user(request, pk)
    if not perms.can_regenerate_fiche_document(request.user, dossier):
        raise PermissionDenied
    if not dossier.fiche.is_validated:
        messages.error(request, "La fiche n'est pas validée : aucun document à produire.")
    elif fiche_services.fiche_document_regenerate(fiche=dossier.fiche, by=request.user, request=request):
        messages.success(request, "Production du document de la fiche relancée.")
    else:
        messages.info(request, "Le document de la fiche est déjà produit ou en cours de production.")
    return redirect("rcp:dossier", pk)


@require(has_patient_care_profile)
@require_POST
def fiche_copy_forward(request, pk: int):
    dossier = dossier_for_user(request, pk, edit=True)
    try:
        fiche_services.fiche_copy_forward(
            fiche=dossier.fiche,
            expected_revision=int_param(request.POST, "revision", label="révision", min_value=0) or 0,
            by=request.user,
            request=request,
        )
    except FicheConflict:
        messages.error(request, "La fiche a été modifiée entre-temps : rechargez-la.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Diagnostic et antécédents repris de la fiche précédente.")
    return redirect("rcp:fiche", pk)
