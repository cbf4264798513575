"""Thin views of the PPS screens: the EDP library, a patient's PPS, the calendar, the statistics."""

from __future__ import annotations

import datetime
import itertools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dcc.accounts.enums import Profile
from dcc.decorators import require
from dcc.params import ParameterError
from dcc.records.enums import TrailAction
from dcc.records.trail import trail_record
from identity.models import DISPLAY_NAME_FIELDS
from identity.selectors import visible_patients
from pps import edp_library, forms, perms, selectors, services
from pps.calendar import build_calendar, legend
from pps.dates import Rule, RuleError, RuleKind, compute_dates
from pps.edp_types import CATEGORIES, EDP_TYPES
from pps.enums import GroupScope
from pps.models import EdpGroup, EdpGroupElement, Pps, PpsBlock, PpsElement, Programme
from pps.view_access import contact_adding, patient_for, programme_for, remove_contact, run_form

# --- Library ------------------------------------------------------------------------------------


@require(perms.can_author_pps)
def home(request):
    query = request.GET.get("q", "").strip()
    patients = visible_patients(request.user)
    if query:
        patients = patients.filter(Q(birth_name__icontains=query) | Q(used_name__icontains=query))
    patients = patients.order_by("birth_name", "first_given_name").only(*DISPLAY_NAME_FIELDS, "birth_date")
    patients = patients[:PATIENTS_SHOWN]
    context = {
        "patients": patients,
        "recent": selectors.recent_programmes(request.user),
        "query": query,
        "limit": PATIENTS_SHOWN,
    }
    return render(request, "pps/home.html", context)


PATIENTS_SHOWN = 50


@require(perms.can_use_library)
def library(request):
    regional_allowed = perms.can_create_regional_group(request.user)
    form = forms.GroupCreateForm(request.POST or None, regional_allowed=regional_allowed)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data.get("scope") or GroupScope.PERSONAL
        try:
            group = edp_library.edp_group_create(
                name=form.cleaned_data["name"],
                patient_comment=form.cleaned_data["patient_comment"],
                scope=scope,
                owner=request.user,
            )
        except ValidationError as error:
            form.apply(error)
        else:
            return redirect("pps:group", pk=group.pk)
    groups = list(selectors.library_for(request.user))
    context = {
        "form": form,
        "groups": groups,
        "types": list(EDP_TYPES.values()),
        "categories": CATEGORIES,
        "can_edit": {group.pk for group in groups if perms.can_edit_group(request.user, group)},
    }
    return render(request, "pps/library.html", context, status=400 if form.errors else 200)


def _visible_group(request, pk: int) -> EdpGroup:
    try:
        group = selectors.group_detail(pk)
    except EdpGroup.DoesNotExist:
        raise Http404 from None
    if group.scope == GroupScope.PERSONAL and group.owner_id != request.user.pk:
        raise Http404
    return group


def _preview(group: EdpGroup, start: datetime.date | None) -> dict:
    elements = list(group.elements.all())
    if start is None:
        return {"preview_rows": None, "preview_error": ""}
    try:
        dates = compute_dates(start, [Rule(e.rule_kind, e.delay) for e in elements])
    except RuleError as error:
        return {"preview_rows": None, "preview_error": str(error)}
    return {"preview_rows": list(zip(elements, dates, strict=True)), "preview_error": ""}


@require(perms.can_use_library)
def group(request, pk: int):
    group = _visible_group(request, pk)
    can_edit = perms.can_edit_group(request.user, group)
    form = forms.GroupForm(request.POST or None, initial={"name": group.name, "patient_comment": group.patient_comment})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                edp_library.edp_group_update(group=group, **form.cleaned_data)
            except ValidationError as error:
                form.apply(error)
            else:
                messages.success(request, "Groupement enregistré.")
                return redirect("pps:group", pk=group.pk)
    start_form = forms.StartDateForm(request.GET or None)
    start = start_form.cleaned_data["start"] if start_form.is_valid() else None
    context = {
        "group": group,
        "form": form,
        "element_form": forms.GroupElementForm(),
        "start_form": start_form,
        "can_edit": can_edit,
        **_preview(group, start),
    }
    return render(request, "pps/group.html", context, status=400 if form.errors else 200)


@require(perms.can_use_library)
def group_preview(request, pk: int):
    group = _visible_group(request, pk)
    start_form = forms.StartDateForm(request.GET or None)
    start = start_form.cleaned_data["start"] if start_form.is_valid() else None
    return render(request, "pps/_group_preview.html", {"group": group, **_preview(group, start)})


def _editable_group(request, pk: int) -> EdpGroup:
    group = _visible_group(request, pk)
    if not perms.can_edit_group(request.user, group):
        raise PermissionDenied
    return group


@require_POST
@require(perms.can_use_library)
def group_element_add(request, pk: int):
    group = _editable_group(request, pk)
    form = forms.GroupElementForm(request.POST)
    if form.is_valid():
        try:
            edp_library.edp_group_element_add(group=group, **form.cleaned_data)
        except ValidationError as error:
            form.apply(error)
        else:
            return redirect("pps:group", pk=group.pk)
    context = {
        "group": selectors.group_detail(group.pk),
        "form": forms.GroupForm(initial={"name": group.name, "patient_comment": group.patient_comment}),
        "element_form": form,
        "start_form": forms.StartDateForm(),
        "can_edit": True,
        **_preview(group, None),
    }
    return render(request, "pps/group.html", context, status=400)


@require_POST
@require(perms.can_use_library)
def group_element_change(request, pk: int, element_pk: int, action: str):
    group = _editable_group(request, pk)
    element = get_object_or_404(EdpGroupElement, pk=element_pk, group=group)
    if action == "supprimer":
        edp_library.edp_group_element_remove(element=element)
    elif action in ("monter", "descendre"):
        edp_library.edp_group_element_move(element=element, up=action == "monter")
    else:
        raise Http404
    return redirect("pps:group", pk=group.pk)


@require_POST
@require(perms.can_use_library)
def group_favourite(request, pk: int):
    group = _visible_group(request, pk)
    now = edp_library.edp_group_favourite_toggle(group=group, user=request.user)
    messages.success(request, f"« {group.name} » " + ("ajouté aux favoris." if now else "retiré des favoris."))
    return redirect("pps:library")


# --- A patient's PPS ----------------------------------------------------------------------------


def _pps_for(request, pk: int) -> Pps:
    return programme_for(request, pk, selectors.pps_detail)


@require(perms.can_author_pps)
def patient(request, patient_pk: int):
    patient = patient_for(request, patient_pk)
    items = list(selectors.patient_pps(patient))
    trail_record(user=request.user, action=TrailAction.READ, patient=patient, request=request, detail="Liste des PPS")
    return render(request, "pps/patient.html", {"patient": patient, "items": items})


@require_POST
@require(perms.can_author_pps)
def pps_create(request, patient_pk: int):
    patient = patient_for(request, patient_pk)
    pps = services.pps_create(patient=patient, by=request.user, request=request)
    return redirect("pps:detail", pk=pps.pk)


def _mark_rule_references(elements) -> None:
    """Say what each relative date refers to: the list is sorted by date, the rules follow the groupement's order,
    so « 5 jours ouvrés après l'élément précédent » names that previous element (``element.rule_reference``)."""
    by_block: dict[int, list] = {}
    for element in elements:
        element.rule_reference = ""
        if element.block_id:
            by_block.setdefault(element.block_id, []).append(element)
    for members in by_block.values():
        members.sort(key=lambda item: (item.position, item.pk))
        for previous, element in itertools.pairwise(members):
            if element.rule_kind in (RuleKind.WORKING_AFTER_PREVIOUS, RuleKind.CALENDAR_AFTER_PREVIOUS):
                element.rule_reference = f"{previous.title} du {previous.planned_date:%d/%m/%Y}"


def _detail(request, pps: Pps, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    groups = selectors.library_for(request.user)
    professionals = selectors.directory_choices(pps)
    elements = list(pps.elements.all())
    _mark_rule_references(elements)
    context = {
        "pps": pps,
        "patient": pps.patient,
        "elements": elements,
        "blocks": list(pps.blocks.all()),
        "calendar": build_calendar(elements),
        "legend": legend(elements),
        "contacts": list(pps.contacts.all()),
        "transitions": list(pps.transitions.all()),
        "suggestions": selectors.suggested_contacts(pps) if pps.is_draft else [],
        "edp_form": bound.get("edp") or forms.EdpForm(professionals=professionals),
        "group_form": bound.get("group") or forms.ApplyGroupForm(groups=groups),
        "protocol_form": bound.get("protocol") or forms.ApplyProtocolForm(),
        "comment_form": bound.get("comment") or forms.CommentForm(initial={"patient_comment": pps.patient_comment}),
        "contact_form": bound.get("contact") or forms.ContactForm(professionals=professionals),
        "last_rcp": selectors.last_rcp(pps.rcp_fiche) if pps.rcp_fiche_id else None,
        "fiche_form": _fiche_form(pps, bound),
        "validate_form": bound.get("validate") or forms.ValidateForm(),
        "deliver_form": bound.get("deliver") or forms.DeliverForm(initial={"delivered_on": timezone.localdate()}),
        "version_form": bound.get("version") or forms.NewVersionForm(),
        "errors": bound.get("errors", []),
        "is_current": pps.is_current,
        "document": selectors.document_progress(pps),
        "validation_problems": services.pps_validation_errors(pps, no_rcp_reason="-") if pps.is_draft else [],
    }
    return render(request, "pps/detail.html", context, status=status)


def _fiche_form(pps: Pps, bound: dict):
    if "fiche" in bound:  # shown again with its errors (even when the PPS was validated meanwhile)
        return bound["fiche"]
    if not pps.is_draft:
        return None
    return forms.RcpFicheForm(fiches=selectors.validated_fiches(pps.patient), initial={"rcp_fiche": pps.rcp_fiche_id})


@require(perms.can_author_pps)
def detail(request, pk: int):
    pps = _pps_for(request, pk)
    trail_record(user=request.user, action=TrailAction.READ, patient=pps.patient, obj=pps, request=request)
    return _detail(request, pps)


def _run(request, pps: Pps, form, key: str, action, success: str):
    """Validate ``form``, run ``action(cleaned_data)``; on error, show the page again with the input kept."""

    def show_again(form):
        if key in BOUND_FORMS:
            bound = {key: form}
        else:  # forms drawn inline in the list (dates): their errors go to the page's error box
            bound = {"errors": [error for errors in form.errors.values() for error in errors]}
        return _detail(request, selectors.pps_detail(pps.pk), bound=bound, status=400)

    done_url = reverse("pps:detail", args=[pps.pk]) + f"#{key}"
    return run_form(request, form, action, success, done_url=done_url, show_again=show_again)


BOUND_FORMS = {"edp", "group", "protocol", "comment", "contact", "fiche", "validate", "deliver", "version"}


@require_POST
@require(perms.can_author_pps)
def edp_add(request, pk: int):
    pps = _pps_for(request, pk)
    form = forms.EdpForm(request.POST, professionals=selectors.directory_choices(pps))
    return _run(
        request,
        pps,
        form,
        "edp",
        lambda data: services.pps_element_add(pps=pps, by=request.user, request=request, **data),
        "EDP ajouté.",
    )


@require_POST
@require(perms.can_author_pps)
def group_apply(request, pk: int):
    pps = _pps_for(request, pk)
    form = forms.ApplyGroupForm(request.POST, groups=selectors.library_for(request.user))
    return _run(
        request,
        pps,
        form,
        "group",
        lambda data: services.pps_group_apply(
            pps=pps, group=data["group"], start_date=data["start_date"], by=request.user, request=request
        ),
        "Groupement ajouté au PPS.",
    )


@require_POST
@require(perms.can_author_pps)
def protocol_apply(request, pk: int):
    pps = _pps_for(request, pk)
    form = forms.ApplyProtocolForm(request.POST)
    return _run(
        request,
        pps,
        form,
        "protocol",
        lambda data: services.pps_protocol_apply(
            pps=pps, protocol=data["protocol"], start_date=data["start_date"], by=request.user, request=request
        ),
        "Protocole ajouté au PPS.",
    )


@require_POST
@require(perms.can_author_pps)
def block_reschedule(request, pk: int, block_pk: int):
    pps = _pps_for(request, pk)
    block = get_object_or_404(PpsBlock, pk=block_pk, pps=pps)
    form = forms.RescheduleForm(request.POST, prefix=f"bloc{block.pk}")
    return _run(
        request,
        pps,
        form,
        "calendrier",
        lambda data: services.pps_block_reschedule(
            block=block, start_date=data["start_date"], by=request.user, request=request
        ),
        "Dates recalculées.",
    )


@require_POST
@require(perms.can_author_pps)
def element_date(request, pk: int, element_pk: int):
    pps = _pps_for(request, pk)
    element = get_object_or_404(PpsElement, pk=element_pk, pps=pps)
    form = forms.OverrideForm(request.POST, prefix=f"edp{element.pk}")
    if form.is_valid() and form.cleaned_data["planned_date"] is None and element.block_id is None:
        form.add_error("planned_date", "La date prévue est obligatoire.")
    return _run(
        request,
        pps,
        form,
        "liste",
        lambda data: services.pps_element_override(
            element=element, planned_date=data["planned_date"], by=request.user, request=request
        ),
        "Date de l'EDP enregistrée.",
    )


ELEMENT_FIELDS = ("label", "end_date", "establishment", "place", "referring_doctor", "protocol", "rhythm", "comment")


@require(perms.can_author_pps)
def element_edit(request, pk: int, element_pk: int):
    pps = _pps_for(request, pk)
    element = get_object_or_404(PpsElement.objects.select_related("block"), pk=element_pk, pps=pps)
    professionals = selectors.directory_choices(pps)
    initial = {name: getattr(element, name) for name in ELEMENT_FIELDS}
    form = forms.ElementForm(request.POST or None, initial=initial, professionals=professionals)
    if request.method == "POST" and form.is_valid():
        try:
            services.pps_element_update(element=element, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "EDP enregistré.")
            return redirect(reverse("pps:detail", args=[pps.pk]) + "#liste")
    if request.method == "GET":
        trail_record(user=request.user, action=TrailAction.READ, patient=pps.patient, obj=pps, request=request)
    context = {"pps": pps, "element": element, "form": form}
    return render(request, "pps/element.html", context, status=400 if form.errors else 200)


@require_POST
@require(perms.can_author_pps)
def element_remove(request, pk: int, element_pk: int):
    pps = _pps_for(request, pk)
    element = get_object_or_404(PpsElement, pk=element_pk, pps=pps)
    try:
        services.pps_element_remove(element=element, by=request.user, request=request)
    except ValidationError as error:
        return _detail(request, pps, bound={"errors": error.messages}, status=400)
    messages.success(request, "EDP retiré.")
    return redirect(reverse("pps:detail", args=[pps.pk]) + "#liste")


@require_POST
@require(perms.can_author_pps)
def comment(request, pk: int):
    pps = _pps_for(request, pk)
    form = forms.CommentForm(request.POST)
    return _run(
        request,
        pps,
        form,
        "comment",
        lambda data: services.pps_update_details(pps=pps, by=request.user, request=request, **data),
        "Commentaire enregistré.",
    )


@require_POST
@require(perms.can_author_pps)
def contact_add(request, pk: int):
    pps = _pps_for(request, pk)
    form, add = contact_adding(request, pps)
    return _run(request, pps, form, "contact", add, "Contact ajouté.")


@require_POST
@require(perms.can_author_pps)
def contact_remove(request, pk: int, contact_pk: int):
    pps = _pps_for(request, pk)
    return remove_contact(
        request,
        pps,
        contact_pk,
        done_url=reverse("pps:detail", args=[pps.pk]) + "#contacts",
        show_errors=lambda errors: _detail(request, pps, bound={"errors": errors}, status=400),
    )


@require_POST
@require(perms.can_author_pps)
def rcp_fiche(request, pk: int):
    pps = _pps_for(request, pk)
    form = forms.RcpFicheForm(request.POST, fiches=selectors.validated_fiches(pps.patient))
    return _run(
        request,
        pps,
        form,
        "fiche",
        lambda data: services.pps_link_fiche(pps=pps, fiche=data["rcp_fiche"], by=request.user, request=request),
        "Proposition de RCP enregistrée.",
    )


@require_POST
@require(perms.can_author_pps)
def validate(request, pk: int):
    pps = _pps_for(request, pk)
    form = forms.ValidateForm(request.POST)
    return _run(
        request,
        pps,
        form,
        "validate",
        lambda data: services.pps_validate(pps=pps, by=request.user, request=request, **data),
        "PPS validé.",
    )


@require_POST
@require(perms.can_author_pps)
def deliver(request, pk: int):
    pps = _pps_for(request, pk)
    form = forms.DeliverForm(request.POST)
    return _run(
        request,
        pps,
        form,
        "deliver",
        lambda data: services.pps_deliver(pps=pps, by=request.user, request=request, **data),
        "Remise au patient enregistrée.",
    )


@require_POST
@require(perms.can_author_pps)
def new_version(request, pk: int):
    pps = _pps_for(request, pk)
    form = forms.NewVersionForm(request.POST)
    if form.is_valid():
        try:
            new = services.pps_new_version(pps=pps, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, f"Version {new.version} créée (brouillon).")
            return redirect("pps:detail", pk=new.pk)
    return _detail(request, selectors.pps_detail(pps.pk), bound={"version": form}, status=400)


# --- The document of a validated PPS or PPAC -------------------------------------------------------


def _programme(pk: int) -> Pps:
    return Pps.objects.select_related("patient").get(pk=pk)


@require(perms.can_author_pps)
def document_status(request, pk: int):
    """The htmx fragment of the PPS and PPAC pages polled while the programme's document is being produced."""
    programme = programme_for(request, pk, _programme)
    progress = selectors.document_progress(programme)
    if progress is None:
        raise Http404
    trail_record(
        user=request.user,
        action=TrailAction.READ,
        patient=programme.patient,
        obj=programme,
        request=request,
        detail="Suivi de production du document",
    )
    return render(request, "pps/_document.html", {"programme": programme, "document": progress})


@require_POST
@require(perms.can_author_pps)
def document_relaunch(request, pk: int):
    """Queue again the programme's document when it failed or stayed « En attente » (the fragment offers it)."""
    programme = programme_for(request, pk, _programme)
    try:
        queued = services.programme_document_relaunch(programme=programme, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if queued:
            messages.success(request, "Production du document relancée.")
        else:
            messages.info(request, "Le document est déjà produit ou en cours de production.")
    return redirect("pps:ppac:detail" if programme.programme == Programme.PPAC else "pps:detail", pk=programme.pk)


# --- Statistics ---------------------------------------------------------------------------------


@require(perms.can_view_statistics)
def statistics(request):
    form = forms.StatisticsFilterForm(request.GET)
    if not form.is_valid():
        raise ParameterError("Paramètre « année » invalide : " + " ".join(form.errors["annee"]))
    year = form.cleaned_data["annee"]
    stats = selectors.pps_statistics(year=year)
    labels = dict(Profile.choices)
    for row in stats["per_profile"]:
        row["label"] = labels.get(row["author_profile"], row["author_profile"] or "—")
    return render(request, "pps/statistics.html", {"stats": stats})
