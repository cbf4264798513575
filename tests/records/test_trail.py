import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.models import AccessTrail, AppendOnlyError
from dcc.records.selectors import connection_statistics, trail_search
from dcc.records.services import break_glass_open, care_relationship_add
from dcc.records.trail import trail_record
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(personas):
    return trail_record(user=personas["doctor"], action=TrailAction.READ, patient=PatientFactory())


def test_a_trail_line_cannot_be_saved_again(line):
    line.detail = "effacé"
    with pytest.raises(AppendOnlyError):
        line.save()


def test_a_trail_line_cannot_be_deleted_through_the_orm(line):
    with pytest.raises(AppendOnlyError):
        line.delete()
    with pytest.raises(AppendOnlyError):
        AccessTrail.objects.filter(pk=line.pk).delete()
    with pytest.raises(AppendOnlyError):
        AccessTrail.objects.all().delete()


def test_trail_lines_cannot_be_updated_in_bulk(line):
    with pytest.raises(AppendOnlyError):
        AccessTrail.objects.filter(pk=line.pk).update(detail="effacé")
    line.detail = "effacé"
    with pytest.raises(AppendOnlyError):
        AccessTrail.objects.bulk_update([line], ["detail"])
    assert AccessTrail.objects.get(pk=line.pk).detail == ""


@pytest.mark.parametrize(
    "sql",
    ["UPDATE records_accesstrail SET detail = 'x' WHERE id = %s", "DELETE FROM records_accesstrail WHERE id = %s"],
)
def test_postgresql_itself_rejects_updates_and_deletes(line, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [line.pk])

    assert AccessTrail.objects.filter(pk=line.pk, detail="").exists()


def test_a_trail_line_lives_and_dies_with_the_action_transaction(personas):
    patient = PatientFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        trail_record(user=personas["doctor"], action=TrailAction.UPDATE, patient=patient)
        raise RuntimeError("the write failed")

    assert not AccessTrail.objects.exists()


def test_every_kind_of_read_and_write_gets_its_line(personas, rf):
    patient = PatientFactory()
    request = rf.get("/", REMOTE_ADDR="192.0.2.4")
    request.session = {"dcc_connection_method": "psc"}

    for action in [TrailAction.READ, TrailAction.CREATE, TrailAction.UPDATE, TrailAction.SEND, TrailAction.EXPORT]:
        with transaction.atomic():
            trail_record(user=personas["doctor"], action=action, patient=patient, obj=patient, request=request)

    lines = AccessTrail.objects.filter(patient_id=patient.pk)
    assert sorted(lines.values_list("action", flat=True)) == ["create", "export", "read", "send", "update"]
    assert set(lines.values_list("connection_method", "ip_address", "object_type")) == {
        ("psc", "192.0.2.4", "identity.Patient")
    }


def _patient_in_the_3c(personas):
    patient = PatientFactory()
    care_relationship_add(patient=patient, kind=CareRelationshipKind.THREE_C, three_c=personas.three_c)
    care_relationship_add(patient=patient, kind=CareRelationshipKind.REQUESTING_DOCTOR, user=personas["doctor"])
    return patient


def test_who_opened_this_record_is_for_the_3c_and_the_admin(client, personas):
    patient = _patient_in_the_3c(personas)

    assert_access(
        client, personas, reverse("records:patient_access_log", args=[patient.pk]), allowed={"secretary_3c", "admin"}
    )


def test_a_3c_secretary_does_not_see_the_log_of_another_3c_patient(client, personas):
    patient = PatientFactory()
    care_relationship_add(patient=patient, kind=CareRelationshipKind.THREE_C, three_c=personas.other_three_c)
    client.force_login(personas["secretary_3c"])

    assert client.get(reverse("records:patient_access_log", args=[patient.pk])).status_code == 403


def test_who_opened_this_record_lists_reads_and_bris_de_glace(client, personas, django_assert_max_num_queries):
    patient = _patient_in_the_3c(personas)
    break_glass_open(user=personas["gp"], patient=patient, reason="Garde de nuit, dossier nécessaire cette nuit")
    for _ in range(60):
        trail_record(user=personas["doctor"], action=TrailAction.READ, patient=patient)
    trail_record(user=personas["doctor"], action=TrailAction.READ, patient=PatientFactory())
    client.force_login(personas["secretary_3c"])

    with django_assert_max_num_queries(17):
        response = client.get(reverse("records:patient_access_log", args=[patient.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "61 lignes" in content
    assert "Garde de nuit" in content
    assert str(personas["gp"]) in content
    # Looking at the log is itself an access to the record.
    assert AccessTrail.objects.filter(patient_id=patient.pk, user=personas["secretary_3c"]).exists()


def test_the_regional_trail_is_for_the_admin_only(client, personas):
    assert_access(client, personas, reverse("records:trail"), allowed={"admin"})


def test_the_regional_trail_filters_and_stays_within_its_query_budget(client, personas, django_assert_max_num_queries):
    patient, other_patient = PatientFactory(), PatientFactory()
    for _ in range(30):
        trail_record(user=personas["doctor"], action=TrailAction.READ, patient=patient)
    trail_record(user=personas["doctor"], action=TrailAction.UPDATE, patient=patient)
    trail_record(user=personas["gp"], action=TrailAction.READ, patient=other_patient)
    client.force_login(personas["admin"])
    url = reverse("records:trail")

    with django_assert_max_num_queries(12):
        response = client.get(url, {"patient": patient.pk, "action": "update"})
    assert "1 ligne" in response.content.decode()

    by_user = client.get(url, {"user": personas["gp"].last_name})
    assert f"<td>{other_patient.pk}</td>" in by_user.content.decode()
    assert "1 ligne" in by_user.content.decode()

    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    assert "0 ligne" in client.get(url, {"end": yesterday.isoformat(), "user": "Testeur"}).content.decode()

    wrong = client.get(url, {"start": today.isoformat(), "end": yesterday.isoformat()})
    assert "La date de début doit précéder la date de fin." in wrong.content.decode()


def test_trail_search_by_date_range(personas):
    trail_record(user=personas["doctor"], action=TrailAction.READ, patient=1)
    today = timezone.localdate()

    assert trail_search(start=today, end=today).count() == 1
    assert trail_search(start=today + datetime.timedelta(days=1)).count() == 0


def test_connection_statistics_by_method_and_profile(personas, rf, django_assert_num_queries):
    from dcc.accounts.enums import Profile
    from tests.accounts.factories import ProfileGrantFactory

    # The 3C secretary is also a doctor: she counts once by profile, under her main profile.
    ProfileGrantFactory(user=personas["secretary_3c"], profile=Profile.MEDECIN)
    for name, method, times in [
        ("doctor", "password", 2), ("doctor", "otp", 1), ("secretary_3c", "otp", 3), ("gp", "psc", 2)
    ]:  # fmt: skip
        for _ in range(times):
            request = rf.get("/")
            request.session = {"dcc_connection_method": method}
            trail_record(user=personas[name], action=TrailAction.LOGIN, request=request)
    trail_record(user=personas["doctor"], action=TrailAction.READ, patient=1)  # not a login

    with django_assert_num_queries(2):
        stats = connection_statistics()

    assert (stats.distinct_users, stats.logins) == (3, 8)
    assert [(r.key, r.users, r.users_share, r.logins, r.logins_share) for r in stats.by_method] == [
        ("password", 1, 33, 2, 25),
        ("otp", 2, 67, 4, 50),
        ("psc", 1, 33, 2, 25),
    ]
    assert [(r.label, r.users, r.logins) for r in stats.by_profile] == [
        ("Médecin, Pharmacien, Interne", 2, 5),
        ("Secrétaire RCP/3C", 1, 3),
    ]
    assert stats.by_method[0].label == "Mot de passe"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert connection_statistics(start=tomorrow).logins == 0


def test_the_log_of_a_kept_identity_includes_the_lines_of_the_absorbed_one(personas):
    from dcc.records.selectors import patient_openers

    kept, absorbed = PatientFactory(), PatientFactory()
    trail_record(user=personas["doctor"], action=TrailAction.READ, patient=absorbed)
    type(absorbed).objects.filter(pk=absorbed.pk).update(merged_into=kept)
    trail_record(user=personas["doctor"], action=TrailAction.READ, patient=kept)

    assert sorted(patient_openers(kept.pk).values_list("patient_id", flat=True)) == sorted([kept.pk, absorbed.pk])
    assert list(patient_openers(absorbed.pk).values_list("patient_id", flat=True)) == [absorbed.pk]


def test_a_page_listing_several_patients_traces_them_in_one_insert(personas, django_assert_num_queries):
    from django.test import RequestFactory

    from dcc.records.trail import CONNECTION_METHOD_SESSION_KEY, IMPERSONATOR_ATTRIBUTE, trail_record_many

    patients = [PatientFactory() for _ in range(5)]
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    request.session = {CONNECTION_METHOD_SESSION_KEY: "otp"}
    setattr(request, IMPERSONATOR_ATTRIBUTE, personas["admin"])

    with django_assert_num_queries(1):
        lines = trail_record_many(
            user=personas["doctor"],
            action=TrailAction.READ,
            items=[(patient, patient) for patient in patients],
            request=request,
            detail="liste",
        )

    stored = AccessTrail.objects.filter(pk__in=[line.pk for line in lines]).order_by("patient_id")
    assert [line.patient_id for line in stored] == sorted(patient.pk for patient in patients)
    first = stored[0]
    # The same line trail_record would write: impersonation, connection method, address, object.
    assert (first.user, first.acting_as, first.connection_method, first.ip_address) == (
        personas["admin"],
        personas["doctor"],
        "otp",
        "10.1.2.3",
    )
    assert (first.object_type, first.detail) == ("identity.Patient", "liste")
    with pytest.raises(AppendOnlyError):
        stored.delete()
    assert trail_record_many(user=personas["doctor"], action=TrailAction.READ, items=[]) == []


def test_the_regional_trail_never_counts_the_whole_trail(client, personas):
    for _ in range(3):
        trail_record(user=personas["doctor"], action=TrailAction.READ, patient=1)
    client.force_login(personas["admin"])

    for params in ({}, {"page": 2}, {"action": "read"}, {"user": personas["doctor"].last_name}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("records:trail"), params)
        assert response.status_code == 200
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "records_accesstrail" in q["sql"]]
        assert counts, "the page shows how many lines match"
        assert all("LIMIT" in sql.upper() for sql in counts), counts


def test_the_regional_trail_says_more_than_the_cap_and_pages_from_newest_to_oldest(client, personas, monkeypatch):
    monkeypatch.setattr("dcc.records.paging.COUNT_CAP", 5)
    monkeypatch.setattr("dcc.records.views.PAGE_SIZE", 2)
    for patient in range(1, 9):  # 8 lines, patient 8 newest
        trail_record(user=personas["doctor"], action=TrailAction.READ, patient=patient)
    client.force_login(personas["admin"])
    url = reverse("records:trail")

    first = client.get(url, {"action": "read"}).content.decode()
    assert "Plus de 5 lignes" in first
    assert "<td>8</td>" in first and "<td>7</td>" in first and "<td>6</td>" not in first
    assert "Plus anciennes" in first and "Plus récentes" not in first
    assert "Page 1 sur plus de 2" in first  # 5 lines counted at most, 2 a page: more than 2 pages

    second = client.get(url, {"action": "read", "page": 2}).content.decode()
    assert "<td>6</td>" in second and "<td>5</td>" in second and "<td>8</td>" not in second
    assert "Plus anciennes" in second and "Plus récentes" in second
    assert "action=read&amp;page=1" in second and "action=read&amp;page=3" in second

    under_the_cap = client.get(url, {"patient": 3}).content.decode()
    assert "1 ligne" in under_the_cap and "Plus de" not in under_the_cap


def test_the_cap_is_written_the_french_way():
    from dcc.records.paging import CappedPaginator

    assert CappedPaginator([], 50, cap=10_000).cap_label == "10\u202f000"


def test_the_regional_trail_plans_its_queries_for_their_own_filters(client, personas):
    """A rare action among millions of lines: a generic plan (psycopg keeps statements prepared) scanned the whole
    trail from the seventh request on (13 ms → 1.4 s at a region-decade); the page asks for custom plans."""
    trail_record(user=personas["doctor"], action=TrailAction.LOGIN)
    client.force_login(personas["admin"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("records:trail"), {"action": "login"})
    assert response.status_code == 200
    sqls = [q["sql"] for q in queries]
    custom = next(i for i, sql in enumerate(sqls) if "force_custom_plan" in sql)
    reads = [i for i, sql in enumerate(sqls) if 'FROM "records_accesstrail"' in sql]
    assert reads and all(i > custom for i in reads)


def test_a_line_is_written_as_the_model_would_write_it(personas, rf):
    """The trail's INSERT compiled once (``trail._insert``): every column as ``Model.save`` writes it, NULLs too."""
    from dcc.records import trail

    request = rf.get("/", REMOTE_ADDR="192.0.2.7")
    request.session = {trail.CONNECTION_METHOD_SESSION_KEY: "psc"}
    patient = PatientFactory()
    build = {"user": personas["doctor"], "action": TrailAction.READ, "patient": patient, "obj": patient}
    build |= {"request": request, "detail": "fiche", "acting_as": personas["admin"]}
    bare = {"user": None, "action": TrailAction.SEARCH, "patient": None, "obj": None, "request": None, "detail": ""}
    bare |= {"acting_as": None}
    saved, inserted = trail._line(**build), trail._line(**build)
    saved_bare, inserted_bare = trail._line(**bare), trail._line(**bare)
    inserted.at, inserted_bare.at = saved.at, saved_bare.at
    saved.save()
    saved_bare.save()
    assert trail._insert([inserted, inserted_bare]) == [inserted, inserted_bare]

    def columns(line):
        stored = AccessTrail.objects.get(pk=line.pk)
        return {f.attname: getattr(stored, f.attname) for f in AccessTrail._meta.concrete_fields if not f.primary_key}

    assert inserted.pk and inserted.pk not in {saved.pk, inserted_bare.pk} and not inserted._state.adding
    assert columns(inserted) == columns(saved)
    assert columns(inserted)["ip_address"] == "192.0.2.7" and columns(inserted)["connection_method"] == "psc"
    assert columns(inserted_bare) == columns(saved_bare)
    assert columns(inserted_bare)["user_id"] is None and columns(inserted_bare)["ip_address"] is None
