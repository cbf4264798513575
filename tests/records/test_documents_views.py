import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dcc.records import documents_services
from dcc.records.enums import DocumentOrigin, DocumentStatus, TrailAction
from dcc.records.models import AccessTrail
from interop.cda import samples
from interop.documents import produce_frcp
from tests.helpers import assert_access
from tests.records.documents_helpers import record_patient, sample_frcp, store_frcp

pytestmark = pytest.mark.django_db

SEEING = {"doctor", "medical_secretary", "annonce_nurse"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "default": default}


@pytest.fixture
def document(personas):
    return store_frcp(record_patient(personas))


def test_the_record_page_is_open_to_the_patients_care_team_only(client, personas, document):
    url = reverse("records:documents", args=[document.patient_id])
    assert_access(client, personas, url, allowed=SEEING)


def test_document_detail_pdf_and_downloads_are_open_to_the_care_team_only(client, personas, document):
    for url in (
        reverse("records:document_detail", args=[document.pk]),
        reverse("records:document_pdf", args=[document.pk]),
        reverse("records:document_download", args=[document.pk, "pdf"]),
        reverse("records:document_download", args=[document.pk, "cda"]),
        reverse("records:document_generations", args=[document.patient_id]),
    ):
        assert_access(client, personas, url, allowed=SEEING)


def test_the_pdf_is_shown_inline_from_the_storage_and_traced(client, personas, document):
    client.force_login(personas["doctor"])

    response = client.get(reverse("records:document_pdf", args=[document.pk]))

    body = response.content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert documents_services.sha256(body) == document.pdf_sha256
    line = AccessTrail.objects.get(object_id=str(document.pk), action=TrailAction.READ)
    assert line.patient_id == document.patient_id and line.user == personas["doctor"]


def test_a_download_is_an_attachment_and_is_traced_as_such(client, personas, document):
    client.force_login(personas["medical_secretary"])

    response = client.get(reverse("records:document_download", args=[document.pk, "cda"]))

    assert response["Content-Disposition"].startswith("attachment")
    assert response.content == sample_frcp()[1]
    assert AccessTrail.objects.filter(object_id=str(document.pk), action=TrailAction.DOWNLOAD).count() == 1


def test_the_cda_is_shown_as_readable_html(client, personas, document):
    client.force_login(personas["doctor"])

    response = client.get(reverse("records:document_detail", args=[document.pk]))

    content = response.content.decode()
    assert "Contenu du document (CDA)" in content
    assert "Diagnostic" in content or "Tumeur" in content
    assert "TESTPATIENTE" in content  # the CDA's own recordTarget
    assert "Dr Claire FICTIF" in content and "FICTIFDR" not in content  # the CDA's people, spaced and titled
    assert AccessTrail.objects.filter(object_id=str(document.pk), action=TrailAction.READ).exists()


def test_markup_in_a_narrative_is_escaped_never_rendered(client, personas):
    patient = record_patient(personas)
    _, cda = sample_frcp()
    hostile = cda.replace(
        b"<title>Tumeur</title>",
        b"<title>Tumeur</title><!-- x --><text><paragraph>&lt;script&gt;alert(1)&lt;/script&gt;<content>"
        b'<a href="javascript:alert(2)">lien</a></content></paragraph></text>',
        1,
    )
    document = documents_services.document_store(
        patient=patient, type_code="34794-8", title="Fiche importée", origin=DocumentOrigin.UPLOADED,
        act_date=timezone.now(), cda=hostile,
    )  # fmt: skip
    client.force_login(personas["doctor"])

    content = client.get(reverse("records:document_detail", args=[document.pk])).content.decode()

    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)" in content
    assert "javascript:alert" not in content


def test_the_timeline_filters_by_type_and_date_and_hides_replaced_versions(client, personas):
    patient = record_patient(personas)
    old = store_frcp(patient, title="Fiche ancienne", act_date=timezone.now() - datetime.timedelta(days=400))
    first = store_frcp(patient, title="Fiche v1")
    pdf, _ = sample_frcp()
    documents_services.document_store(
        patient=patient, type_code="34794-8", title="Fiche v2", origin=DocumentOrigin.PRODUCED,
        act_date=timezone.now(), pdf=pdf, replaces=first,
    )  # fmt: skip
    documents_services.document_store(
        patient=patient, type_code="11526-1", title="CR ACP", origin=DocumentOrigin.UPLOADED,
        act_date=timezone.now(), pdf=pdf,
    )  # fmt: skip
    client.force_login(personas["doctor"])
    url = reverse("records:documents", args=[patient.pk])

    def titles(params):
        return [d.title for d in client.get(url, params).context["documents"]]

    assert set(titles({})) == {"Fiche ancienne", "Fiche v2", "CR ACP"}
    assert set(titles({"type_code": "11526-1"})) == {"CR ACP"}
    since = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert "Fiche ancienne" not in titles({"start": since})
    assert "Fiche v1" in titles({"include_replaced": "on"})
    first.refresh_from_db()
    assert first.status == DocumentStatus.REPLACED and old.status == DocumentStatus.CURRENT


def test_record_page_query_budget(client, personas, django_assert_max_num_queries):
    patient = record_patient(personas)
    pdf, _ = sample_frcp()
    for n in range(15):
        documents_services.document_store(
            patient=patient, type_code="11526-1", title=f"CR {n}", origin=DocumentOrigin.UPLOADED,
            act_date=timezone.now(), pdf=pdf, establishment=personas.hospital,
        )  # fmt: skip
    client.force_login(personas["doctor"])
    url = reverse("records:documents", args=[patient.pk])
    client.get(url)

    with django_assert_max_num_queries(18):
        response = client.get(url)
    assert len(response.context["documents"]) == 15


def test_document_detail_query_budget(client, personas, document, django_assert_max_num_queries):
    client.force_login(personas["doctor"])
    url = reverse("records:document_detail", args=[document.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        client.get(url)


def test_a_produced_frcp_from_the_samples_is_valid_for_the_record():
    produced = produce_frcp(samples.header(title="Fiche RCP"), samples.frcp_appareil(), issuer="3C test")
    assert produced.valid, produced.validation.summary_fr()


def test_the_production_status_polls_while_a_document_is_being_produced(client, personas):
    from dcc.records.documents_services import generation_start

    patient = record_patient(personas)
    generation_start(source_type="pps.pps", source_id=999999, patient=patient)
    client.force_login(personas["doctor"])

    page = client.get(reverse("records:document_generations", args=[patient.pk])).content.decode()

    assert "En cours" in page
    assert 'hx-trigger="every 2s"' in page


def test_the_record_filter_and_upload_forms_draw_bootstrap_widgets(client, personas, document):
    client.force_login(personas["doctor"])
    listing = client.get(reverse("records:documents", args=[document.patient_id])).content.decode()
    upload = client.get(reverse("records:document_upload", args=[document.patient_id])).content.decode()

    assert 'class="form-select" id="id_type_code"' in listing
    assert 'class="form-check-input" id="id_include_replaced"' in listing
    assert 'class="form-control" id="id_file"' in upload
