"""Dossiers (demandes d'avis), fiches RCP and the live session. Patient data: every read is traced."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dcc.accounts.decorators import require
from dcc.directory.models import Professional
from dcc.params import int_param
from dcc.records.access import can_view_patient, has_patient_care_profile
from dcc.records.enums import GenerationStatus
from dcc.records.perms import can_view_documents
from dcc.records.selectors import source_generation
from dcc.records.trail import trail_search
from identity.models import Patient
from identity.selectors import search_for_user
from rcp import forms, perms, selectors, views_codes
from rcp.concertation_documents import CONCERTATION_SOURCE
from rcp.enums import DossierStatus
from rcp.gp.services import gp_notice_record_consultation
from rcp.models import FICHE_CODED_FIELDS, Concertation, Dossier, Fiche, Rcp, Session
from rcp.services import agenda as agenda_services
from rcp.services import concertations as concertation_services
from rcp.services import dossiers as dossier_services
from rcp.services import fiches as fiche_services
from rcp.services.base import FicheConflict
from rcp.view_helpers import errors_to_form, trace, trace_dossiers

# The large value sets (datalists) are loaded on demand by the page (rcp/views_codes.py), not with the form.
FORM_VALUE_SETS = tuple(
    key for key in (*FICHE_CODED_FIELDS.values(), "type_traitement") if key not in views_codes.DATALIST_VALUE_SETS
)


def _dossier(request, pk: int, *, edit: bool = False) -> Dossier:
    try:
        dossier = selectors.dossier_detail(pk)
    except Dossier.DoesNotExist:
        raise Http404 from None
    allowed = perms.can_edit_fiche(request.user, dossier) if edit else perms.can_view_dossier(request.user, dossier)
    if not allowed:
        raise PermissionDenied
    return dossier


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
    doctors = (
        Professional.objects.filter(Q(rcp_memberships__rcp=session.rcp) | Q(pk=request.user.professional_id or 0))
        .filter(is_active=True)
        .distinct()
        .order_by("last_name", "first_name")
    )
    form = forms.DossierForm(
        request.POST or None,
        doctors=doctors,
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
                if dossier.status == DossierStatus.DRAFT
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
        "late": session.registration_deadline < timezone.localdate(),
    }
    return render(request, "rcp/dossier_register.html", context)


@require(has_patient_care_profile)
def dossier_attachments(request, pk: int):
    """Choose the documents of the patient's record joined to the demande d'avis (draft or registered dossier)."""
    dossier = _dossier(request, pk)
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


def _draft_key(fiche) -> str:
    return f"rcp-fiche-{fiche.pk}-off-quorum-reason"


def _validate_form(request, fiche) -> forms.ValidateForm:
    """The « Valider et signer » form, with the off-quorum reason typed before a refused attempt (kept)."""
    reason = request.session.pop(_draft_key(fiche), "")
    return forms.ValidateForm(initial={"revision": fiche.revision, "off_quorum_reason": reason})


def _signing_blockers(request, fiche) -> list[str]:
    """Why the user cannot sign this fiche (presence, document); only asked of a doctor, before validation."""
    if fiche.is_validated or not perms.is_doctor(request.user):
        return []
    return selectors.fiche_signing_blockers(fiche=fiche, by=request.user)


@require(has_patient_care_profile)
def dossier_detail(request, pk: int):
    dossier = _dossier(request, pk)
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
        "validate_form": _validate_form(request, fiche),
        "signing_blockers": _signing_blockers(request, fiche),
        "has_previous": selectors.previous_fiche(fiche) is not None and not fiche.is_validated,
        "statuses": DossierStatus,
    }
    if fiche.is_validated:
        context |= _fiche_documents_context(request, dossier)
    return render(request, "rcp/dossier_detail.html", context)


@require(has_patient_care_profile)
@require_POST
def dossier_status(request, pk: int):
    dossier = _dossier(request, pk, edit=True)
    form = forms.DossierStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Changement de statut inconnu.")
        return redirect("rcp:dossier", pk)
    to, note = form.cleaned_data["to"], form.cleaned_data["note"]
    try:
        if to == DossierStatus.REGISTERED:
            dossier_services.dossier_submit(dossier=dossier, by=request.user, request=request)
        else:
            dossier_services.dossier_transition(dossier=dossier, to=to, by=request.user, note=note, request=request)
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
    ids = list(session.dossiers.order_by("position", "pk").values_list("pk", flat=True))
    try:
        moved = int(request.POST.get("dossier", ""))
        index = ids.index(moved)
    except ValueError:
        messages.error(request, "Dossier inconnu dans cette séance.")
        return redirect("rcp:session", pk)
    other = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
        dossier_services.dossiers_reorder(session=session, ordered_ids=ids, by=request.user)
    return redirect(reverse("rcp:session", args=[pk]) + "#dossiers")


# --- Fiche ----------------------------------------------------------------------------------


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
    dossier = _dossier(request, pk, edit=True)
    if dossier.fiche.is_validated:
        return redirect("rcp:fiche_amend", pk)
    return _fiche_page(request, dossier, amend=None)


@require(perms.is_doctor)
def fiche_amend(request, pk: int):
    dossier = _dossier(request, pk, edit=True)
    if not dossier.fiche.is_validated:
        return redirect("rcp:fiche", pk)
    return _fiche_page(request, dossier, amend=forms.AmendReasonForm(request.POST or None))


@require(has_patient_care_profile)
@require_POST
def fiche_validate(request, pk: int):
    dossier = _dossier(request, pk)
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
        request.session[_draft_key(dossier.fiche)] = form.cleaned_data["off_quorum_reason"]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        request.session[_draft_key(dossier.fiche)] = form.cleaned_data["off_quorum_reason"]
    else:
        messages.success(request, "Fiche RCP validée et signée.")
    target = request.POST.get("next", "")
    return redirect(target) if target.startswith("/rcp/") else redirect("rcp:dossier", pk)


def _fiche_documents_context(request, dossier: Dossier) -> dict:
    generations = selectors.fiche_generations(dossier.fiche)
    unfinished = (GenerationStatus.PENDING, GenerationStatus.RUNNING)
    return {
        "generations": generations,
        "polling": any(generation.status in unfinished for generation in generations),
        "can_regenerate": any(generation.can_relaunch for generation in generations)
        and perms.can_regenerate_fiche_document(request.user, dossier),
    }


@require(has_patient_care_profile)
def fiche_documents(request, pk: int):
    """The htmx fragment of the fiche's FRCP documents, polled while they are being produced."""
    dossier = _dossier(request, pk)
    trace(request, dossier.patient, dossier.fiche, detail="suivi de production de la fiche RCP")
    context = {"dossier": dossier, **_fiche_documents_context(request, dossier)}
    return render(request, "rcp/_fiche_documents.html", context)


@require(has_patient_care_profile)
@require_POST
def fiche_documents_regenerate(request, pk: int):
    dossier = _dossier(request, pk)
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
    dossier = _dossier(request, pk, edit=True)
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


# --- Live session ---------------------------------------------------------------------------


def _live_session(request, pk: int, *, run: bool) -> Session:
    session = get_object_or_404(
        Session.objects.select_related("rcp__establishment", "rcp__three_c", "current_dossier"), pk=pk
    )
    allowed = perms.can_run_session(request.user, session) if run else perms.can_follow_session(request.user, session)
    if not allowed:
        raise PermissionDenied
    return session


def _current_context(request, session: Session) -> dict:
    dossier = None
    if session.current_dossier_id:
        dossier = selectors.dossier_detail(session.current_dossier_id)
        if perms.can_view_dossier(request.user, dossier):
            # One trail line per dossier shown to this user, not one per 5-second poll.
            key = f"rcp_live_traced_{session.pk}"
            if request.session.get(key) != dossier.pk:
                trace(request, dossier.patient, dossier, detail="séance en direct")
                request.session[key] = dossier.pk
        else:
            dossier = None
    return {
        "session": session,
        "current": dossier,
        "labels": selectors.fiche_labels(dossier.fiche) if dossier else {},
    }


@require(has_patient_care_profile)
def session_live(request, pk: int):
    session = _live_session(request, pk, run=True)
    dossiers, hidden = selectors.session_dossiers(session, request.user)
    trace_dossiers(request, dossiers, detail="liste de la séance en direct")
    context = _current_context(request, session)
    current = context["current"]
    quick = None
    discussed = current is not None and current.status in (DossierStatus.REGISTERED, DossierStatus.PRESENTED)
    if discussed and not current.fiche.is_validated:  # a postponed dossier is no longer discussed here
        quick = forms.QuickPropositionForm(
            initial={
                "revision": current.fiche.revision,
                "surveillance_only": current.fiche.surveillance_only,
                "representation_requested": current.fiche.representation_requested,
                "proposition": current.fiche.proposition,
                **{f"treatment_{t['rank']}": t["code"] for t in current.fiche.treatments if t["rank"] <= 2},
            },
            treatment_entries=selectors.fiche_code_lists(["type_traitement"])["type_traitement"],
        )
    context.update(
        {
            "dossiers": dossiers,
            "hidden": hidden,
            "quick": quick,
            "quorum": selectors.session_quorum(selectors.session_detail(session.pk)),
            "validate_form": _validate_form(request, current.fiche) if current else None,
            "signing_blockers": _signing_blockers(request, current.fiche) if current else [],
            # The fiche's own quorum counts the requesting doctor's specialty (the session's does not).
            "fiche_quorum": selectors.fiche_quorum(current.fiche) if current else None,
            "is_doctor": perms.is_doctor(request.user),
            "undoable": list(selectors.postponements_to_undo(session, by=request.user)),
        }
    )
    return render(request, "rcp/session_live.html", context)


@require(has_patient_care_profile)
@require_POST
def session_live_undo(request, pk: int):
    session = _live_session(request, pk, run=True)
    dossier = get_object_or_404(Dossier, pk=request.POST.get("dossier") or 0, session=session)
    try:
        dossier_services.dossier_postpone_undo(dossier=dossier, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Report annulé : {dossier.patient.display_name} reste à cette séance.")
    return redirect("rcp:session_live", pk)


@require(has_patient_care_profile)
def session_follow(request, pk: int):
    session = _live_session(request, pk, run=False)
    template = "rcp/_live_current.html" if request.htmx else "rcp/session_follow.html"
    return render(request, template, _current_context(request, session))


@require(has_patient_care_profile)
@require_POST
def session_live_goto(request, pk: int):
    session = _live_session(request, pk, run=True)
    ids = list(
        session.dossiers.filter(status__in=[DossierStatus.REGISTERED, DossierStatus.PRESENTED, DossierStatus.VALIDATED])
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )
    target = request.POST.get("dossier", "")
    if target in ("next", "prev"):
        if not ids:
            messages.error(request, "Aucun dossier à présenter.")
            return redirect("rcp:session_live", pk)
        index = ids.index(session.current_dossier_id) if session.current_dossier_id in ids else -1
        index = min(index + 1, len(ids) - 1) if target == "next" else max(index - 1, 0)
        dossier_id = ids[index]
    else:
        try:
            dossier_id = int(target)
        except ValueError:
            raise Http404 from None
    dossier = get_object_or_404(Dossier, pk=dossier_id, session=session)
    try:
        dossier_services.session_set_current(session=session, dossier=dossier, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("rcp:session_live", pk)


@require(has_patient_care_profile)
@require_POST
def session_live_proposition(request, pk: int):
    session = _live_session(request, pk, run=True)
    if not session.current_dossier_id:
        messages.error(request, "Aucun dossier en cours.")
        return redirect("rcp:session_live", pk)
    dossier = _dossier(request, session.current_dossier_id, edit=True)
    fiche = dossier.fiche
    form = forms.QuickPropositionForm(
        request.POST,
        treatment_entries=selectors.fiche_code_lists(["type_traitement"])["type_traitement"],
    )
    if not form.is_valid():
        messages.error(request, "Proposition incomplète.")
        return redirect("rcp:session_live", pk)
    data = form.content()
    data["treatments"] += [t for t in fiche.treatments if t["rank"] > 2]
    try:
        fiche_services.fiche_save(
            fiche=fiche, data=data, expected_revision=form.cleaned_data["revision"], by=request.user, request=request
        )
        dossier_services.dossier_mark_presented(dossier=dossier, by=request.user)
    except FicheConflict:
        messages.error(
            request, "La fiche a été modifiée entre-temps : votre saisie n'a pas été enregistrée, reprenez-la."
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Proposition enregistrée.")
    return redirect("rcp:session_live", pk)


@require(has_patient_care_profile)
@require_POST
def session_live_close(request, pk: int):
    session = _live_session(request, pk, run=True)
    try:
        agenda_services.session_close(session=session, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rcp:session_live", pk)
    pending = selectors.unvalidated_dossiers(session).count()
    if pending:
        messages.warning(
            request, f"Séance clôturée : {pending} dossier(s) sans fiche validée ; les médecins présents sont relancés."
        )
    else:
        messages.success(request, "Séance clôturée : toutes les fiches sont validées.")
    return redirect("rcp:session", pk)


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
        rcps=Rcp.objects.filter(members__professional_id=request.user.professional_id).order_by("title"),
        doctors=Professional.objects.filter(is_active=True, specialty__code__startswith="G15_10/SM")
        .exclude(pk=request.user.professional_id)
        .order_by("last_name", "first_name"),
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
