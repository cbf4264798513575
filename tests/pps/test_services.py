"""PPS lifecycle: groupements, recomputation with overrides, validation, versions, the trail."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dcc.records.access import can_view_patient
from dcc.records.models import AccessTrail, CareRelationship
from pps import edp_library, services
from pps.enums import GroupScope, PpsStatus, RuleKind, UpdateReason
from pps.models import EdpGroupFavourite, Pps, PpsElement, PpsTransition
from tests.directory.factories import ProfessionalFactory
from tests.identity.factories import PatientFactory
from tests.pps.factories import EdpGroupFactory, ProtocolFactory, seed_group

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def nurse(personas):
    return personas["annonce_nurse"]


@pytest.fixture
def draft(nurse, hospital_patient):
    return services.pps_create(patient=hospital_patient, by=nurse)


def dates_of(pps):
    return [(e.kind, e.planned_date) for e in pps.elements.order_by("block_id", "position")]


def test_creating_a_pps_records_author_establishment_trail_and_care_link(nurse, personas):
    patient = PatientFactory()

    pps = services.pps_create(patient=patient, by=nurse)

    assert pps.status == PpsStatus.DRAFT
    assert pps.establishment == personas.hospital
    assert pps.three_c == personas.three_c
    assert pps.author_profile == "annonce_pps"
    assert CareRelationship.objects.filter(patient=patient, user=nurse, kind="pps_author").exists()
    assert can_view_patient(nurse, patient)
    assert AccessTrail.objects.filter(patient_id=patient.pk, action="create", user=nurse).count() == 1
    assert list(pps.transitions.values_list("to_status", flat=True)) == ["draft"]


def test_applying_the_seed_groupement_gives_the_seed_dates(draft, nurse):
    block = services.pps_group_apply(pps=draft, group=seed_group(), start_date=D(2024, 6, 29), by=nurse)

    assert dates_of(draft) == [
        ("consultation", D(2024, 6, 29)),
        ("chirurgie", D(2024, 7, 2)),
        ("consultation", D(2024, 7, 16)),
        ("hormonotherapie", D(2024, 7, 31)),
    ]
    assert block.patient_comment == "Hormonothérapie pendant 5 ans."
    assert all(e.establishment == draft.establishment for e in draft.elements.all())


def test_changing_the_start_date_recomputes_and_keeps_overrides(draft, nurse):
    block = services.pps_group_apply(pps=draft, group=seed_group(), start_date=D(2024, 6, 29), by=nurse)
    surgery = draft.elements.get(kind="chirurgie")
    services.pps_element_override(element=surgery, planned_date=D(2024, 7, 4), by=nurse)
    # The consultation 14 days after the surgery follows the overridden surgery.
    assert draft.elements.get(position=3).planned_date == D(2024, 7, 18)

    services.pps_block_reschedule(block=block, start_date=D(2024, 12, 24), by=nurse)

    surgery.refresh_from_db()
    assert surgery.planned_date == D(2024, 7, 4)  # kept
    assert surgery.is_overridden
    assert surgery.computed_date == D(2024, 12, 27)  # what the rule now says, shown beside it
    assert surgery.override_differs
    assert draft.elements.get(position=1).planned_date == D(2024, 12, 24)
    assert draft.elements.get(position=4).planned_date == D(2025, 1, 28)

    services.pps_element_override(element=surgery, planned_date=None, by=nurse)
    surgery.refresh_from_db()
    assert (surgery.planned_date, surgery.is_overridden) == (D(2024, 12, 27), False)
    assert draft.elements.get(position=3).planned_date == D(2025, 1, 10)


def test_an_override_before_the_group_start_is_refused_and_nothing_changes(draft, nurse):
    services.pps_group_apply(pps=draft, group=seed_group(), start_date=D(2025, 4, 18), by=nurse)
    surgery = draft.elements.get(kind="chirurgie")
    before = dates_of(draft)

    with pytest.raises(ValidationError, match="précéder le début"):
        services.pps_element_override(element=surgery, planned_date=D(2025, 4, 1), by=nurse)

    assert dates_of(draft) == before
    assert surgery.planned_date == D(2025, 4, 23)  # Easter Monday 21/04 skipped


def test_a_protocol_gives_one_edp_per_administration_and_moves_with_its_start(draft, nurse):
    protocol = ProtocolFactory(weekly_three=True)

    block = services.pps_protocol_apply(pps=draft, protocol=protocol, start_date=D(2025, 1, 6), by=nurse)

    elements = list(block.elements.order_by("position"))
    assert [e.planned_date for e in elements] == [
        D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 20), D(2025, 2, 3), D(2025, 2, 10), D(2025, 2, 17)
    ]  # fmt: skip
    assert [(e.protocol_cycle, e.protocol_day) for e in elements][:4] == [(1, 1), (1, 8), (1, 15), (2, 1)]
    assert all(e.kind == "chimiotherapie" and e.protocol == protocol for e in elements)
    services.pps_block_reschedule(block=block, start_date=D(2025, 1, 8), by=nurse)
    assert block.elements.order_by("position").last().planned_date == D(2025, 2, 19)


@pytest.mark.parametrize(
    ("kind", "values", "field"),
    [
        ("pose_iv", {"establishment": True}, "referring_doctor"),
        ("chimiotherapie", {"establishment": True}, "protocol"),
        ("chirurgie", {}, "establishment"),
        ("hormonotherapie", {}, "rhythm"),
        ("consultation", {"planned_date": None}, "planned_date"),
    ],
)
def test_an_edp_without_its_required_fields_is_refused_in_french(draft, nurse, kind, values, field):
    kwargs = {"planned_date": D(2025, 3, 3)}
    if values.pop("establishment", False):
        kwargs["establishment"] = draft.establishment
    kwargs.update(values)

    with pytest.raises(ValidationError) as caught:
        services.pps_element_add(pps=draft, by=nurse, kind=kind, **kwargs)

    assert field in caught.value.message_dict
    assert "obligatoire" in caught.value.message_dict[field][0]
    assert not draft.elements.exists()


def test_pose_iv_with_its_referring_doctor_is_accepted(draft, nurse):
    doctor = ProfessionalFactory()

    element = services.pps_element_add(
        pps=draft, by=nurse, kind="pose_iv", planned_date=D(2025, 3, 3), establishment=draft.establishment,
        referring_doctor=doctor,
    )  # fmt: skip

    assert element.referring_doctor == doctor
    assert element.type.category.code == "MED-568"


def test_validation_requires_a_reason_without_rcp_proposition_then_logs_it(draft, nurse):
    services.pps_element_add(pps=draft, by=nurse, kind="consultation", planned_date=D(2025, 3, 3))

    with pytest.raises(ValidationError, match="raison"):
        services.pps_validate(pps=draft, by=nurse, no_rcp_reason="  ")
    draft.refresh_from_db()
    assert draft.status == PpsStatus.DRAFT

    services.pps_validate(pps=draft, by=nurse, no_rcp_reason="RCP en attente, traitement urgent")

    draft.refresh_from_db()
    assert draft.status == PpsStatus.VALIDATED
    assert draft.validated_by == nurse
    last = PpsTransition.objects.filter(pps=draft).last()
    assert (last.from_status, last.to_status) == ("draft", "validated")
    assert "traitement urgent" in last.note


def test_validation_lists_every_incomplete_edp(draft, nurse):
    services.pps_group_apply(pps=draft, group=seed_group(), start_date=D(2025, 3, 3), by=nurse)
    hormono = draft.elements.get(kind="hormonotherapie")
    PpsElement.objects.filter(pk=hormono.pk).update(rhythm="")

    with pytest.raises(ValidationError) as caught:
        services.pps_validate(pps=draft, by=nurse, no_rcp_reason="raison")

    assert any("rythme" in message for message in caught.value.messages)


def test_an_empty_pps_cannot_be_validated(draft, nurse):
    with pytest.raises(ValidationError, match="au moins un élément"):
        services.pps_validate(pps=draft, by=nurse, no_rcp_reason="raison")


def test_a_validated_pps_is_frozen_then_delivered_then_versioned(draft, nurse):
    services.pps_group_apply(pps=draft, group=seed_group(), start_date=D(2025, 3, 3), by=nurse)
    services.pps_contact_add(pps=draft, professional=ProfessionalFactory(), role="Chirurgien", by=nurse)
    services.pps_validate(pps=draft, by=nurse, no_rcp_reason="raison")

    with pytest.raises(ValidationError, match="nouvelle version"):
        services.pps_element_add(pps=draft, by=nurse, kind="consultation", planned_date=D(2025, 3, 3))
    with pytest.raises(ValidationError, match="futur"):
        services.pps_deliver(pps=draft, by=nurse, delivered_on=timezone.localdate() + datetime.timedelta(days=1))

    services.pps_deliver(pps=draft, by=nurse, delivered_on=timezone.localdate())
    draft.refresh_from_db()
    assert draft.status == PpsStatus.DELIVERED

    with pytest.raises(ValidationError):
        services.pps_new_version(pps=draft, by=nurse, reason="")
    new = services.pps_new_version(pps=draft, by=nurse, reason=UpdateReason.CALENDRIER)

    assert (new.version, new.status, new.previous) == (2, PpsStatus.DRAFT, draft)
    assert dates_of(new) == dates_of(draft)
    assert new.blocks.count() == 1
    assert new.contacts.count() == 1
    assert list(Pps.objects.current()) == [new]
    with pytest.raises(ValidationError, match="plus récente"):
        services.pps_new_version(pps=draft, by=nurse, reason=UpdateReason.CALENDRIER)
    # The copy's dates still follow its own block.
    services.pps_block_reschedule(block=new.blocks.get(), start_date=D(2025, 3, 10), by=nurse)
    assert new.elements.get(position=1).planned_date == D(2025, 3, 10)
    assert draft.elements.get(position=1).planned_date == D(2025, 3, 3)


def test_every_write_is_traced(draft, nurse):
    before = AccessTrail.objects.filter(patient_id=draft.patient_id).count()
    block = services.pps_group_apply(pps=draft, group=seed_group(), start_date=D(2025, 3, 3), by=nurse)
    services.pps_block_reschedule(block=block, start_date=D(2025, 3, 4), by=nurse)
    services.pps_update_details(pps=draft, by=nurse, patient_comment="Bon courage")

    assert AccessTrail.objects.filter(patient_id=draft.patient_id).count() == before + 3


def test_group_elements_follow_the_rules_and_renumber(personas):
    group = EdpGroupFactory()
    first = edp_library.edp_group_element_add(
        group=group, kind="chirurgie", rule_kind=RuleKind.WORKING_AFTER_START, delay=5
    )
    second = edp_library.edp_group_element_add(
        group=group, kind="consultation", rule_kind=RuleKind.CALENDAR_AFTER_PREVIOUS, delay=14
    )

    assert (first.position, first.rule_kind, first.delay) == (1, RuleKind.GROUP_START, 0)
    with pytest.raises(ValidationError, match="5 ans"):
        edp_library.edp_group_element_add(
            group=group, kind="consultation", rule_kind=RuleKind.CALENDAR_AFTER_PREVIOUS, delay=4000
        )
    with pytest.raises(ValidationError, match="négatif"):
        edp_library.edp_group_element_add(
            group=group, kind="consultation", rule_kind=RuleKind.WORKING_AFTER_PREVIOUS, delay=-2
        )
    assert group.elements.count() == 2

    edp_library.edp_group_element_move(element=second, up=True)
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.position, second.rule_kind) == (1, RuleKind.GROUP_START)
    assert first.position == 2
    edp_library.edp_group_element_remove(element=second)
    first.refresh_from_db()
    assert (first.position, first.rule_kind) == (1, RuleKind.GROUP_START)


def test_favourites_are_per_user(personas):
    group = EdpGroupFactory()
    nurse, doctor = personas["annonce_nurse"], personas["doctor"]

    assert edp_library.edp_group_favourite_toggle(group=group, user=nurse) is True
    assert EdpGroupFavourite.objects.filter(user=doctor).count() == 0
    assert edp_library.edp_group_favourite_toggle(group=group, user=nurse) is False


def test_personal_groups_belong_to_their_owner(personas):
    group = edp_library.edp_group_create(name="Mon parcours", scope=GroupScope.PERSONAL, owner=personas["doctor"])
    regional = edp_library.edp_group_create(name="Régional", scope=GroupScope.REGIONAL, owner=personas["admin"])

    assert group.owner == personas["doctor"]
    assert regional.owner is None


def test_suggested_contacts_come_from_the_directory(draft, nurse, personas):
    from dcc.directory.enums import PracticeRole
    from pps.selectors import suggested_contacts
    from tests.directory.factories import PlaceOfPracticeFactory

    gp = ProfessionalFactory(general_practitioner=True)
    draft.patient.general_practitioner = gp
    draft.patient.save()
    coordinator = PlaceOfPracticeFactory(
        establishment=personas.hospital, role=PracticeRole.INFIRMIER_COORDINATEUR,
        professional=ProfessionalFactory(nurse=True),
    ).professional  # fmt: skip
    doctor = ProfessionalFactory()
    services.pps_element_add(
        pps=draft, by=nurse, kind="pose_iv", planned_date=D(2025, 3, 3), establishment=personas.hospital,
        referring_doctor=doctor,
    )  # fmt: skip

    roles = {(professional, role) for professional, role, _ in suggested_contacts(draft)}

    assert roles == {
        (gp, "Médecin traitant"),
        (doctor, "Médecin référent"),
        (coordinator, "Infirmier(e) de coordination"),
    }
    with pytest.raises(ValidationError, match="rôle"):
        services.pps_contact_add(pps=draft, professional=doctor, role=" ", by=nurse)


def test_an_edp_dated_in_year_one_is_refused(draft, nurse):
    with pytest.raises(ValidationError, match="comprise entre"):
        services.pps_element_add(pps=draft, by=nurse, kind="consultation", planned_date=D(1, 1, 1))
    element = services.pps_element_add(pps=draft, by=nurse, kind="consultation", planned_date=D(2025, 3, 3))
    with pytest.raises(ValidationError, match="comprise entre"):
        services.pps_element_override(element=element, planned_date=D(2999, 1, 1), by=nurse)


def test_a_protocol_or_groupement_at_an_absurd_start_is_refused(draft, nurse):
    for apply in (
        lambda: services.pps_protocol_apply(pps=draft, protocol=ProtocolFactory(), start_date=D(9999, 12, 1), by=nurse),
        lambda: services.pps_group_apply(pps=draft, group=seed_group(), start_date=D(9999, 12, 1), by=nurse),
    ):
        with pytest.raises(ValidationError, match="comprise entre"):
            apply()
    assert not draft.blocks.exists()
