from __future__ import annotations

import datetime
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dcc.accounts.decorators import require
from dcc.directory.models import ThreeC
from rcp import forms, ics, perms, selectors
from rcp.enums import AttendanceMode, SessionStatus
from rcp.models import CalendarFeed, CodeListEntry, MentionCategory, Rcp, RcpMember, Recurrence, Session, SpecialtyTag
from rcp.quorum import QuorumRule
from rcp.services import agenda as agenda_services
from rcp.services import catalogue as catalogue_services
from rcp.value_sets import FICHE_VALUE_SETS
from rcp.view_helpers import errors_to_form, trace_dossiers

PAGE_SIZE = 25
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
    "décembre",
]  # fmt: skip


def _editable_three_cs(user):
    ids = perms.editable_three_c_ids(user)
    three_cs = ThreeC.objects.filter(is_active=True)
    return three_cs if ids is None else three_cs.filter(pk__in=ids)


def _rcp_for_edit(request, pk: int) -> Rcp:
    rcp = get_object_or_404(Rcp.objects.select_related("three_c", "establishment"), pk=pk)
    if not perms.can_edit_rcp(request.user, rcp):
        raise PermissionDenied
    return rcp


def _session_for_edit(request, pk: int) -> Session:
    session = get_object_or_404(Session.objects.select_related("rcp__three_c", "rcp__establishment"), pk=pk)
    if not perms.can_edit_rcp(request.user, session.rcp):
        raise PermissionDenied
    return session


# --- Catalogue ------------------------------------------------------------------------------


@require(perms.can_view_catalogue)
def catalogue(request):
    form = forms.FinderForm(request.GET or None)
    own = selectors.user_three_c_ids(request.user)
    results = selectors.search_rcps(prefer_three_c_ids=own)
    if form.is_valid():
        data = form.cleaned_data
        results = selectors.search_rcps(
            query=data["q"] or "",
            tag_id=data["tag"].pk if data["tag"] else None,
            three_c_id=data["three_c"].pk if data["three_c"] else None,
            prefer_three_c_ids=own,
        )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "can_create": perms.can_manage_catalogue(request.user)}
    template = "rcp/_finder_results.html" if request.htmx else "rcp/catalogue.html"
    return render(request, template, context)


@require(perms.can_manage_catalogue)
def rcp_create(request):
    three_cs = _editable_three_cs(request.user)
    initial = {"is_active": True, "registration_deadline_days": 2, "max_dossiers": 30}
    if len(three_cs) == 1:
        initial["three_c"] = three_cs[0]
    form = forms.RcpForm(request.POST or None, three_cs=three_cs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rcp = catalogue_services.rcp_create(data=form.rcp_data(), tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"La RCP « {rcp.title} » est créée.")
            return redirect("rcp:detail", rcp.pk)
    return render(request, "rcp/rcp_form.html", {"form": form, "rcp": None})


@require(perms.can_view_catalogue)
def rcp_detail(request, pk: int):
    try:
        rcp = selectors.rcp_detail(pk)
    except Rcp.DoesNotExist:
        raise Http404 from None
    context = {
        "rcp": rcp,
        "can_edit": perms.can_edit_rcp(request.user, rcp),
        "upcoming": selectors.upcoming_sessions(rcp),
        "past": selectors.past_sessions(rcp),
        "member_form": forms.MemberForm(rcp=rcp) if perms.can_edit_rcp(request.user, rcp) else None,
    }
    return render(request, "rcp/rcp_detail.html", context)


@require(perms.can_manage_catalogue)
def rcp_edit(request, pk: int):
    rcp = _rcp_for_edit(request, pk)
    initial = {name: getattr(rcp, name) for name in catalogue_services.RcpData.__dataclass_fields__}
    initial["tags"] = list(rcp.tags.all())
    form = forms.RcpForm(request.POST or None, three_cs=_editable_three_cs(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue_services.rcp_update(rcp=rcp, data=form.rcp_data(), tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "La RCP est enregistrée.")
            return redirect("rcp:detail", rcp.pk)
    return render(request, "rcp/rcp_form.html", {"form": form, "rcp": rcp})


@require(perms.can_manage_catalogue)
def rcp_quorum(request, pk: int):
    rcp = _rcp_for_edit(request, pk)
    initial = {
        "min_specialties": rcp.quorum_min_specialties,
        "requires_treating_specialty": rcp.quorum_requires_treating_specialty,
        "requires_surgeon": rcp.quorum_requires_surgeon,
        "required_specialties": list(rcp.quorum_required_specialties.all()),
    }
    form = forms.QuorumForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rule = QuorumRule(
            min_specialties=data["min_specialties"],
            requires_treating_specialty=data["requires_treating_specialty"],
            requires_surgeon=data["requires_surgeon"],
            required_specialties=frozenset(s.pk for s in data["required_specialties"]),
        )
        catalogue_services.rcp_set_quorum_rule(rcp=rcp, rule=rule)
        messages.success(request, "La règle de quorum est enregistrée.")
        return redirect("rcp:detail", rcp.pk)
    return render(request, "rcp/quorum_form.html", {"form": form, "rcp": rcp})


@require(perms.can_manage_catalogue)
@require_POST
def member_add(request, pk: int):
    rcp = _rcp_for_edit(request, pk)
    form = forms.MemberForm(request.POST, rcp=rcp)
    if form.is_valid():
        data = form.cleaned_data
        try:
            member = catalogue_services.member_add(
                rcp=rcp,
                professional=data["professional"],
                role=data["role"],
                specialty=data["specialty"],
                is_fixed_participant=data["is_fixed_participant"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{member.professional.display_name} est ajouté(e) aux membres.")
    else:
        messages.error(request, "Choisissez un professionnel de l'annuaire exerçant dans ce 3C.")
    return redirect("rcp:detail", rcp.pk)


@require(perms.can_manage_catalogue)
@require_POST
def member_remove(request, pk: int, member_id: int):
    rcp = _rcp_for_edit(request, pk)
    member = get_object_or_404(RcpMember, pk=member_id, rcp=rcp)
    catalogue_services.member_remove(member=member)
    messages.success(request, f"{member.professional.display_name} ne fait plus partie des membres.")
    return redirect("rcp:detail", rcp.pk)


@require(perms.can_manage_catalogue)
def recurrence_add(request, pk: int):
    rcp = _rcp_for_edit(request, pk)
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
    rcp = _rcp_for_edit(request, pk)
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
    rcp = _rcp_for_edit(request, pk)
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
        "has_validated": session.status == SessionStatus.OPEN
        and session.dossiers.filter(fiche__validated_at__isnull=False).exists(),
    }
    trace_dossiers(request, dossiers, detail="liste de séance")
    return render(request, "rcp/session_detail.html", context)


@require(perms.can_manage_catalogue)
def session_move(request, pk: int):
    session = _session_for_edit(request, pk)
    local = timezone.localtime(session.starts_at)
    initial = {
        "date": local.date(),
        "time": local.time(),
        "duration_minutes": int((session.ends_at - session.starts_at).total_seconds() // 60),
        "place": session.place,
    }
    return _session_form_page(
        request, rcp=session.rcp, session=session,
        save=functools.partial(agenda_services.session_move, session=session),
        saved="Séance déplacée ; les membres sont prévenus.", initial=initial,
    )  # fmt: skip


@require(perms.can_manage_catalogue)
@require_POST
def session_cancel(request, pk: int):
    session = _session_for_edit(request, pk)
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
    session = _session_for_edit(request, pk)
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
    session = _session_for_edit(request, pk)
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
        "weeks": selectors.month_grid(day.year, day.month, sessions, counts) if view == "mois" else None,
        "days": selectors.week_days(grid_start, sessions) if view == "semaine" else None,
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


# --- Mentions and tags (regional admin) -----------------------------------------------------


@require(perms.can_view_catalogue)
def mentions(request):
    context = {
        "mentions": MentionCategory.objects.prefetch_related("tags").order_by("position", "code"),
        "orphan_tags": SpecialtyTag.objects.filter(mention__isnull=True).order_by("position", "code"),
        "can_edit": perms.can_manage_mentions(request.user),
    }
    return render(request, "rcp/mentions.html", context)


def _reference_page(request, *, kind: str, item, form_class, initial: dict, save, saved: str):
    """Create or edit a mention or a specialty tag (the same form page, the same save-and-return flow)."""
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(**{kind: item}, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, saved)
            return redirect("rcp:mentions")
    return render(request, "rcp/mention_form.html", {"form": form, "item": item, "kind": kind})


@require(perms.can_manage_mentions)
def mention_edit(request, pk: int | None = None):
    mention = get_object_or_404(MentionCategory, pk=pk) if pk else None
    initial = (
        {"code": mention.code, "label": mention.label, "information": mention.information, "position": mention.position}
        if mention
        else {"position": MentionCategory.objects.count() + 1}
    )
    return _reference_page(
        request, kind="mention", item=mention, form_class=forms.MentionForm, initial=initial,
        save=catalogue_services.mention_save, saved="Mention enregistrée.",
    )  # fmt: skip


@require(perms.can_manage_mentions)
def tag_edit(request, pk: int | None = None):
    tag = get_object_or_404(SpecialtyTag, pk=pk) if pk else None
    initial = (
        {"code": tag.code, "label": tag.label, "mention": tag.mention_id, "position": tag.position}
        if tag
        else {"position": SpecialtyTag.objects.count() + 1}
    )
    return _reference_page(
        request, kind="tag", item=tag, form_class=forms.TagForm, initial=initial, save=catalogue_services.tag_save,
        saved="Tag enregistré.",
    )  # fmt: skip


# --- Code lists (value sets of the fiche) ---------------------------------------------------


@require(perms.can_view_catalogue)
def code_lists(request):
    counts = dict(
        CodeListEntry.objects.values_list("value_set_name")
        .annotate(total=Count("pk"))
        .values_list("value_set_name", "total")
    )
    rows = [
        (value_set, counts.get(value_set.filename.removesuffix(".xml"), 0)) for value_set in FICHE_VALUE_SETS.values()
    ]
    return render(request, "rcp/code_lists.html", {"rows": rows})


@require(perms.can_view_catalogue)
def code_search(request, key: str):
    """Codes of one value set matching the words typed (htmx fragment, also a plain page)."""
    if key not in FICHE_VALUE_SETS:
        raise Http404
    form = forms.CodeSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "form": form,
        "key": key,
        "value_set": FICHE_VALUE_SETS[key],
        "results": selectors.search_codes(key, query or "", limit=30),
    }
    template = "rcp/_code_results.html" if request.htmx else "rcp/code_search.html"
    return render(request, template, context)
