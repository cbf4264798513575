"""Patient identity pages: search, creation (duplicate warning), identity page, edit, INSi, merge."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dcc.decorators import require
from dcc.directory.models import Establishment
from dcc.records.access import can_view_patient
from dcc.records.enums import TrailAction
from dcc.records.perms import can_view_documents
from dcc.records.trail import trail_record, trail_record_many, trail_search
from identity import selectors, services
from identity.enums import LOCKED_STATUSES, InsiOperation, RnivStatus
from identity.forms import (
    LocalIdentifierForm,
    MergeForm,
    PatientCreateForm,
    PatientEditForm,
    PatientSearchForm,
    ProofForm,
    ReasonForm,
    VitaleForm,
)
from identity.insi import client as insi
from identity.merge import patient_merge, patient_unmerge
from identity.models import InsiLookup, Patient, PatientMerge
from identity.perms import (
    can_create_patient,
    can_merge,
    can_review_identity_quality,
    can_search_patients,
    can_unmerge,
)


def _error_messages(error: services.IdentityError) -> list[str]:
    return [str(message) for message in error.messages]


def _patient_for(request, pk: int) -> Patient:
    patient = get_object_or_404(Patient, pk=pk)
    if not can_view_patient(request.user, patient):
        raise PermissionDenied
    return patient


def _user_establishments(user):
    ids = {establishment.pk for grant in user.active_grants() for establishment in grant.establishments.all()}
    return Establishment.objects.filter(pk__in=ids).order_by("name")


@require(can_search_patients)
def search(request):
    form = PatientSearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.has_criteria():
        data = form.cleaned_data
        results = selectors.search_for_user(
            request.user, name=data["q"], birth_date=data["birth_date"], ins=data["ins"], ipp=data["ipp"]
        )
        with transaction.atomic():
            trail_search(request=request, patients=[item["patient"] for item in results], detail="recherche patient")
    template = "identity/_results.html" if request.htmx else "identity/search.html"
    return render(request, template, {"form": form, "results": results, "limit": selectors.SEARCH_LIMIT})


@require(can_create_patient)
def create(request):
    form = PatientCreateForm(request.POST or None)
    rows: list[dict] = []
    if request.method == "POST" and form.is_valid():
        data = services.normalize_traits(dict(form.cleaned_data))
        candidates = selectors.duplicate_candidates(data)
        rows = selectors.duplicate_rows_for_user(request.user, data, candidates)
        likely = [item for item in candidates if item.score >= selectors.LIKELY_DUPLICATE]
        if likely and not form.cleaned_data["confirm_new"]:
            with transaction.atomic():
                trail_search(
                    request=request,
                    patients=[row["candidate"].patient for row in rows if row["disclosed"]],
                    detail=f"création : {len(candidates)} doublon(s) possible(s)",
                )
            messages.warning(
                request,
                "Des identités proches existent déjà. Vérifiez qu'il ne s'agit pas du même patient avant "
                "d'enregistrer.",
            )
        else:
            fields = {key: value for key, value in data.items() if key != "confirm_new"}
            try:
                patient = services.patient_create(user=request.user, data=fields, request=request)
            except services.IdentityError as exc:
                for message in _error_messages(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, "Identité créée (statut provisoire).")
                return redirect("identity:detail", pk=patient.pk)
    return render(request, "identity/create.html", {"form": form, "candidates": rows})


@require(can_search_patients)
def detail(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    if patient.merged_into_id:
        if not can_view_patient(request.user, patient.merged_into) and not can_view_patient(request.user, patient):
            raise PermissionDenied
        messages.info(request, "Cette identité a été fusionnée : voici l'identité conservée.")
        return redirect("identity:detail", pk=patient.merged_into_id)
    if not can_view_patient(request.user, patient):
        raise PermissionDenied
    with transaction.atomic():
        patient = selectors.patient_detail(pk)
        history = list(selectors.identity_history(patient)[:50])
        lookup = selectors.pending_lookup(patient)
        trail_record(user=request.user, action=TrailAction.READ, patient=patient, obj=patient, request=request)
    context = {
        "patient": patient,
        "history": history,
        "lookup": lookup,
        "comparison": selectors.compare_traits(patient, lookup.traits) if lookup else [],
        "proof_form": ProofForm(),
        "vitale_form": VitaleForm(),
        "reject_form": ReasonForm(),
        "ipp_form": LocalIdentifierForm(establishments=_user_establishments(request.user)),
        "locked": patient.rniv_status in LOCKED_STATUSES,
        "statuses": RnivStatus,
        "can_view_documents": can_view_documents(request.user, patient),
    }
    return render(request, "identity/detail.html", context)


def _initial(patient: Patient) -> dict:
    fields = [name for name in services.EDITABLE_FIELDS if name != "general_practitioner"]
    initial = {name: getattr(patient, name) for name in fields}
    initial["general_practitioner"] = patient.general_practitioner_id
    return initial


@require(can_search_patients)
def edit(request, pk: int):
    patient = _patient_for(request, pk)
    if patient.merged_into_id:
        raise Http404
    locked = patient.rniv_status in LOCKED_STATUSES
    form = PatientEditForm(request.POST or None, initial=_initial(patient), locked=locked)
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "reason"}
        if locked:
            for name in ("birth_name", "first_given_name", "given_names", "sex", "birth_date", "birth_place_code"):
                data.pop(name, None)
        try:
            services.patient_update(
                patient=patient, user=request.user, data=data, reason=form.cleaned_data["reason"], request=request
            )
        except services.IdentityError as exc:
            for message in _error_messages(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "Identité modifiée.")
            return redirect("identity:detail", pk=patient.pk)
    if request.method == "GET":
        with transaction.atomic():
            trail_record(
                user=request.user,
                action=TrailAction.READ,
                patient=patient,
                obj=patient,
                request=request,
                detail="formulaire de modification",
            )
    return render(request, "identity/edit.html", {"form": form, "patient": patient, "locked": locked})


@require_POST
@require(can_search_patients)
def insi_traits(request, pk: int):
    patient = _patient_for(request, pk)
    try:
        result = insi.search_by_traits(
            birth_name=patient.birth_name,
            first_given_name=patient.first_given_name,
            sex=patient.sex,
            birth_date=patient.birth_date,
            birth_place_code=patient.birth_place_code if patient.birth_place_code != "99999" else "",
            user=request.user,
        )
    except insi.InsiError as exc:
        messages.error(request, str(exc))
    else:
        services.insi_lookup_record(
            patient=patient, user=request.user, operation=InsiOperation.TRAITS, result=result, request=request
        )
        _announce(request, result)
    return redirect(reverse("identity:detail", args=[patient.pk]) + "#insi")


@require_POST
@require(can_search_patients)
def insi_vitale(request, pk: int):
    patient = _patient_for(request, pk)
    form = VitaleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(reverse("identity:detail", args=[patient.pk]) + "#insi")
    try:
        result = insi.search_by_vitale(
            nir=form.cleaned_data["nir"],
            birth_date=patient.birth_date,
            birth_rank=str(form.cleaned_data["birth_rank"]),
            user=request.user,
        )
    except insi.InsiError as exc:
        messages.error(request, str(exc))
    else:
        services.insi_lookup_record(
            patient=patient, user=request.user, operation=InsiOperation.VITALE, result=result, request=request
        )
        _announce(request, result)
    return redirect(reverse("identity:detail", args=[patient.pk]) + "#insi")


def _announce(request, result) -> None:
    if result.code == insi.CR_FOUND:
        messages.info(request, "INSi a renvoyé une identité : comparez les traits puis acceptez ou refusez.")
    elif result.code == insi.CR_NONE:
        messages.warning(request, "INSi : aucune identité trouvée. Vérifiez les traits saisis avec le patient.")
    else:
        messages.warning(
            request, "INSi : plusieurs identités correspondent. Précisez le lieu de naissance ou les prénoms."
        )


def _lookup_for(request, pk: int, lookup_pk: int) -> InsiLookup:
    patient = _patient_for(request, pk)
    return get_object_or_404(InsiLookup, pk=lookup_pk, patient=patient)


def _act(request, action: Callable[[], object], success: str | Callable[[object], str], *, to: str) -> HttpResponse:
    """Run a service action; show its French errors or its success message, then go back to ``to``."""
    try:
        result = action()
    except services.IdentityError as exc:
        for message in _error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(to)


def _status_message(prefix: str) -> Callable[[Patient], str]:
    return lambda patient: f"{prefix} : {patient.get_rniv_status_display().lower()}."


@require_POST
@require(can_search_patients)
def insi_accept(request, pk: int, lookup_pk: int):
    lookup = _lookup_for(request, pk, lookup_pk)
    return _act(
        request,
        lambda: services.insi_result_accept(lookup=lookup, user=request.user, request=request),
        _status_message("Résultat INSi accepté"),
        to=reverse("identity:detail", args=[pk]),
    )


@require_POST
@require(can_search_patients)
def insi_reject(request, pk: int, lookup_pk: int):
    lookup = _lookup_for(request, pk, lookup_pk)
    reason = ReasonForm(request.POST).data.get("reason", "")
    return _act(
        request,
        lambda: services.insi_result_reject(lookup=lookup, user=request.user, reason=reason, request=request),
        "Résultat INSi refusé : l'identité reste inchangée.",
        to=reverse("identity:detail", args=[pk]),
    )


@require_POST
@require(can_search_patients)
def proof(request, pk: int):
    patient = _patient_for(request, pk)
    document = ProofForm(request.POST).data.get("document", "")
    return _act(
        request,
        lambda: services.identity_proof_record(patient=patient, user=request.user, document=document, request=request),
        _status_message("Justificatif enregistré. Statut"),
        to=reverse("identity:detail", args=[pk]),
    )


@require_POST
@require(can_search_patients)
def downgrade(request, pk: int):
    patient = _patient_for(request, pk)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        lambda: services.identity_downgrade(patient=patient, user=request.user, reason=reason, request=request),
        "Identité repassée au statut provisoire.",
        to=reverse("identity:detail", args=[pk]),
    )


@require_POST
@require(can_search_patients)
def local_identifier(request, pk: int):
    patient = _patient_for(request, pk)
    form = LocalIdentifierForm(request.POST, establishments=_user_establishments(request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("identity:detail", pk=pk)
    return _act(
        request,
        lambda: services.local_identifier_add(
            patient=patient,
            user=request.user,
            establishment=form.cleaned_data["establishment"],
            value=form.cleaned_data["value"],
            request=request,
        ),
        "IPP enregistré.",
        to=reverse("identity:detail", args=[pk]),
    )


@require(can_search_patients)
def datamatrix_png(request, pk: int):
    """The INS DataMatrix (2D-Doc framing, unsigned) of a qualified identity, as a PNG."""
    from identity import datamatrix

    patient = _patient_for(request, pk)
    try:
        symbol = datamatrix.encode(patient)
    except datamatrix.DataMatrixError as exc:
        raise Http404(str(exc)) from exc
    with transaction.atomic():
        trail_record(
            user=request.user,
            action=TrailAction.PRINT,
            patient=patient,
            obj=patient,
            request=request,
            detail="DataMatrix INS",
        )
    response = HttpResponse(symbol.png(), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@require(can_review_identity_quality)
def quality(request):
    from dcc.accounts.perms import can_administer

    scope = Patient.objects.current() if can_administer(request.user) else selectors.visible_patients(request.user)
    with transaction.atomic():
        pairs = selectors.suspected_duplicates(scope)
        trail_record(
            user=request.user,
            action=TrailAction.SEARCH,
            request=request,
            detail=f"qualité des identités : {len(pairs)} doublon(s) suspecté(s)",
        )
    context = {
        "pairs": pairs,
        "merges": selectors.merges(),
        "status_counts": selectors.status_counts(),
        "creators": selectors.identity_creators(),
        "can_unmerge": can_unmerge(request.user),
        "statuses": RnivStatus,
    }
    return render(request, "identity/quality.html", context)


@require(can_review_identity_quality)
def merge(request, first: int, second: int):
    pair = [get_object_or_404(Patient, pk=first), get_object_or_404(Patient, pk=second)]
    if not can_merge(request.user, *pair):
        raise PermissionDenied
    form = MergeForm(request.POST or None, pair=pair)
    if request.method == "POST" and form.is_valid():
        kept = pair[0] if form.cleaned_data["kept"] == str(pair[0].pk) else pair[1]
        absorbed = pair[1] if kept is pair[0] else pair[0]
        try:
            patient_merge(
                kept=kept, absorbed=absorbed, user=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except services.IdentityError as exc:
            for message in _error_messages(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "Identités fusionnées : l'identité absorbée renvoie vers l'identité conservée.")
            return redirect("identity:quality")
    trail_record_many(
        user=request.user, action=TrailAction.READ, items=[(patient, patient) for patient in pair], request=request
    )
    return render(request, "identity/merge.html", {"form": form, "pair": pair})


@require_POST
@require(can_unmerge)
def unmerge(request, merge_pk: int):
    merge_row = get_object_or_404(PatientMerge, pk=merge_pk)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        lambda: patient_unmerge(merge=merge_row, user=request.user, reason=reason, request=request),
        "Fusion annulée : les deux identités sont de nouveau distinctes.",
        to=reverse("identity:quality"),
    )
