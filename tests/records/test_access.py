import pytest

from dcc.records import access
from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.models import AccessTrail
from dcc.records.services import care_relationship_add
from dcc.records.trail import trail_record
from identity.selectors import visible_patients
from tests.identity.factories import PatientFactory

pytestmark = pytest.mark.django_db

CARE_PERSONAS = {"secretary_3c", "doctor", "medical_secretary", "annonce_nurse"}


def test_nobody_sees_a_patient_without_a_care_relationship(personas):
    patient = PatientFactory()

    for name, user in personas.users.items():
        if user is not None:
            assert not access.can_view_patient(user, patient), name


def test_an_establishment_link_opens_the_patient_to_its_care_staff_only(personas):
    patient = PatientFactory()
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )

    seeing = {name for name, user in personas.users.items() if user and access.can_view_patient(user, patient)}

    assert seeing == {"doctor", "medical_secretary", "annonce_nurse"}


def test_a_3c_link_opens_the_patient_to_the_secretaries_of_that_3c(personas):
    patient = PatientFactory()
    care_relationship_add(patient=patient, kind=CareRelationshipKind.THREE_C, three_c=personas.three_c)

    seeing = {name for name, user in personas.users.items() if user and access.can_view_patient(user, patient)}

    assert seeing == {"secretary_3c"}


def test_the_gp_sees_the_patient_once_notified(personas):
    patient = PatientFactory()
    gp = personas["gp"]
    assert not access.can_view_patient(gp, patient)

    care_relationship_add(patient=patient, kind=CareRelationshipKind.GENERAL_PRACTITIONER, professional=gp.professional)

    assert access.can_view_patient(gp, patient)
    assert list(visible_patients(gp)) == [patient]
    assert not visible_patients(personas["doctor_other_3c"]).exists()


def test_an_ended_relationship_no_longer_gives_access(personas):
    from django.utils import timezone

    patient = PatientFactory()
    link = care_relationship_add(patient=patient, kind=CareRelationshipKind.IDENTITY_CREATOR, user=personas["doctor"])
    link.ended_at = timezone.now()
    link.save()

    assert not access.can_view_patient(personas["doctor"], patient)


def test_adding_the_same_relationship_twice_keeps_one_row(personas):
    patient = PatientFactory()
    for _ in range(2):
        care_relationship_add(patient=patient, kind=CareRelationshipKind.IDENTITY_CREATOR, user=personas["doctor"])

    assert patient.care_relationships.count() == 1


def test_trail_record_writes_who_what_and_from_where(personas, rf):
    patient = PatientFactory()
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.session = {"dcc_connection_method": "password"}

    line = trail_record(user=personas["doctor"], action=TrailAction.READ, patient=patient, obj=patient, request=request)

    stored = AccessTrail.objects.get(pk=line.pk)
    assert (stored.patient_id, stored.action, stored.object_type, stored.object_id) == (
        patient.pk,
        "read",
        "identity.Patient",
        str(patient.pk),
    )
    assert (stored.connection_method, stored.ip_address, stored.user_id) == (
        "password",
        "10.1.2.3",
        personas["doctor"].pk,
    )


def test_the_care_check_agrees_with_the_care_scope_for_every_party(personas):
    """``can_view_patient`` asks a fixed statement, ``visible_patients`` the queryset built from ``care_scope``:
    for links naming each kind of party (current and ended), both see the same patients for every persona."""
    from django.utils import timezone

    doctor, gp = personas["doctor"], personas["gp"]
    links = [
        {"kind": CareRelationshipKind.IDENTITY_CREATOR, "user": doctor},
        {"kind": CareRelationshipKind.GENERAL_PRACTITIONER, "professional": gp.professional},
        {"kind": CareRelationshipKind.TREATING_ESTABLISHMENT, "establishment": personas.hospital},
        {"kind": CareRelationshipKind.TREATING_ESTABLISHMENT, "establishment": personas.other_hospital},
        {"kind": CareRelationshipKind.THREE_C, "three_c": personas.three_c},
        {"kind": CareRelationshipKind.THREE_C, "three_c": personas.other_three_c},
    ]
    patients = []
    for party in links:
        for ended in (False, True):
            patient = PatientFactory()
            link = care_relationship_add(patient=patient, **party)
            if ended:
                link.ended_at = timezone.now()
                link.save()
            patients.append(patient)

    for name, user in personas.users.items():
        if user is None:
            continue
        by_scope = set(visible_patients(user).filter(pk__in=[p.pk for p in patients]).values_list("pk", flat=True))
        by_check = {patient.pk for patient in patients if access.can_view_patient(user, patient)}
        assert by_check == by_scope, name
    assert {p.pk for p in patients if access.can_view_patient(doctor, p)} == {patients[0].pk, patients[4].pk}
