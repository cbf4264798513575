"""The agenda: recurrences, sessions (page, move, cancel, status, attendance), month and week views, ICS feeds."""

from __future__ import annotations

import datetime
import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dcc.decorators import require
from dcc.directory.models import ThreeC
from rcp import forms, ics, perms, selectors
from rcp.agenda_grid import month_grid, week_days
from rcp.enums import AttendanceMode
from rcp.models import CalendarFeed, Rcp, Recurrence, Session
from rcp.services import agenda as agenda_services
from rcp.views.helpers import errors_to_form, rcp_for_edit, session_for_edit, trace_dossiers

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@require(perms.can_manage_catalogue)
def recurrence_add(request, pk: int):
    rcp = rcp_for_edit(request, pk)
    form = forms.RecurrenceForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            recurrence = agenda_services.recurrence_create(rcp=rcp, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            count = recurrence.sessions.count()
            plural = "s" if count > 1 else ""
            messages.success(request, f"Récurrence enregistrée : {count} séance{plural} planifiée{plural}.")
            return redirect("rcp:detail", rcp.pk)
    return render(request, "rcp/recurrence_form.html", {"form": form, "rcp": rcp})


@require(perms.can_manage_catalogue)
@require_POST
def recurrence_stop(request, pk: int, recurrence_id: int):
    rcp = rcp_for_edit(request, pk)
    recurrence = get_object_or_404(Recurrence, pk=recurrence_id, rcp=rcp)
    count = agenda_services.recurrence_stop(recurrence=recurrence, last_day=timezone.localdate(), by=request.user)
    messages.success(
        request,
        f"Récurrence arrêtée ; {count} séance{'s' if count > 1 else ''} à venir annulée{'s' if count > 1 else ''}.",
    )
    return redirect("rcp:detail", rcp.pk)


# --- Sessions -------------------------------------------------------------------------------


def _session_form_page(request, *, rcp: Rcp, session: Session | None, save, saved: str, initial=None):
    """Schedule an extra session or move one: the same form of date, time, duration and place."""
    form = forms.SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = save(
                starts_at=form.starts_at,
                duration_minutes=form.cleaned_data["duration_minutes"],
                place=form.cleaned_data["place"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, saved)
            return redirect("rcp:session", result.pk)
    return render(request, "rcp/session_form.html", {"form": form, "rcp": rcp, "session": session})


@require(perms.can_manage_catalogue)
def session_add(request, pk: int):
    rcp = rcp_for_edit(request, pk)
    save = functools.partial(agenda_services.session_add_extra, rcp=rcp)
    return _session_form_page(request, rcp=rcp, session=None, save=save, saved="Séance supplémentaire créée.")


@require(perms.can_view_catalogue)
def session_detail(request, pk: int):
    try:
        session = selectors.session_detail(pk)
    except Session.DoesNotExist:
        raise Http404 from None
    dossiers, hidden = selectors.session_dossiers(session, request.user)
    context = {
        "session": session,
        "can_edit": perms.can_edit_rcp(request.user, session.rcp),
        "quorum": selectors.session_quorum(session),
        "cancel_form": forms.CancelForm(),
        "dossiers": dossiers,
        "hidden_dossiers": hidden,
        "can_register": perms.can_register_dossiers(request.user),
        "can_order": perms.is_three_c_secretary_of(request.user, session.rcp),
        "can_run": perms.can_run_session(request.user, session),
        "can_follow": perms.can_follow_session(request.user, session),
        "has_validated": session.is_open and session.dossiers.filter(fiche__validated_at__isnull=False).exists(),
    }
    trace_dossiers(request, dossiers, detail="liste de séance")
    return render(request, "rcp/session_detail.html", context)


@require(perms.can_manage_catalogue)
def session_move(request, pk: int):
    session = session_for_edit(request, pk)
    local = timezone.localtime(session.starts_at)
    initial = {
        "date": local.date(),
        "time": local.time(),
        "duration_minutes": int((session.ends_at - session.starts_at).total_seconds() // 60),
        "place": session.place,
    }
    return _session_form_page(
        request,
        rcp=session.rcp,
        session=session,
        save=functools.partial(agenda_services.session_move, session=session),
        saved="Séance déplacée ; les membres sont prévenus.",
        initial=initial,
    )


@require(perms.can_manage_catalogue)
@require_POST
def session_cancel(request, pk: int):
    session = session_for_edit(request, pk)
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Le motif d'annulation est obligatoire.")
        return redirect("rcp:session", session.pk)
    try:
        agenda_services.session_cancel(session=session, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Séance annulée ; les membres sont prévenus.")
    return redirect("rcp:session", session.pk)


STATUS_ACTIONS = {
    "ouvrir": agenda_services.session_open,
    "cloturer": agenda_services.session_close,
    "replanifier": agenda_services.session_reopen_planning,
}


@require(perms.can_manage_catalogue)
@require_POST
def session_status(request, pk: int):
    session = session_for_edit(request, pk)
    action = STATUS_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Action inconnue.")
        return redirect("rcp:session", session.pk)
    early = selectors.session_opens_early(session)
    if action is agenda_services.session_open and early and request.POST.get("confirmer") != "oui":
        return render(request, "rcp/session_open_confirm.html", {"session": session, "days": early})
    try:
        session = action(session=session, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Séance : {session.get_status_display().lower()}.")
    return redirect("rcp:session", session.pk)


@require(perms.can_manage_catalogue)
def session_attendance(request, pk: int):
    session = session_for_edit(request, pk)
    session = selectors.session_detail(session.pk)
    rows = selectors.attendance_sheet(session)
    guests = selectors.attendance_guests(session)
    if request.method == "POST":
        entries = {}
        for _member, professional, _mode in rows:
            value = request.POST.get(f"presence-{professional.pk}", "")
            entries[professional.pk] = value or None
        guest_id, guest_mode = request.POST.get("invite", ""), request.POST.get("invite-presence", "")
        if guest_id:
            if not guest_id.isdigit() or int(guest_id) not in {g.pk for g in guests}:
                messages.error(request, "Participant inconnu : choisissez un professionnel de la liste.")
                return redirect("rcp:session_attendance", session.pk)
            entries[int(guest_id)] = guest_mode or AttendanceMode.ROOM
        try:
            agenda_services.attendance_record(session=session, entries=entries, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Feuille de présence enregistrée.")
            return redirect("rcp:session", session.pk)
    context = {"session": session, "rows": rows, "modes": AttendanceMode.choices, "guests": guests}
    return render(request, "rcp/attendance_form.html", context)


# --- Agenda ---------------------------------------------------------------------------------


def _parse_day(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@require(perms.can_view_catalogue)
def agenda(request):
    view = "semaine" if request.GET.get("vue") == "semaine" else "mois"
    day = _parse_day(request.GET.get("date"))
    mine = request.GET.get("mes") == "1"
    three_c = None
    if request.GET.get("3c", "").isdigit():
        three_c = ThreeC.objects.filter(pk=int(request.GET["3c"])).first()
    elif "3c" not in request.GET and not mine:
        # A 3C secretary lands on her own 3C's agenda.
        own = perms.editable_three_c_ids(request.user)
        if own and len(own) == 1:
            three_c = ThreeC.objects.filter(pk=next(iter(own))).first()
    if view == "mois":
        start = day.replace(day=1)
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        grid_start = start - datetime.timedelta(days=start.weekday())
        grid_end = end + datetime.timedelta(days=(7 - end.weekday()) % 7)
        previous, following = (start - datetime.timedelta(days=1)).replace(day=1), end
        title = f"{MONTHS[start.month - 1]} {start.year}"
    else:
        grid_start = day - datetime.timedelta(days=day.weekday())
        grid_end = grid_start + datetime.timedelta(days=7)
        previous, following = grid_start - datetime.timedelta(days=7), grid_end
        title = f"semaine du {grid_start:%d/%m/%Y}"
    # The whole region's month (~700 sessions) is shown as counts per day, each linking to its week.
    overview = view == "mois" and not mine and three_c is None
    counts = None
    if mine:
        sessions = selectors.user_sessions(request.user, grid_start, grid_end)
    elif overview:
        sessions, counts = [], selectors.session_counts_by_day(grid_start, grid_end)
    else:
        sessions = selectors.sessions_between(grid_start, grid_end, three_c_ids=[three_c.pk] if three_c else None)
    context = {
        "view": view,
        "title": title,
        "mine": mine,
        "three_c": three_c,
        "three_cs": ThreeC.objects.filter(is_active=True),
        "previous": previous,
        "following": following,
        "today": timezone.localdate(),
        "overview": overview,
        "weeks": month_grid(day.year, day.month, sessions, counts) if view == "mois" else None,
        "days": week_days(grid_start, sessions) if view == "semaine" else None,
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
        "has_professional": bool(request.user.professional_id),
    }
    return render(request, "rcp/agenda.html", context)


@require(perms.can_view_catalogue)
@require_POST
def calendar_feed(request):
    agenda_services.calendar_feed_renew(user=request.user)
    messages.success(request, "Votre lien d'abonnement est prêt (l'ancien lien éventuel ne fonctionne plus).")
    return redirect(f"{reverse('rcp:agenda')}?mes=1")


def _ics_response(payload: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(payload, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _ics_window() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return today - datetime.timedelta(days=90), today + datetime.timedelta(days=366)


def rcp_ics(request, token: str):
    """The sessions of one RCP; the secret token in the URL replaces the login (calendar clients)."""
    rcp = get_object_or_404(Rcp, ics_token=token)
    start, end = _ics_window()
    sessions = selectors.sessions_between(start, end, rcp_id=rcp.pk, with_change_count=True)
    return _ics_response(ics.sessions_calendar(sessions, name=f"RCP {rcp.title}", host=request.get_host()), "rcp.ics")


def user_ics(request, token: str):
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    user = feed.user
    if not perms.can_view_catalogue(user):
        raise Http404
    start, end = _ics_window()
    sessions = selectors.user_sessions(user, start, end, with_change_count=True)
    return _ics_response(ics.sessions_calendar(sessions, name="Mes RCP", host=request.get_host()), "mes-rcp.ics")
