import datetime

import pytest
from django.utils import timezone

from pps import services
from pps.selectors import pps_statistics
from tests.identity.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _validated(patient, by):
    pps = services.pps_create(patient=patient, by=by)
    services.pps_element_add(pps=pps, by=by, kind="consultation", planned_date=datetime.date(2025, 3, 3))
    return services.pps_validate(pps=pps, by=by, no_rcp_reason="raison")


def test_statistics_count_produced_pps_and_patients(personas):
    nurse, doctor = personas["annonce_nurse"], personas["doctor_other_3c"]
    first = PatientFactory()
    old = _validated(first, nurse)
    services.pps_new_version(pps=old, by=nurse, reason="GEN-176")  # a draft: not produced
    _validated(PatientFactory(), nurse)
    _validated(PatientFactory(), doctor)
    services.pps_create(patient=PatientFactory(), by=nurse)  # draft only

    stats = pps_statistics()

    assert (stats["total"], stats["patients"]) == (3, 3)
    assert {row["three_c__name"]: row["pps"] for row in stats["per_three_c"]} == {
        "3C Vienne (test)": 2, "3C Landes (test)": 1,
    }  # fmt: skip
    assert {row["author_profile"]: row["pps"] for row in stats["per_profile"]} == {"annonce_pps": 2, "medecin": 1}
    assert stats["per_year"] == [{"year": timezone.now().year, "pps": 3, "patients": 3}]
    assert {row["establishment__name"] for row in stats["per_establishment"]} == {"CHU TEST POITIERS", "CH TEST DAX"}
    assert pps_statistics(year=2000)["total"] == 0


def test_the_statistics_page_shows_the_tables(client, personas):
    _validated(PatientFactory(), personas["annonce_nurse"])
    client.force_login(personas["admin"])

    html = client.get("/pps/statistiques/").content.decode()

    assert "CHU TEST POITIERS" in html
    assert "Annonce PPS" in html
