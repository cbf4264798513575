"""The live session: run by the 3C secretary or the RCP coordinator, followed by members and attendees."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dcc.decorators import require
from dcc.prepared_queries import PreparedGet
from dcc.records.access import has_patient_care_profile
from rcp import forms, perms, selectors
from rcp.models import Dossier, Session
from rcp.services import agenda as agenda_services
from rcp.services import dossiers as dossier_services
from rcp.services import fiches as fiche_services
from rcp.services.base import FicheConflict
from rcp.views.helpers import dossier_for_user, signing_blockers, trace, trace_dossiers, validate_form

# --- Live session ---------------------------------------------------------------------------


_session_with_rcp = PreparedGet(
    lambda: Session.objects.select_related("rcp__establishment", "rcp__three_c", "current_dossier")
)  # polled every few seconds by every member following a session


def _live_session(request, pk: int, *, run: bool) -> Session:
    try:
        session = _session_with_rcp.get(pk)
    except Session.DoesNotExist:
        raise Http404 from None
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
    discussed = current is not None and current.is_in_discussion
    if discussed and not current.fiche.is_validated:  # a postponed dossier is no longer discussed here
        quick = forms.QuickPropositionForm(
            initial=selectors.quick_proposition_initial(current.fiche),
            treatment_entries=selectors.fiche_code_lists(["type_traitement"])["type_traitement"],
        )
    context.update(
        {
            "dossiers": dossiers,
            "hidden": hidden,
            "quick": quick,
            "quorum": selectors.session_quorum(selectors.session_detail(session.pk)),
            "validate_form": validate_form(request, current.fiche) if current else None,
            "signing_blockers": signing_blockers(request, current.fiche) if current else [],
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
    target = request.POST.get("dossier", "")
    if target in ("next", "prev"):
        dossier_id = selectors.live_step(session, forward=target == "next")
        if dossier_id is None:
            messages.error(request, "Aucun dossier à présenter.")
            return redirect("rcp:session_live", pk)
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
    dossier = dossier_for_user(request, session.current_dossier_id, edit=True)
    fiche = dossier.fiche
    form = forms.QuickPropositionForm(
        request.POST,
        treatment_entries=selectors.fiche_code_lists(["type_traitement"])["type_traitement"],
    )
    if not form.is_valid():
        messages.error(request, "Proposition incomplète.")
        return redirect("rcp:session_live", pk)
    try:
        fiche_services.fiche_quick_proposition_save(
            fiche=fiche,
            data=form.content(),
            expected_revision=form.cleaned_data["revision"],
            by=request.user,
            request=request,
        )
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
