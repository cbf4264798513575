"""Thin views of the PPAC screens: a patient's PPAC list and creation, the PPAC page and its forms."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dcc.decorators import require
from dcc.records.enums import TrailAction
from dcc.records.trail import trail_record
from pps import forms as pps_forms
from pps import perms, ppac_forms, ppac_selectors, ppac_services, selectors
from pps.calendar import build_calendar, legend
from pps.models import PpacFollowUp, Pps
from pps.view_access import contact_adding, patient_for, programme_for, remove_contact, run_form


def _ppac_for(request, pk: int) -> Pps:
    return programme_for(request, pk, ppac_selectors.ppac_detail)


@require(perms.can_author_pps)
def patient(request, patient_pk: int):
    patient = patient_for(request, patient_pk)
    items = list(ppac_selectors.patient_ppac(patient))
    source = ppac_services.last_pps(patient)
    templates = list(ppac_selectors.active_templates())
    form = ppac_forms.CreateForm(
        templates=ppac_selectors.active_templates(),
        initial={"follow_up_start": timezone.localdate(), "from_last_pps": source is not None},
    )
    trail_record(user=request.user, action=TrailAction.READ, patient=patient, request=request, detail="Liste des PPAC")
    context = {"patient": patient, "items": items, "form": form, "source": source, "templates": templates}
    return render(request, "pps/ppac/patient.html", context)


@require_POST
@require(perms.can_author_pps)
def create(request, patient_pk: int):
    patient = patient_for(request, patient_pk)
    templates = ppac_selectors.active_templates()
    form = ppac_forms.CreateForm(request.POST, templates=templates)
    if form.is_valid():
        try:
            ppac = ppac_services.ppac_create(patient=patient, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "PPAC créé (brouillon).")
            return redirect("pps:ppac:detail", pk=ppac.pk)
    context = {
        "patient": patient,
        "items": list(ppac_selectors.patient_ppac(patient)),
        "form": form,
        "source": ppac_services.last_pps(patient),
        "templates": list(templates),
    }
    trail_record(user=request.user, action=TrailAction.READ, patient=patient, request=request, detail="Liste des PPAC")
    return render(request, "pps/ppac/patient.html", context, status=400)


def _years(elements) -> list[dict]:
    """One calendar per year of follow-up (the month calendar shows at most three years at once)."""
    by_year: dict[int, list] = {}
    for element in elements:
        by_year.setdefault(element.planned_date.year, []).append(element)
    return [
        {
            "year": year,
            "rows": build_calendar(items),
            "testid": f"ppac-calendar-{year}",
            "caption": f"Calendrier du suivi en {year} : un mois par ligne, un jour par colonne",
        }
        for year, items in sorted(by_year.items())
    ]


def _detail(request, ppac: Pps, *, bound: dict | None = None, status: int = 200):
    """The PPAC page; every display of it (including a form shown again with its errors) is traced."""
    bound = bound or {}
    trail_record(user=request.user, action=TrailAction.READ, patient=ppac.patient, obj=ppac, request=request)
    plan = ppac.ppac
    elements = list(ppac.elements.all())
    professionals = selectors.directory_choices(ppac)
    advice = {item.section: item.text for item in ppac.advice.all()}
    context = {
        "ppac": ppac,
        "plan": plan,
        "patient": ppac.patient,
        "follow_ups": list(ppac.follow_ups.all()),
        "advice": sorted(ppac.advice.all(), key=lambda item: item.position),
        "years": _years(elements),
        "legend": legend(elements),
        "contacts": list(ppac.contacts.all()),
        "suggestions": selectors.suggested_contacts(ppac) if ppac.is_draft else [],
        "transitions": list(ppac.transitions.all()),
        "plan_form": bound.get("plan")
        or ppac_forms.PlanForm(
            initial={
                "follow_up_start": plan.follow_up_start,
                "treatment_summary": plan.treatment_summary,
                "patient_comment": ppac.patient_comment,
            }
        ),
        "follow_up_form": bound.get("follow_up") or ppac_forms.FollowUpForm(professionals=professionals),
        "advice_form": bound.get("advice") or ppac_forms.AdviceForm(initial=advice),
        "contact_form": bound.get("contact") or pps_forms.ContactForm(professionals=professionals),
        "deliver_form": bound.get("deliver") or pps_forms.DeliverForm(initial={"delivered_on": timezone.localdate()}),
        "version_form": bound.get("version") or pps_forms.NewVersionForm(),
        "errors": bound.get("errors", []),
        "is_current": ppac.is_current,
        "document": selectors.document_progress(ppac),
        "validation_problems": ppac_services.ppac_validation_errors(ppac) if ppac.is_draft else [],
    }
    return render(request, "pps/ppac/detail.html", context, status=status)


@require(perms.can_author_pps)
def detail(request, pk: int):
    return _detail(request, _ppac_for(request, pk))


def _run(request, ppac: Pps, form, key: str, action, success: str, anchor: str = ""):
    """Validate ``form``, run ``action(cleaned_data)``; on error show the page again with the input kept."""
    return run_form(
        request,
        form,
        action,
        success,
        done_url=reverse("pps:ppac:detail", args=[ppac.pk]) + f"#{anchor or key}",
        show_again=lambda form: _detail(request, ppac_selectors.ppac_detail(ppac.pk), bound={key: form}, status=400),
    )


@require_POST
@require(perms.can_author_pps)
def plan(request, pk: int):
    ppac = _ppac_for(request, pk)
    return _run(
        request,
        ppac,
        ppac_forms.PlanForm(request.POST),
        "plan",
        lambda data: ppac_services.ppac_plan_update(ppac=ppac, by=request.user, request=request, **data),
        "Plan enregistré.",
    )


@require_POST
@require(perms.can_author_pps)
def follow_up_add(request, pk: int):
    ppac = _ppac_for(request, pk)
    form = ppac_forms.FollowUpForm(request.POST, professionals=selectors.directory_choices(ppac))
    return _run(
        request,
        ppac,
        form,
        "follow_up",
        lambda _data: ppac_services.ppac_follow_up_add(
            ppac=ppac, by=request.user, request=request, **form.service_values()
        ),
        "Élément de suivi ajouté.",
        anchor="suivi",
    )


@require_POST
@require(perms.can_author_pps)
def follow_up_remove(request, pk: int, follow_up_pk: int):
    ppac = _ppac_for(request, pk)
    follow_up = get_object_or_404(PpacFollowUp, pk=follow_up_pk, pps=ppac)
    try:
        ppac_services.ppac_follow_up_remove(follow_up=follow_up, by=request.user, request=request)
    except ValidationError as error:
        return _detail(request, ppac, bound={"errors": error.messages}, status=400)
    messages.success(request, "Élément de suivi retiré.")
    return redirect(reverse("pps:ppac:detail", args=[ppac.pk]) + "#suivi")


@require_POST
@require(perms.can_author_pps)
def advice(request, pk: int):
    ppac = _ppac_for(request, pk)
    return _run(
        request,
        ppac,
        ppac_forms.AdviceForm(request.POST),
        "advice",
        lambda data: ppac_services.ppac_advice_update(ppac=ppac, by=request.user, request=request, texts=data),
        "Conseils enregistrés.",
        anchor="conseils",
    )


@require_POST
@require(perms.can_author_pps)
def contact_add(request, pk: int):
    ppac = _ppac_for(request, pk)
    form, add = contact_adding(request, ppac)
    return _run(request, ppac, form, "contact", add, "Contact ajouté.", anchor="contacts")


@require_POST
@require(perms.can_author_pps)
def contact_remove(request, pk: int, contact_pk: int):
    ppac = _ppac_for(request, pk)
    return remove_contact(
        request,
        ppac,
        contact_pk,
        done_url=reverse("pps:ppac:detail", args=[ppac.pk]) + "#contacts",
        show_errors=lambda errors: _detail(request, ppac, bound={"errors": errors}, status=400),
    )


@require_POST
@require(perms.can_author_pps)
def validate(request, pk: int):
    ppac = _ppac_for(request, pk)
    try:
        ppac_services.ppac_validate(ppac=ppac, by=request.user, request=request)
    except ValidationError as error:
        return _detail(request, ppac, bound={"errors": error.messages}, status=400)
    messages.success(request, "PPAC validé.")
    return redirect("pps:ppac:detail", pk=ppac.pk)


@require_POST
@require(perms.can_author_pps)
def deliver(request, pk: int):
    ppac = _ppac_for(request, pk)
    return _run(
        request,
        ppac,
        pps_forms.DeliverForm(request.POST),
        "deliver",
        lambda data: ppac_services.ppac_deliver(ppac=ppac, by=request.user, request=request, **data),
        "Remise au patient enregistrée.",
    )


@require_POST
@require(perms.can_author_pps)
def new_version(request, pk: int):
    ppac = _ppac_for(request, pk)
    form = pps_forms.NewVersionForm(request.POST)
    if form.is_valid():
        try:
            new = ppac_services.ppac_new_version(ppac=ppac, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, f"Version {new.version} créée (brouillon).")
            return redirect("pps:ppac:detail", pk=new.pk)
    return _detail(request, ppac_selectors.ppac_detail(ppac.pk), bound={"version": form}, status=400)
