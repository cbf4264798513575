import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from pps.calendar import build_calendar
from pps.enums import GroupScope
from pps.models import EdpGroup, Pps, Protocol
from tests.pps.factories import PpsElementFactory

D = datetime.date


@pytest.mark.django_db
def test_the_calendar_has_one_row_per_month_and_marks_days():
    elements = [
        PpsElementFactory.build(kind="chirurgie", planned_date=D(2024, 12, 27)),
        PpsElementFactory.build(kind="consultation", planned_date=D(2025, 2, 3)),
        PpsElementFactory.build(kind="imagerie", planned_date=D(2025, 2, 3)),
    ]

    rows = build_calendar(elements)

    assert [row.label for row in rows] == ["Décembre 2024", "Janvier 2025", "Février 2025"]
    december = rows[0].cells
    assert december[24].holiday and december[24].css_class == "pps-cal-off"  # 25/12
    assert december[26].css_class == "edp-chirurgie"
    assert december[26].description == "vendredi 27 décembre : Chirurgie"
    february = rows[2].cells
    assert not february[28].exists and february[28].css_class == "pps-cal-void"  # 29/02/2025
    assert len(february[2].elements) == 2
    assert build_calendar([]) == []


@pytest.mark.django_db
def test_a_period_is_shaded_until_its_end_within_the_shown_months():
    hormono = PpsElementFactory.build(kind="hormonotherapie", planned_date=D(2025, 1, 28), end_date=D(2030, 1, 27))
    visit = PpsElementFactory.build(kind="consultation", planned_date=D(2025, 2, 10))

    rows = build_calendar([hormono, visit])

    assert [row.label for row in rows] == ["Janvier 2025", "Février 2025"]
    assert rows[0].cells[27].css_class == "edp-hormonotherapie"
    assert rows[0].cells[28].css_class == "pps-cal-period"
    assert rows[0].cells[28].description == "mercredi 29 janvier : suite de Hormonothérapie"
    assert rows[1].cells[9].css_class == "edp-consultation"  # an EDP wins over the period
    assert rows[1].cells[27].css_class == "pps-cal-period"  # shading stops at the last month shown


@pytest.mark.django_db(transaction=True)
def test_seed_demo_creates_the_seed_groupement_and_is_idempotent(settings, tmp_path):
    from tests.identity.factories import PatientFactory
    from tests.personas import build_personas
    from tests.pps.fiches import validated_fiche
    from tests.records.documents_helpers import record_patient

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    personas = build_personas()
    # Stand-ins for identity's demo patients; one has a validated fiche RCP (from the RCP demo in a real run).
    followed = record_patient(personas)
    fiche = validated_fiche(followed, establishment=personas.hospital, by=personas["doctor"])
    PatientFactory.create_batch(2)
    for _ in range(2):
        call_command("seed_demo", stdout=StringIO())

    group = EdpGroup.objects.get(name="Chir sein + Hormono", scope=GroupScope.REGIONAL)
    assert [(e.kind, e.rule_kind, e.delay) for e in group.elements.order_by("position")] == [
        ("consultation", "group_start", 0),
        ("chirurgie", "working_after_previous", 2),
        ("consultation", "calendar_after_previous", 14),
        ("hormonotherapie", "working_after_start", 23),
    ]
    assert Protocol.objects.filter(name="CAELYX 28 j").exists()
    # Demo patients come from identity's demo when it exists; PPS are made for a few of them.
    from identity.models import Patient

    # The PPAC demo is tested in test_ppac_services.py; the dashboards' bulk history is left out.
    programmes = Pps.objects.filter(programme="pps").exclude(
        rcp_fiche__proposition="Proposition de la RCP (historique de démonstration)."
    )
    assert programmes.count() == min(Patient.objects.count(), 3)
    assert all(pps.elements.count() == 4 for pps in programmes)
    # The patient with a fiche RCP has a PPS validated following it; the others state why they have none.
    linked = programmes.get(patient=followed)
    assert (linked.status, linked.rcp_fiche_id, linked.no_rcp_reason) == ("validated", fiche.pk, "")
    others = programmes.exclude(patient=followed)
    assert others.count() == 2 and all(pps.rcp_fiche_id is None and pps.no_rcp_reason for pps in others)
    # The record's demo files the documents of the PPS that follow a fiche (their diagnosis comes from it): no
    # failure to show a newcomer.
    from dcc.records.models import DocumentGeneration

    generations = DocumentGeneration.objects.filter(source_type="pps.pps")
    assert [(g.source_id, g.status) for g in generations] == [(str(linked.pk), "succeeded")]
