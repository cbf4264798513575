"""RCP pages: access by persona, query budgets, the finder, the agenda and the ICS feeds."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from rcp.enums import AttendanceMode, SessionStatus
from rcp.models import Attendance, CalendarFeed, Rcp, RcpMember, Session
from tests.helpers import assert_access
from tests.rcp.factories import RcpFactory, RcpMemberFactory, SessionFactory

pytestmark = pytest.mark.django_db

EVERYONE = {
    "secretary_3c",
    "doctor",
    "doctor_other_3c",
    "medical_secretary",
    "annonce_nurse",
    "gp",
    "registry",
    "admin",
}
EDITORS = {"secretary_3c", "admin"}


def test_read_pages_are_open_to_every_profile(client, personas, world):
    rcp, session = world["rcp"], world["session"]
    for url in [
        reverse("rcp:catalogue"),
        reverse("rcp:detail", args=[rcp.pk]),
        reverse("rcp:session", args=[session.pk]),
        reverse("rcp:agenda"),
        reverse("rcp:agenda") + "?vue=semaine&mes=1",
    ]:
        assert_access(client, personas, url, allowed=EVERYONE)


def test_edit_pages_of_an_rcp_are_for_its_3c_secretary_and_the_admin(client, personas, world):
    rcp, session = world["rcp"], world["session"]
    for url in [
        reverse("rcp:create"),
        reverse("rcp:edit", args=[rcp.pk]),
        reverse("rcp:quorum", args=[rcp.pk]),
        reverse("rcp:recurrence_add", args=[rcp.pk]),
        reverse("rcp:session_add", args=[rcp.pk]),
        reverse("rcp:session_move", args=[session.pk]),
    ]:
        assert_access(client, personas, url, allowed=EDITORS)


def test_the_secretary_of_another_3c_cannot_edit(client, personas, world):
    other = world["other_rcp"]
    for url in [reverse("rcp:edit", args=[other.pk]), reverse("rcp:session_move", args=[world["other_session"].pk])]:
        assert_access(client, personas, url, allowed={"admin"})


def test_attendance_sheet_access(client, personas, world):
    session = SessionFactory(rcp=world["rcp"], past=True)
    assert_access(client, personas, reverse("rcp:session_attendance", args=[session.pk]), allowed=EDITORS)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rcp:session_cancel", {"reason": "Grève"}),
        ("rcp:session_status", {"action": "ouvrir"}),
    ],
)
def test_session_actions_are_refused_to_others_and_change_nothing(client, personas, world, name, data):
    session = world["session"]
    url = reverse(name, args=[session.pk])
    denied = set(EVERYONE) - EDITORS | {"no_profile"}
    for persona in denied:
        client.force_login(personas[persona])
        assert client.post(url, data).status_code == 403
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_post_only_actions_refuse_get(client, personas, world):
    client.force_login(personas["secretary_3c"])
    assert client.get(reverse("rcp:session_cancel", args=[world["session"].pk])).status_code == 405


def test_secretary_creates_an_rcp_with_tags_and_default_quorum(client, personas):
    from rcp.models import SpecialtyTag

    client.force_login(personas["secretary_3c"])
    tags = SpecialtyTag.objects.filter(code__in=["A1", "B1"])
    response = client.post(reverse("rcp:create"), {
        "title": "Tumeurs digestives", "three_c": personas.three_c.pk, "establishment": personas.hospital.pk,
        "nature": "ORG-117", "tags": [t.pk for t in tags], "registration_deadline_days": 2, "max_dossiers": 20,
        "is_active": "on",
    })  # fmt: skip
    rcp = Rcp.objects.get()
    assert response.status_code == 302 and response.url == reverse("rcp:detail", args=[rcp.pk])
    assert rcp.display_name == "Tumeurs digestives (CHU TEST POITIERS - Poitiers) - (A1, B1)"
    assert rcp.quorum_requires_surgeon


def test_secretary_cannot_create_in_another_3c(client, personas):
    client.force_login(personas["secretary_3c"])
    response = client.post(reverse("rcp:create"), {
        "title": "Intrus", "three_c": personas.other_three_c.pk, "establishment": personas.other_hospital.pk,
        "nature": "ORG-117", "registration_deadline_days": 2, "max_dossiers": 20,
    })  # fmt: skip
    assert response.status_code == 200
    assert not Rcp.objects.exists()
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_secretary_adds_a_member_and_sets_the_quorum(client, personas, world):
    from tests.directory.factories import PlaceOfPracticeFactory

    rcp = world["rcp"]
    newcomer = PlaceOfPracticeFactory(establishment=personas.hospital).professional
    client.force_login(personas["secretary_3c"])
    client.post(reverse("rcp:member_add", args=[rcp.pk]), {"professional": newcomer.pk, "role": "membre"})
    assert RcpMember.objects.filter(rcp=rcp, professional=newcomer).exists()
    client.post(reverse("rcp:quorum", args=[rcp.pk]), {"min_specialties": 4, "required_specialties": ["G15_10/SM01"]})
    rcp.refresh_from_db()
    assert rcp.quorum_min_specialties == 4 and not rcp.quorum_requires_surgeon
    assert list(rcp.quorum_required_specialties.values_list("pk", flat=True)) == ["G15_10/SM01"]


def test_secretary_records_attendance_and_sees_the_quorum(client, personas, world):
    session = SessionFactory(rcp=world["rcp"], past=True)
    members = list(world["rcp"].members.all())
    client.force_login(personas["secretary_3c"])
    data = {f"presence-{m.professional_id}": AttendanceMode.ROOM for m in members}
    response = client.post(reverse("rcp:session_attendance", args=[session.pk]), data)
    assert response.status_code == 302
    assert Attendance.objects.filter(session=session).count() == len(members)
    page = client.get(reverse("rcp:session", args=[session.pk])).content.decode()
    assert "Quorum non atteint : 2 spécialités distinctes présentes sur 3 requises" in page


def test_cancel_from_the_page_with_reason(client, personas, world):
    session = world["session"]
    client.force_login(personas["secretary_3c"])
    client.post(reverse("rcp:session_cancel", args=[session.pk]), {"reason": ""})
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED
    client.post(reverse("rcp:session_cancel", args=[session.pk]), {"reason": "Jour férié"})
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and session.cancel_reason == "Jour férié"


def test_finder_best_match_first_accents_ignored_and_tag_filter(client, personas):
    from rcp.models import SpecialtyTag

    b1 = SpecialtyTag.objects.get(code="B1")
    RcpFactory(title="Tumeurs digestives", establishment=personas.hospital, tags=[b1])
    RcpFactory(title="Urologie", establishment=personas.hospital)
    RcpFactory(title="Hépato-biliaire et digestif haut", establishment=personas.other_hospital)
    client.force_login(personas["doctor_other_3c"])
    page = client.get(reverse("rcp:catalogue"), {"q": "digestive"}, headers={"HX-Request": "true"})
    names = [rcp.title for rcp in page.context["page"].object_list]
    assert names[0] == "Tumeurs digestives"
    assert "Urologie" not in names
    page = client.get(reverse("rcp:catalogue"), {"q": "hepato"})
    assert [r.title for r in page.context["page"].object_list] == ["Hépato-biliaire et digestif haut"]
    page = client.get(reverse("rcp:catalogue"), {"q": "dig", "tag": b1.pk})
    assert [r.title for r in page.context["page"].object_list] == ["Tumeurs digestives"]
    assert "(A1" not in page.content.decode() and "- (B1)" in page.content.decode()


def test_catalogue_query_budget(client, personas, django_assert_max_num_queries):
    for i in range(30):
        RcpFactory(title=f"RCP {i}", establishment=personas.hospital)
    client.force_login(personas["doctor"])
    # Constant: session, user, grants and their 3C/establishments, form choices, count, page, tags prefetch.
    with django_assert_max_num_queries(16):
        assert client.get(reverse("rcp:catalogue"), {"q": "RCP"}).status_code == 200


def test_agenda_month_shows_sessions_with_a_bounded_number_of_queries(
    client, personas, world, django_assert_max_num_queries
):
    rcp = world["rcp"]
    start = timezone.localtime().replace(day=10, hour=13, minute=0, second=0, microsecond=0)
    for day in range(0, 15):
        SessionFactory(rcp=rcp, starts_at=start + datetime.timedelta(days=day))
    client.force_login(personas["doctor"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("rcp:agenda"), {"date": start.date().isoformat(), "3c": personas.three_c.pk})
    assert response.content.decode().count("agenda-session ") >= 15
    mine = client.get(reverse("rcp:agenda"), {"vue": "semaine", "mes": "1", "date": start.date().isoformat()})
    assert "Tumeurs digestives" in mine.content.decode()


def test_session_and_detail_query_budget(client, personas, world, django_assert_max_num_queries):
    session = SessionFactory(rcp=world["rcp"], past=True)
    for member in world["rcp"].members.all():
        Attendance.objects.create(session=session, professional=member.professional, mode=AttendanceMode.ROOM,
                                  specialty_id=member.specialty_id)  # fmt: skip
    client.force_login(personas["secretary_3c"])
    # +2 since dossiers hang off the session: the care scope's 3C and the visible dossiers in one query.
    # +1 since the rights are read from the table: the secretary's grant establishments (its 3Cs' too).
    with django_assert_max_num_queries(17):
        assert client.get(reverse("rcp:session", args=[session.pk])).status_code == 200
    with django_assert_max_num_queries(17):
        assert client.get(reverse("rcp:detail", args=[world["rcp"].pk])).status_code == 200


def test_rcp_ics_feed_parses_back_as_rfc5545(client, world):
    session = world["session"]
    SessionFactory(rcp=world["rcp"], cancelled=True, starts_at=session.starts_at + datetime.timedelta(days=7),
                   ends_at=session.ends_at + datetime.timedelta(days=7))  # fmt: skip
    response = client.get(reverse("rcp:rcp_ics", args=[world["rcp"].ics_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    first = min(events, key=lambda e: e.decoded("DTSTART"))
    assert first.decoded("DTSTART") == session.starts_at
    assert str(first["SUMMARY"]) == "RCP Tumeurs digestives"
    assert {str(e["STATUS"]) for e in events} == {"CONFIRMED", "CANCELLED"}
    assert all(str(e["UID"]).startswith("seance-") for e in events)
    lines = response.content.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75  # RFC 5545 §3.1: folded at 75 octets


def test_ics_feeds_refuse_a_wrong_token(client):
    assert client.get(reverse("rcp:rcp_ics", args=["nope"])).status_code == 404
    assert client.get(reverse("rcp:user_ics", args=["nope"])).status_code == 404


def test_user_feed_lists_the_doctors_rcps_only(client, personas, world):
    client.force_login(personas["doctor"])
    assert client.post(reverse("rcp:calendar_feed")).status_code == 302
    feed = CalendarFeed.objects.get(user=personas["doctor"])
    client.logout()
    calendar = Calendar.from_ical(client.get(reverse("rcp:user_ics", args=[feed.token])).content)
    summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert summaries == {"RCP Tumeurs digestives"}
    old = feed.token
    client.force_login(personas["doctor"])
    client.post(reverse("rcp:calendar_feed"))
    client.logout()
    assert client.get(reverse("rcp:user_ics", args=[old])).status_code == 404


def test_extra_session_is_created_by_the_secretary(client, personas, world):
    client.force_login(personas["secretary_3c"])
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(reverse("rcp:session_add", args=[world["rcp"].pk]),
                           {"date": day.isoformat(), "time": "17:30", "duration_minutes": 60})  # fmt: skip
    session = Session.objects.get(is_extra=True)
    assert response.url == reverse("rcp:session", args=[session.pk])
    assert timezone.localtime(session.starts_at).hour == 17


def test_nav_shows_the_rcp_item(client, personas):
    client.force_login(personas["gp"])
    assert 'href="/rcp/"' in client.get("/").content.decode()


def test_member_in_fixture_is_unused_guard():
    # Keeps the factory import honest: a member factory builds its own RCP.
    assert RcpMemberFactory._meta.model is RcpMember


def test_moving_a_session_bumps_its_ics_sequence(client, personas, world):
    session = world["session"]
    url = reverse("rcp:rcp_ics", args=[world["rcp"].ics_token])
    before = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    client.force_login(personas["secretary_3c"])
    moved_to = timezone.localtime(session.starts_at) + datetime.timedelta(days=1)
    client.post(reverse("rcp:session_move", args=[session.pk]), {
        "date": moved_to.date().isoformat(), "time": moved_to.strftime("%H:%M"), "duration_minutes": 90,
    })  # fmt: skip
    after = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    assert after.decoded("DTSTART") == moved_to
    assert int(after["SEQUENCE"]) > int(before.get("SEQUENCE", 0))
    assert str(after["UID"]) == str(before["UID"])


@pytest.mark.parametrize("name", ["rcp:member_add", "rcp:recurrence_stop", "rcp:member_remove"])
def test_catalogue_writes_are_refused_to_non_editors(client, personas, world, name):
    from tests.rcp.factories import RecurrenceFactory

    rcp = world["rcp"]
    recurrence = RecurrenceFactory(rcp=rcp)
    member = rcp.members.first()
    args = {"rcp:member_add": [rcp.pk], "rcp:recurrence_stop": [rcp.pk, recurrence.pk],
            "rcp:member_remove": [rcp.pk, member.pk]}[name]  # fmt: skip
    url = reverse(name, args=args)
    for persona in set(EVERYONE) - EDITORS | {"no_profile"}:
        client.force_login(personas[persona])
        assert client.post(url, {}).status_code == 403, persona
    client.logout()
    assert client.post(url, {}).status_code == 302
    assert rcp.members.count() == 2
    recurrence.refresh_from_db()
    assert recurrence.is_active


def test_secretary_of_the_3c_may_stop_a_recurrence_which_cancels_its_future_sessions(client, personas, world):
    from rcp.services.agenda import recurrence_create

    recurrence = recurrence_create(
        rcp=world["rcp"], kind="hebdo", weekday=2, start_time=datetime.time(12), start_date=timezone.localdate()
    )
    planned = recurrence.sessions.count()
    client.force_login(personas["secretary_3c"])
    client.post(reverse("rcp:recurrence_stop", args=[world["rcp"].pk, recurrence.pk]))
    cancelled = recurrence.sessions.filter(status=SessionStatus.CANCELLED).count()
    assert cancelled >= planned - 1 and cancelled > 0
    assert set(recurrence.sessions.filter(status=SessionStatus.CANCELLED).values_list("cancel_reason", flat=True)) == {
        "Fin de la récurrence."
    }


def test_feed_and_status_posts_need_a_profile(client, personas, world):
    assert_access(client, personas, reverse("rcp:calendar_feed"), allowed=EVERYONE, method="post", ok_status=302)
    client.force_login(personas["admin"])
    url = reverse("rcp:session_status", args=[world["other_session"].pk])
    response = client.post(url, {"action": "ouvrir", "confirmer": "oui"})  # a week ahead: confirmed
    assert response.status_code == 302
    world["other_session"].refresh_from_db()
    assert world["other_session"].status == SessionStatus.OPEN


def test_the_secretary_lands_on_her_3c_agenda(client, personas, world):
    client.force_login(personas["secretary_3c"])
    response = client.get(reverse("rcp:agenda"))
    assert response.context["three_c"] == personas.three_c
    all_three_cs = client.get(reverse("rcp:agenda"), {"3c": ""})
    assert all_three_cs.context["three_c"] is None


def test_invalid_recurrence_shows_french_errors_and_saves_nothing(client, personas, world):
    client.force_login(personas["secretary_3c"])
    response = client.post(reverse("rcp:recurrence_add", args=[world["rcp"].pk]), {
        "kind": "mensuel", "interval_weeks": 1, "weekday": 1, "start_time": "12:00", "duration_minutes": 90,
        "start_date": "2026-12-01", "end_date": "2026-11-01",
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "Précisez la semaine du mois" in page and "La date de fin précède la date de début" in page
    assert not world["rcp"].recurrences.exists()


def test_region_month_overview_counts_sessions_per_day(client, personas, world):
    # The 12th two months ahead: not the day of the sessions ``world`` puts a week from now (the 12th itself when
    # the tests run on the 5th).
    ahead = timezone.localtime() + datetime.timedelta(days=62)
    start = ahead.replace(day=12, hour=9, minute=0, second=0, microsecond=0)
    for hours in (0, 2, 4):
        SessionFactory(rcp=world["other_rcp"], starts_at=start + datetime.timedelta(hours=hours))
    SessionFactory(rcp=world["rcp"], cancelled=True, starts_at=start)
    client.force_login(personas["doctor"])
    response = client.get(reverse("rcp:agenda"), {"3c": "", "date": start.date().isoformat()})
    assert response.context["overview"]
    day = next(d for week in response.context["weeks"] for d in week if d.date == start.date())
    assert day.count == 3
    assert "3 séances" in response.content.decode()


def test_finder_puts_the_users_3c_first_among_equal_matches(client, personas):
    RcpFactory(title="Tumeurs digestives", establishment=personas.other_hospital)
    RcpFactory(title="Tumeurs digestives", establishment=personas.hospital)
    for persona, first in [("doctor", personas.hospital), ("doctor_other_3c", personas.other_hospital)]:
        client.force_login(personas[persona])
        results = client.get(reverse("rcp:catalogue"), {"q": "digestives"}).context["page"].object_list
        assert results[0].establishment == first, persona


def test_a_guest_who_is_not_a_member_can_be_recorded_present(client, personas, world):
    from tests.directory.factories import PlaceOfPracticeFactory, ProfessionalFactory

    session = SessionFactory(rcp=world["rcp"], past=True)
    guest = PlaceOfPracticeFactory(
        establishment=personas.hospital, professional=ProfessionalFactory(specialty_id="G15_10/SM37")
    ).professional
    outsider = PlaceOfPracticeFactory(establishment=personas.other_hospital).professional
    client.force_login(personas["secretary_3c"])
    url = reverse("rcp:session_attendance", args=[session.pk])
    assert guest in client.get(url).context["guests"]
    client.post(url, {"invite": outsider.pk, "invite-presence": AttendanceMode.VIDEO})
    assert not Attendance.objects.filter(session=session).exists()
    data = {f"presence-{m.professional_id}": AttendanceMode.ROOM for m in world["rcp"].members.all()}
    client.post(url, {**data, "invite": guest.pk, "invite-presence": AttendanceMode.VIDEO})
    attendance = Attendance.objects.get(session=session, professional=guest)
    assert attendance.mode == AttendanceMode.VIDEO and attendance.specialty_id == "G15_10/SM37"
    page = client.get(reverse("rcp:session", args=[session.pk])).content.decode()
    assert "Quorum atteint : 3 spécialités distinctes." in page


def test_a_secretarys_feed_holds_her_3c_sessions(client, personas, world):
    client.force_login(personas["secretary_3c"])
    client.post(reverse("rcp:calendar_feed"))
    feed = CalendarFeed.objects.get(user=personas["secretary_3c"])
    client.logout()
    events = Calendar.from_ical(client.get(reverse("rcp:user_ics", args=[feed.token])).content).walk("VEVENT")
    assert [str(e["UID"]).split("@")[0] for e in events] == [f"seance-{world['session'].pk}"]
