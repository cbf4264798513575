"""Imaging studies from the establishments' PACS, over real DICOM sockets (the stand-in SCP)."""

from __future__ import annotations

import html
import time

import pytest
from django.urls import reverse

from dcc.records.enums import TrailAction
from dcc.records.models import AccessTrail
from interop.imaging import dicom, selectors, standin
from interop.imaging.models import AttachedStudy, Pacs
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory
from tests.interop.imaging.conftest import IPP, closed_port, stop, studies_of
from tests.rcp.factories import DossierFactory, RcpFactory, SessionFactory

pytestmark = pytest.mark.django_db

SEEING = {"doctor", "medical_secretary", "annonce_nurse"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(client, user, patient) -> str:
    client.force_login(user)
    response = client.get(reverse("imaging:patient_studies", args=[patient.pk]), **HTMX)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_c_find_returns_the_patients_studies_only(pacs_server):
    studies = dicom.find_studies(
        host="127.0.0.1", port=pacs_server.server_address[1], called_ae="DCC-PACS-DEMO", patient_ids=[IPP]
    )

    assert [(s.study_date.isoformat(), s.modality, s.description) for s in studies] == [
        ("2026-11-14", "MR", "IRM hépatique"),
        ("2026-10-02", "CT", "Scanner thoraco-abdomino-pelvien"),
    ]
    assert {s.study_uid for s in studies} == {s.study_uid for s in studies_of(IPP)}


def test_a_wrong_called_ae_title_is_refused_by_the_pacs(pacs_server):
    with pytest.raises(dicom.PacsUnavailable, match="association refusée"):
        dicom.find_studies(host="127.0.0.1", port=pacs_server.server_address[1], called_ae="AUTRE", patient_ids=[IPP])


def test_the_patient_studies_are_listed_with_date_modality_description_and_establishment(client, imaging):
    page = _page(client, imaging.personas["doctor"], imaging.patient)

    assert "14/11/2026" in page and "IRM hépatique" in page and "MR" in page
    assert "02/10/2026" in page and "Scanner thoraco-abdomino-pelvien" in page and "CT" in page
    assert imaging.personas.hospital.name in page
    assert page.count('data-testid="imaging-study"') == 2
    uid = studies_of(IPP)[1].study_uid
    assert f"https://pacs.chu.test/viewer?study={uid}" in page
    line = AccessTrail.objects.filter(action=TrailAction.READ, patient_id=imaging.patient.pk).latest("id")
    assert line.detail == "examens d'imagerie (2)"


def test_the_patient_page_loads_the_studies_without_waiting_for_the_pacs(client, imaging):
    client.force_login(imaging.personas["doctor"])

    page = client.get(reverse("identity:detail", args=[imaging.patient.pk])).content.decode()

    assert f'hx-get="{reverse("imaging:patient_studies", args=[imaging.patient.pk])}"' in page
    assert "Imagerie" in page


def test_the_full_page_works_without_htmx(client, imaging):
    client.force_login(imaging.personas["doctor"])

    response = client.get(reverse("imaging:patient_studies", args=[imaging.patient.pk]))

    assert response.status_code == 200
    assert "Examens d'imagerie de" in html.unescape(response.content.decode())


def test_only_the_patients_care_team_sees_the_studies(client, imaging):
    assert_access(client, imaging.personas, reverse("imaging:patient_studies", args=[imaging.patient.pk]),
                  allowed=SEEING)  # fmt: skip


def test_the_studies_fragment_has_a_query_budget(client, imaging, django_assert_max_num_queries):
    client.force_login(imaging.personas["doctor"])
    url = reverse("imaging:patient_studies", args=[imaging.patient.pk])
    client.get(url, **HTMX)  # warm the session and the rights cache

    with django_assert_max_num_queries(16):
        assert client.get(url, **HTMX).status_code == 200


def test_a_pacs_that_refuses_connections_gives_a_french_message_at_once(client, imaging):
    imaging.pacs.port = closed_port()
    imaging.pacs.save()

    started = time.monotonic()
    page = _page(client, imaging.personas["doctor"], imaging.patient)

    assert time.monotonic() - started < 1.5
    assert f"Le PACS de {imaging.personas.hospital.name} ne répond pas" in page
    assert 'data-testid="imaging-study"' not in page


def test_a_pacs_that_hangs_gives_a_french_message_within_the_time_budget(client, imaging, silent_pacs, settings):
    settings.DCC_IMAGING_TIMEOUT_SECONDS = 1
    imaging.pacs.port = silent_pacs
    imaging.pacs.save()

    started = time.monotonic()
    page = _page(client, imaging.personas["doctor"], imaging.patient)

    assert time.monotonic() - started < 3.5
    assert "ne répond pas" in page


def test_one_pacs_down_does_not_hide_the_others(client, imaging, personas):
    Pacs.objects.create(establishment=personas.hospital, name="PACS secondaire", ae_title="SECOURS",
                        host="127.0.0.1", port=closed_port())  # fmt: skip

    page = _page(client, imaging.personas["doctor"], imaging.patient)

    assert page.count('data-testid="imaging-study"') == 2
    assert page.count('data-testid="pacs-unavailable"') == 1


def test_answers_are_cached_briefly(client, imaging):
    first = selectors.patient_studies(imaging.patient)
    stop(imaging.server)

    again = selectors.patient_studies(imaging.patient)

    assert [row.study.study_uid for row in again.studies] == [row.study.study_uid for row in first.studies]
    assert not again.unavailable


def test_the_page_renders_when_the_cache_is_down(client, imaging, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"},
    }
    result = selectors.patient_studies(imaging.patient)

    assert len(result.studies) == 2


def test_a_qualified_patient_is_found_by_ins_on_a_pacs_that_indexes_the_ins(pacs_server, personas):
    patient = PatientFactory(qualified=True)
    server = standin.start(studies=studies_of(patient.ins_matricule))
    try:
        Pacs.objects.create(establishment=personas.other_hospital, name="PACS régional", ae_title="DCC-PACS-DEMO",
                            host="127.0.0.1", port=server.server_address[1], matches_ins=True)  # fmt: skip

        result = selectors.patient_studies(patient)
    finally:
        server.shutdown()

    assert len(result.studies) == 2
    assert result.studies[0].establishment == personas.other_hospital


def test_a_provisional_identity_is_never_searched_by_ins(personas):
    patient = PatientFactory(with_ins=True)  # INS known but identity not qualified
    Pacs.objects.create(establishment=personas.other_hospital, name="PACS régional", ae_title="X", host="127.0.0.1",
                        port=closed_port(), matches_ins=True)  # fmt: skip

    assert selectors.queries_for(patient) == []


# --- Attaching a study to a demande d'avis ----------------------------------------------------


@pytest.fixture
def dossier(imaging):
    rcp = RcpFactory(establishment=imaging.personas.hospital)
    return DossierFactory(patient=imaging.patient, session=SessionFactory(rcp=rcp))


def _attach(client, user, dossier, *, uid: str, pacs: Pacs):
    client.force_login(user)
    return client.post(
        reverse("rcp:dossier_studies", args=[dossier.pk]), {"action": "attach", "pacs": pacs.pk, "study": uid}, **HTMX
    )


def test_a_study_is_attached_to_the_dossier_and_shown_to_the_rcp(client, imaging, dossier):
    study = studies_of(IPP)[0]

    response = _attach(client, imaging.personas["doctor"], dossier, uid=study.study_uid, pacs=imaging.pacs)

    assert response.status_code == 200
    attached = AttachedStudy.objects.get()
    assert (attached.source_type, attached.source_id, attached.study_uid) == ("rcp.dossier", str(dossier.pk),
                                                                              study.study_uid)  # fmt: skip
    assert (attached.modality, attached.description) == ("CT", "Scanner thoraco-abdomino-pelvien")
    assert AccessTrail.objects.filter(action=TrailAction.UPDATE, patient_id=imaging.patient.pk).exists()
    stop(imaging.server)  # the RCP sees the attached study even when the PACS is gone
    client.force_login(imaging.personas["medical_secretary"])
    page = html.unescape(client.get(reverse("rcp:dossier_studies", args=[dossier.pk]), **HTMX).content.decode())
    assert "Scanner thoraco-abdomino-pelvien" in page.split("Examens du patient dans les PACS")[0]
    dossier_page = client.get(reverse("rcp:dossier", args=[dossier.pk])).content.decode()
    assert reverse("rcp:dossier_studies", args=[dossier.pk]) in dossier_page


def test_a_study_unknown_to_the_pacs_cannot_be_attached(client, imaging, dossier):
    response = _attach(client, imaging.personas["doctor"], dossier, uid="1.2.3.4.5", pacs=imaging.pacs)

    assert "n'a pas été trouvé dans les PACS" in html.unescape(response.content.decode())
    assert not AttachedStudy.objects.exists()


def test_a_study_is_attached_once(client, imaging, dossier):
    uid = studies_of(IPP)[0].study_uid
    _attach(client, imaging.personas["doctor"], dossier, uid=uid, pacs=imaging.pacs)

    response = _attach(client, imaging.personas["doctor"], dossier, uid=uid, pacs=imaging.pacs)

    assert "déjà joint" in html.unescape(response.content.decode())
    assert AttachedStudy.objects.count() == 1


def test_a_study_is_detached(client, imaging, dossier):
    _attach(client, imaging.personas["doctor"], dossier, uid=studies_of(IPP)[0].study_uid, pacs=imaging.pacs)
    attached = AttachedStudy.objects.get()

    client.post(reverse("rcp:dossier_studies", args=[dossier.pk]), {"action": "detach", "attached": attached.pk})

    assert not AttachedStudy.objects.exists()
    assert AccessTrail.objects.filter(action=TrailAction.DELETE, patient_id=imaging.patient.pk).exists()


def test_the_dossier_studies_follow_the_dossiers_rights(client, imaging, dossier):
    url = reverse("rcp:dossier_studies", args=[dossier.pk])

    assert_access(client, imaging.personas, url, allowed=SEEING)


def test_only_the_requesting_side_may_attach(client, imaging, dossier):
    url = reverse("rcp:dossier_studies", args=[dossier.pk])
    data = {"action": "attach", "pacs": imaging.pacs.pk, "study": studies_of(IPP)[0].study_uid}

    assert_access(client, imaging.personas, url, method="post", data=data,
                  allowed={"doctor", "medical_secretary"}, ok_status=302)  # fmt: skip


# --- DICOMweb (QIDO-RS) -----------------------------------------------------------------------


@pytest.fixture
def qido_server():
    server = standin.start_qido(studies=studies_of(IPP))
    yield server
    server.shutdown()
    server.server_close()


def test_a_dicomweb_pacs_is_queried_with_qido_rs(client, imaging, qido_server):
    imaging.pacs.qido_url = f"http://127.0.0.1:{qido_server.server_address[1]}/dicom-web"
    imaging.pacs.port = closed_port()  # C-FIND would fail: the answer must come from QIDO-RS
    imaging.pacs.save()

    page = _page(client, imaging.personas["doctor"], imaging.patient)

    assert page.count('data-testid="imaging-study"') == 2
    assert "IRM hépatique" in page and "ne répond pas" not in page


def test_a_dicomweb_pacs_that_answers_404_gives_the_french_message(client, imaging, qido_server):
    imaging.pacs.qido_url = f"http://127.0.0.1:{qido_server.server_address[1]}/ailleurs"
    imaging.pacs.save()

    page = _page(client, imaging.personas["doctor"], imaging.patient)

    assert "ne répond pas" in page


def test_a_pacs_needs_dicom_coordinates_or_a_qido_url(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="URL QIDO-RS"):
        Pacs(establishment=personas.hospital, name="Incomplet", host="127.0.0.1").full_clean()
    Pacs(establishment=personas.hospital, name="Web", qido_url="https://pacs.chu.test/dicom-web").full_clean()
