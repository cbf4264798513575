"""The per-PACS viewer link: a validated template, the link on each listed study, the demo viewer page."""

from __future__ import annotations

import html
import http.client

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from interop.imaging import standin
from interop.imaging.models import Pacs, validate_viewer_url_template
from tests.interop.imaging.conftest import IPP, studies_of
from tests.rcp.factories import DossierFactory, RcpFactory, SessionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize(
    "template",
    [
        "https://viewer.example/?StudyInstanceUID={study_uid}",
        "http://10.0.0.5:8042/ohif/viewer?StudyInstanceUIDs={study_uid}&acc={accession}&pid={patient_id}",
        "https://viewer.example/study/{study_uid}?opts={{}}",
        "https://viewer.example/liste",
    ],
)
def test_a_viewer_template_with_known_variables_over_http_is_accepted(template):
    validate_viewer_url_template(template)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("https://viewer.example/?uid={study}", "Variable « {study} » inconnue"),
        ("https://viewer.example/?uid={study_uid.__class__}", "inconnue"),
        ("https://viewer.example/?uid={study_uid[0]}", "inconnue"),
        ("https://viewer.example/?uid={study_uid!r}", "Variable « {study_uid!r} » inconnue"),
        ("https://viewer.example/?uid={study_uid:>80}", "inconnue"),
        ("https://viewer.example/?uid={}", "inconnue"),
        ("https://viewer.example/?uid={0}", "inconnue"),
        ("https://viewer.example/?uid={study_uid", "Accolade isolée"),
        ("https://viewer.example/?uid=study_uid}", "Accolade isolée"),
        ("javascript:alert({study_uid})", "https://"),
        ("ftp://viewer.example/{study_uid}", "https://"),
        ("/viewer?uid={study_uid}", "https://"),
        ("https:///{study_uid}", "https://"),
    ],
)
def test_a_viewer_template_is_refused_in_french(template, message):
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("{", r"\{").replace("}", r"\}")):
        validate_viewer_url_template(template)


def test_the_model_validates_the_template(personas):
    pacs = Pacs(establishment=personas.hospital, name="PACS", ae_title="PACS", host="127.0.0.1", port=104,
                viewer_url_template="https://viewer.example/?id={uid}")  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        pacs.full_clean()
    assert "viewer_url_template" in raised.value.message_dict


def test_the_link_escapes_the_values_and_is_never_built_from_a_bad_template(personas):
    pacs = Pacs(establishment=personas.hospital, name="PACS", ae_title="PACS", host="127.0.0.1", port=104,
                viewer_url_template="https://viewer.example/?uid={study_uid}&pid={patient_id}")  # fmt: skip
    assert pacs.viewer_url(study_uid="1.2.3", patient_id="A&B C") == "https://viewer.example/?uid=1.2.3&pid=A%26B%20C"
    pacs.viewer_url_template = ""
    assert pacs.viewer_url(study_uid="1.2.3") == ""
    # Templates stored before the validator existed: no link rather than an error or a script.
    for legacy in ("javascript:alert({study_uid})", "https://viewer.example/?{study_uid.real}", "https://v/{x}"):
        pacs.viewer_url_template = legacy
        assert pacs.viewer_url(study_uid="1.2.3") == ""


def test_the_regional_admin_edits_the_template_and_a_bad_one_is_refused(client, personas):
    pacs = Pacs.objects.create(establishment=personas.hospital, name="PACS du CH", ae_title="PACSCH",
                               host="127.0.0.1", port=104)  # fmt: skip
    client.force_login(personas["admin"])
    url = reverse("admin:imaging_pacs_change", args=[pacs.pk])
    form = {
        "establishment": personas.hospital.pk, "name": "PACS du CH", "ae_title": "PACSCH", "host": "127.0.0.1",
        "port": 104, "qido_url": "", "is_active": "on",
    }  # fmt: skip
    assert 'name="viewer_url_template"' in client.get(url).content.decode()

    refused = client.post(url, form | {"viewer_url_template": "https://viewer.example/?uid={uid}"})
    assert refused.status_code == 200
    assert "Variable « {uid} » inconnue" in html.unescape(refused.content.decode())
    pacs.refresh_from_db()
    assert pacs.viewer_url_template == ""

    accepted = client.post(url, form | {"viewer_url_template": "https://viewer.example/?StudyInstanceUID={study_uid}"})
    assert accepted.status_code == 302
    pacs.refresh_from_db()
    assert pacs.viewer_url_template == "https://viewer.example/?StudyInstanceUID={study_uid}"


def test_each_study_on_the_patient_and_dossier_pages_links_to_the_viewer(client, imaging):
    Pacs.objects.filter(pk=imaging.pacs.pk).update(
        viewer_url_template="https://viewer.example/?StudyInstanceUID={study_uid}&acc={accession}"
    )
    expected = [f"https://viewer.example/?StudyInstanceUID={s.study_uid}&acc={s.accession}" for s in studies_of(IPP)]
    client.force_login(imaging.personas["doctor"])

    patient_page = html.unescape(
        client.get(reverse("imaging:patient_studies", args=[imaging.patient.pk]), **HTMX).content.decode()
    )
    dossier = DossierFactory(
        patient=imaging.patient, session=SessionFactory(rcp=RcpFactory(establishment=imaging.personas.hospital))
    )
    dossier_page = html.unescape(client.get(reverse("rcp:dossier_studies", args=[dossier.pk]), **HTMX).content.decode())

    for link in expected:
        assert f'href="{link}"' in patient_page
        assert f'href="{link}"' in dossier_page


def test_without_a_template_the_studies_are_listed_without_a_link(client, imaging):
    Pacs.objects.filter(pk=imaging.pacs.pk).update(viewer_url_template="")
    client.force_login(imaging.personas["doctor"])

    page = client.get(reverse("imaging:patient_studies", args=[imaging.patient.pk]), **HTMX).content.decode()

    assert page.count('data-testid="imaging-study"') == 2 and "viewer" not in page


def test_the_stand_in_serves_the_demo_viewer_page():
    studies = studies_of(IPP)
    server = standin.start_qido(studies=studies)

    def get(uid: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
        try:
            connection.request("GET", f"/viewer?StudyInstanceUID={uid}")
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8")
        finally:
            connection.close()

    try:
        status, page = get(studies[1].study_uid)
        missing, _ = get("1.2.3.4")
    finally:
        server.shutdown()
        server.server_close()
    assert status == 200
    assert "Visionneuse de démonstration" in page and "IRM hépatique" in page and "14/11/2026" in page
    assert missing == 404
