"""The XDM package and the e-mail an outbox row becomes (no network)."""

from __future__ import annotations

import email
import io
import zipfile
from email.policy import default

import pytest
from lxml import etree

from interop.mss.conf import mss_settings
from interop.mss.message import build_email
from interop.mss.xdm import LCM, RIM, build_xdm_zip, read_header
from tests.interop.mss.helpers import document_for, enqueue_document, enqueue_notice
from tests.records.documents_helpers import record_patient, sample_frcp

R = {"rim": RIM, "lcm": LCM}


@pytest.fixture
def conf(settings):
    settings.DCC_MSS_SMTP_HOST = "127.0.0.1"
    settings.DCC_MSS_ADDRESS = "dcc@dcc.mssante.demo.test"
    settings.DCC_MSS_NIL = "NIL-TEST-1"
    settings.DCC_MSS_REQUEST_MDN = True
    return mss_settings()


def test_xdm_zip_has_the_ihe_layout_and_metadata_mapped_from_the_cda_header():
    _, cda = sample_frcp()
    archive, header = build_xdm_zip(
        cda=cda, sender="dcc@dcc.mssante.demo.test", sender_label="DCC", software="NIL", source_oid="1.2.3",
        recipient="dr.x@pro.mssante.demo.test", recipient_label="Dr X",
    )  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert sorted(z.namelist()) == [
            "IHE_XDM/SUBSET01/DOC0001.XML", "IHE_XDM/SUBSET01/METADATA.XML", "INDEX.HTM", "README.TXT",
        ]  # fmt: skip
        assert z.read("IHE_XDM/SUBSET01/DOC0001.XML") == cda
        assert "dcc@dcc.mssante.demo.test" in z.read("README.TXT").decode()
        assert 'href="IHE_XDM/SUBSET01/DOC0001.XML"' in z.read("INDEX.HTM").decode()
        metadata = etree.fromstring(z.read("IHE_XDM/SUBSET01/METADATA.XML"))
    assert metadata.tag == f"{{{LCM}}}SubmitObjectsRequest"
    entry = metadata.find(".//rim:ExtrinsicObject", R)
    assert entry.get("mimeType") == "text/xml"

    def slot(element, name):
        return [v.text for v in element.findall(f"rim:Slot[@name='{name}']/rim:ValueList/rim:Value", R)]

    assert slot(entry, "size") == [str(len(cda))] and slot(entry, "URI") == ["DOC0001.XML"]
    assert slot(entry, "languageCode") == ["fr-FR"]
    nodes = {c.get("classificationScheme"): c.get("nodeRepresentation") for c in entry.findall("rim:Classification", R)}
    assert nodes["urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"] == "34794-8"  # typeCode = CDA code
    assert nodes["urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"] == "urn:asip:ci-sis:frcp:2011"  # formatCode
    ids = {e.get("identificationScheme"): e.get("value") for e in entry.findall("rim:ExternalIdentifier", R)}
    assert ids["urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"] == header.patient_id
    assert header.patient_id.endswith("^NH") and header.has_ins  # the INS of the sample
    package = metadata.find(".//rim:RegistryPackage", R)
    assert slot(package, "intendedRecipient")[0].endswith("^^Internet^dr.x@pro.mssante.demo.test")
    association = metadata.find(".//rim:Association", R)
    assert association.get("sourceObject") == package.get("id") and association.get("targetObject") == entry.get("id")
    assert association.get("associationType").endswith("HasMember")


def test_read_header_maps_title_dates_and_author():
    _, cda = sample_frcp()
    header = read_header(cda)
    assert header.title and header.effective_time and header.author_person
    assert header.type.code == "34794-8" and not header.is_n1


@pytest.mark.django_db
def test_document_email_subject_headers_and_attachments(conf, personas):
    patient = record_patient(personas)
    message = enqueue_document(document_for(patient), "dr.x@pro.mssante.demo.test")
    mail = email.message_from_bytes(build_email(message, conf).as_bytes(), policy=default)
    birth = patient.birth_date.strftime("%d/%m/%Y")
    assert mail["Subject"] == (
        f"XDM/1.0/DDM+Fiche RCP sein {patient.birth_name.upper()} {patient.first_given_name.capitalize()} {birth}"
    )
    assert mail["Message-ID"] == f"<{message.message_id}>"
    assert mail["X-MSS-CODECDA"] == "34794-8" and mail["X-MSS-INS"] == "O" and mail["X-MSS-NIL"] == "NIL-TEST-1"
    assert mail["Disposition-Notification-To"] == "dcc@dcc.mssante.demo.test" and mail["X-MSS-MES"] is None
    names = [part.get_filename() for part in mail.iter_attachments()]
    assert names[0] == "IHE_XDM.ZIP" and names[1].endswith(".pdf")
    assert "Vous trouverez ci-joint le document « Fiche RCP sein »" in mail.get_body(("plain",)).get_content()


@pytest.mark.django_db
def test_x_mss_ins_is_n_when_the_identity_is_not_qualified(conf, personas):
    patient = record_patient(personas, qualified=False, retrieved=True)
    assert not patient.ins_exchangeable
    message = enqueue_document(document_for(patient), "dr.x@pro.mssante.demo.test")
    mail = email.message_from_bytes(build_email(message, conf).as_bytes(), policy=default)
    assert mail["X-MSS-INS"] == "N"


@pytest.mark.django_db
def test_patient_mailbox_gets_x_mss_mes_fin(conf, personas):
    patient = record_patient(personas)
    message = enqueue_document(document_for(patient), f"{patient.ins_matricule}@patient.mssante.fr")
    mail = email.message_from_bytes(build_email(message, conf).as_bytes(), policy=default)
    assert mail["X-MSS-MES"] == "FIN"
    assert "merci de ne pas y répondre" in mail.get_body(("plain",)).get_content()


@pytest.mark.django_db
def test_gp_notice_is_a_plain_french_message(conf):
    message = enqueue_notice("dr.gp@pro.mssante.demo.test")
    mail = email.message_from_bytes(build_email(message, conf).as_bytes(), policy=default)
    assert mail["Subject"] == "Votre patient passe en RCP" and mail["X-MSS-NIL"] == "NIL-TEST-1"
    assert mail["X-MSS-CODECDA"] is None and not list(mail.iter_attachments())
    body = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Bonjour,\nVotre patient passe en RCP")


@pytest.mark.django_db
def test_an_oversized_document_is_refused_in_french_before_sending(conf, settings, personas):
    settings.DCC_MSS_MAX_MESSAGE_BYTES = 50_000
    message = enqueue_document(document_for(record_patient(personas)), "dr.x@pro.mssante.demo.test")
    assert message.state == "echec_definitif"
    assert message.last_detail.startswith("Document trop volumineux pour MSSanté :")
