"""PPAC services: creation from the last PPS and from a template, follow-up lines, advice, lifecycle, versions."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from dcc.records.models import AccessTrail
from pps import services
from pps.enums import PpsStatus, UpdateReason
from pps.models import (
    DEFAULT_ADVICE,
    AdviceSection,
    PpacFollowUp,
    PpacTemplate,
    Pps,
    PpsElement,
    Programme,
    Responsible,
)
from pps.ppac_schedule import Phase
from pps.ppac_services import (
    last_pps,
    ppac_advice_update,
    ppac_create,
    ppac_deliver,
    ppac_follow_up_add,
    ppac_follow_up_remove,
    ppac_new_version,
    ppac_plan_update,
    ppac_template_line_add,
    ppac_validate,
)
from tests.directory.factories import ProfessionalFactory
from tests.pps.factories import breast_follow_up_template, seed_group

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 1, 6)


@pytest.fixture
def nurse(personas):
    return personas["annonce_nurse"]


@pytest.fixture
def validated_pps(hospital_patient, nurse):
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    services.pps_group_apply(pps=pps, group=seed_group(), start_date=datetime.date(2024, 6, 3), by=nurse)
    services.pps_contact_add(pps=pps, professional=ProfessionalFactory(), role="Oncologue référent", by=nurse)
    return services.pps_validate(pps=pps, by=nurse, no_rcp_reason="Test")


def _trail_count(patient, detail=""):
    return AccessTrail.objects.filter(patient_id=patient.pk, detail__icontains=detail).count()


def test_a_ppac_from_the_last_pps_carries_its_care_team_and_treatments(hospital_patient, nurse, validated_pps):
    template = breast_follow_up_template()
    ppac = ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START, template=template)

    assert ppac.programme == Programme.PPAC and ppac.status == PpsStatus.DRAFT
    assert ppac.ppac.source_pps == validated_pps and ppac.ppac.template == template
    assert [c.role for c in ppac.contacts.all()] == ["Oncologue référent"]
    assert "Chirurgie — 05/06/2024" in ppac.ppac.treatment_summary
    assert "Hormonothérapie" in ppac.ppac.treatment_summary
    assert "Consultation" not in ppac.ppac.treatment_summary  # follow-up EDPs are not treatments
    # template lines became follow-up lines with their occurrences over five years
    exam, mammography = ppac.follow_ups.order_by("position")
    assert exam.responsible == Responsible.SHARED
    assert [e.planned_date for e in exam.occurrences.order_by("planned_date")] == [
        datetime.date(2025, 7, 7), datetime.date(2026, 1, 6), datetime.date(2026, 7, 6), datetime.date(2027, 1, 6),
        datetime.date(2028, 1, 6), datetime.date(2029, 1, 8), datetime.date(2030, 1, 7),
    ]  # fmt: skip
    assert mammography.occurrences.count() == 5
    assert ppac.elements.count() == 12
    occurrence = exam.occurrences.order_by("planned_date").first()
    assert occurrence.rhythm == "tous les 6 mois pendant 2 ans, puis tous les ans jusqu'à 5 ans"
    assert occurrence.missing() == {}
    assert {a.section: a.text for a in ppac.advice.all()} == {s.value: DEFAULT_ADVICE[s] for s in AdviceSection}
    assert ppac.transitions.get().note == "Création depuis le PPS v1, modèle « Sein — surveillance après traitement»"
    assert _trail_count(hospital_patient, "Création du PPAC") == 1


def test_a_ppac_from_scratch(hospital_patient, nurse, validated_pps):
    ppac = ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START, from_last_pps=False)
    assert ppac.ppac.source_pps is None and ppac.ppac.treatment_summary == ""
    assert not ppac.contacts.exists() and not ppac.follow_ups.exists()
    assert ppac.advice.count() == len(AdviceSection)


def test_the_gp_becomes_a_contact(hospital_patient, nurse):
    hospital_patient.general_practitioner = ProfessionalFactory()
    hospital_patient.save()
    ppac = ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START)
    assert [(c.professional, c.role) for c in ppac.contacts.all()] == [
        (hospital_patient.general_practitioner, "Médecin traitant")
    ]


def test_last_pps_prefers_the_current_validated_version_and_ignores_ppac(hospital_patient, nurse, validated_pps):
    draft = services.pps_create(patient=hospital_patient, by=nurse)
    assert last_pps(hospital_patient) == validated_pps
    ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START)
    assert last_pps(hospital_patient) == validated_pps
    newer = services.pps_new_version(pps=validated_pps, by=nurse, reason=UpdateReason.CALENDRIER)
    assert last_pps(hospital_patient) in (newer, draft)


def test_a_bad_start_or_an_inactive_template_is_refused(hospital_patient, nurse):
    with pytest.raises(ValidationError) as raised:
        ppac_create(patient=hospital_patient, by=nurse, follow_up_start=datetime.date(1990, 1, 1))
    assert "début du suivi" in str(raised.value)
    template = breast_follow_up_template(is_active=False)
    with pytest.raises(ValidationError, match="plus proposé"):
        ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START, template=template)
    assert not Pps.objects.filter(programme=Programme.PPAC).exists()


@pytest.fixture
def ppac(hospital_patient, nurse):
    return ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START)


def test_adding_a_follow_up_line_names_who_does_it(ppac, nurse):
    doctor = ProfessionalFactory(last_name="RADIOLOGUE")
    line = ppac_follow_up_add(
        ppac=ppac, by=nurse, kind="imagerie", label="Scanner TAP", phases=[Phase(6, 36), Phase(12, 60)],
        responsible=Responsible.OTHER, responsible_professional=doctor,
    )  # fmt: skip
    assert line.occurrences.count() == 8
    assert "RADIOLOGUE" in line.responsible_text and line.responsible_text.startswith("Autre professionnel")
    assert "RADIOLOGUE" in line.occurrences.first().comment


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"kind": "chirurgie"}, "kind", "type d'EDP de suivi"),
        ({"label": " "}, "label", "libellé est obligatoire"),
        ({"phases": [Phase(0, 12)]}, "phases", "au moins 1 mois"),
        ({"phases": [Phase(12, 240)]}, "phases", "au-delà de 10 ans"),
        ({"phases": [Phase(6, 24), Phase(12, 12)]}, "phases", "au-delà du rythme précédent"),
        ({"responsible": "nobody"}, "responsible", "qui réalise"),
        ({"responsible": Responsible.OTHER}, "responsible_name", "Nommez"),
    ],
)
def test_bad_follow_up_lines_get_french_messages_and_write_nothing(ppac, nurse, values, field, message):
    data = {"kind": "consultation", "label": "Consultation", "phases": [Phase(6, 24)], "responsible": "gp"} | values
    with pytest.raises(ValidationError) as raised:
        ppac_follow_up_add(ppac=ppac, by=nurse, **data)
    assert message in " ".join(raised.value.message_dict[field])
    assert not ppac.follow_ups.exists() and not ppac.elements.exists()


def test_moving_the_start_recomputes_every_occurrence(ppac, nurse):
    line = ppac_follow_up_add(
        ppac=ppac, by=nurse, kind="consultation", label="Consultation", phases=[Phase(12, 24)], responsible="gp"
    )
    ppac_plan_update(
        ppac=ppac, by=nurse, follow_up_start=datetime.date(2025, 3, 3), treatment_summary="Chirurgie",
        patient_comment="Bonne continuation",
    )  # fmt: skip
    assert [e.planned_date for e in line.occurrences.order_by("planned_date")] == [
        datetime.date(2026, 3, 3), datetime.date(2027, 3, 3),
    ]  # fmt: skip
    assert PpsElement.objects.filter(pps=ppac).count() == 2  # the old occurrences are gone
    ppac.refresh_from_db()
    assert ppac.patient_comment == "Bonne continuation" and ppac.ppac.treatment_summary == "Chirurgie"
    assert _trail_count(ppac.patient, "Début du suivi déplacé") == 1


def test_a_bad_new_start_is_refused_even_without_follow_up_lines(ppac, nurse):
    with pytest.raises(ValidationError) as raised:
        ppac_plan_update(
            ppac=ppac, by=nurse, follow_up_start=datetime.date(2101, 1, 1), treatment_summary="", patient_comment=""
        )
    assert "La date de début du suivi doit être comprise" in raised.value.message_dict["follow_up_start"][0]
    assert Pps.objects.get(pk=ppac.pk).ppac.follow_up_start == START


def test_removing_a_follow_up_line_removes_its_occurrences(ppac, nurse):
    line = ppac_follow_up_add(
        ppac=ppac, by=nurse, kind="examen", label="Biologie", phases=[Phase(6, 24)], responsible="gp"
    )
    ppac_follow_up_remove(follow_up=line, by=nurse)
    assert not ppac.elements.exists() and not PpacFollowUp.objects.exists()


def test_advice_is_editable_and_unknown_sections_are_refused(ppac, nurse):
    ppac_advice_update(ppac=ppac, by=nurse, texts={"nutrition": "  Pas de jeûne.  "})
    assert ppac.advice.get(section="nutrition").text == "Pas de jeûne."
    with pytest.raises(ValidationError, match="inconnue"):
        ppac_advice_update(ppac=ppac, by=nurse, texts={"astrologie": "Non"})


def test_validation_needs_a_follow_up_and_some_advice(ppac, nurse):
    ppac_advice_update(ppac=ppac, by=nurse, texts={s.value: "" for s in AdviceSection})
    with pytest.raises(ValidationError) as raised:
        ppac_validate(ppac=ppac, by=nurse)
    assert raised.value.messages == [
        "Ajoutez au moins un élément de suivi avant de valider le PPAC.",
        "Renseignez au moins une rubrique de conseils.",
    ]
    assert Pps.objects.get(pk=ppac.pk).status == PpsStatus.DRAFT


def test_lifecycle_validate_deliver_then_new_version(ppac, nurse):
    line = ppac_follow_up_add(
        ppac=ppac, by=nurse, kind="consultation", label="Consultation", phases=[Phase(6, 24)], responsible="gp",
        responsible_name="Dr Généraliste",
    )  # fmt: skip
    ppac_advice_update(ppac=ppac, by=nurse, texts={"nutrition": "Mangez varié."})
    ppac = ppac_validate(ppac=ppac, by=nurse)
    with pytest.raises(ValidationError, match="plus un brouillon"):
        ppac_follow_up_remove(follow_up=line, by=nurse)
    with pytest.raises(ValidationError, match="futur"):
        ppac_deliver(ppac=ppac, by=nurse, delivered_on=datetime.date.today() + datetime.timedelta(days=2))
    ppac = ppac_deliver(ppac=ppac, by=nurse, delivered_on=datetime.date.today())
    assert ppac.status == PpsStatus.DELIVERED
    assert [t.to_status for t in ppac.transitions.all()] == ["draft", "validated", "delivered"]

    with pytest.raises(ValidationError) as raised:
        ppac_new_version(ppac=ppac, by=nurse, reason=UpdateReason.AUTRE)
    assert "Précisez" in str(raised.value)
    new = ppac_new_version(ppac=ppac, by=nurse, reason=UpdateReason.CALENDRIER)
    assert (new.version, new.status, new.previous_id, new.programme) == (2, "draft", ppac.pk, "ppac")
    assert new.ppac.follow_up_start == START
    copy = new.follow_ups.get()
    assert copy.responsible_name == "Dr Généraliste"
    assert [e.planned_date for e in copy.occurrences.all()] == [e.planned_date for e in line.occurrences.all()]
    assert new.elements.count() == line.occurrences.count() == 4
    assert new.advice.get(section="nutrition").text == "Mangez varié."
    assert ppac.elements.count() == 4  # the delivered version is untouched
    with pytest.raises(ValidationError, match="plus récente"):
        ppac_new_version(ppac=ppac, by=nurse, reason=UpdateReason.CALENDRIER)


def test_template_lines_are_checked(db):
    template = PpacTemplate.objects.create(name="Poumon", cancer_type="Poumon")
    with pytest.raises(ValidationError) as raised:
        ppac_template_line_add(template=template, kind="consultation", label="Examen", phases=[], responsible="gp")
    assert "au moins un rythme" in str(raised.value)
    line = ppac_template_line_add(
        template=template, kind="imagerie", label="Scanner", phases=[Phase(6, 24)], responsible="hospital"
    )
    line.phases = [[6, 24], [3, 12]]
    with pytest.raises(ValidationError, match="au-delà du rythme précédent"):
        line.full_clean()
    line.phases = "n'importe quoi"
    with pytest.raises(ValidationError, match="illisibles"):
        line.full_clean()


@pytest.mark.django_db
def test_seed_demo_adds_two_templates_and_validated_ppac_with_documents_idempotently(demo):
    from dcc.records.enums import GenerationStatus
    from dcc.records.models import DocumentGeneration

    call_command("seed_demo", stdout=StringIO())  # a second run, on the seeded demo, adds nothing
    assert set(PpacTemplate.objects.values_list("name", flat=True)) >= {
        "Sein — surveillance après traitement", "Côlon — surveillance",
    }  # fmt: skip
    ppacs = list(Pps.objects.filter(programme=Programme.PPAC).order_by("pk"))
    assert len(ppacs) == 2
    for ppac in ppacs:
        assert ppac.status == PpsStatus.VALIDATED
        assert ppac.ppac.source_pps is not None and ppac.ppac.source_pps.patient_id == ppac.patient_id
        assert ppac.follow_ups.count() >= 3 and ppac.elements.count() > 10  # per-cancer templates (issue 15)
        last_treatment = ppac.ppac.source_pps.elements.order_by("-planned_date").first().planned_date
        assert ppac.ppac.follow_up_start >= last_treatment
        generation = DocumentGeneration.objects.get(source_type="pps.ppac", source_id=str(ppac.pk))
        assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
