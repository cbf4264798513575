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


@pytest.mark.django_db
def test_seed_demo_creates_the_seed_groupement_and_is_idempotent(demo):
    from dcc.records.models import DocumentGeneration
    from pps.demo import DEMO_COMMENT, NO_RCP_REASON

    programmes = Pps.objects.filter(programme="pps", patient_comment=DEMO_COMMENT).order_by("pk")
    before = list(programmes.values_list("pk", "patient_id", "status"))
    call_command("seed_demo", stdout=StringIO())  # a second run, on the seeded demo, adds nothing

    assert list(programmes.values_list("pk", "patient_id", "status")) == before
    group = EdpGroup.objects.get(name="Chir sein + Hormono", scope=GroupScope.REGIONAL)
    assert [(e.kind, e.rule_kind, e.delay) for e in group.elements.order_by("position")] == [
        ("consultation", "group_start", 0),
        ("chirurgie", "working_after_previous", 2),
        ("consultation", "calendar_after_previous", 14),
        ("hormonotherapie", "working_after_start", 23),
    ]
    assert Protocol.objects.filter(name="CAELYX 28 j").exists()
    # Three patients with a validated fiche RCP (two PPS validated following it, one left as a draft), then two
    # validated « sans proposition RCP » with the reason; each from a regional groupement of four steps.
    assert all(pps.elements.count() == 4 for pps in programmes)
    following = programmes.filter(rcp_fiche__isnull=False)
    assert sorted(following.values_list("status", flat=True)) == ["draft", "validated", "validated"]
    assert all(pps.rcp_fiche.dossier.patient_id == pps.patient_id for pps in following)
    others = programmes.filter(rcp_fiche__isnull=True)
    assert [(pps.status, pps.no_rcp_reason) for pps in others] == [("validated", NO_RCP_REASON)] * 2
    # The record's demo files the documents of the validated PPS that follow a fiche (their diagnosis comes from
    # it): no failure to show a newcomer.
    linked = following.filter(status="validated")
    generations = DocumentGeneration.objects.filter(source_type="pps.pps", source_id__in=[str(p.pk) for p in linked])
    assert sorted(generations.values_list("status", flat=True)) == ["succeeded", "succeeded"]
