"""Issue 15, finding 5: what the FRCP, PPS and PPAC documents say to their readers."""

from __future__ import annotations

import datetime

import pytest
from lxml import etree

from dcc.directory.enums import Civility
from interop.filing import Chain, document_generate
from interop.pdf.layouts import frcp_document, pps_document
from interop.pdf.render import render_html
from pps.documents import _pps, pps_inputs
from pps.models import PpsContact
from rcp import documents as rcp_documents
from rcp.enums import DossierMotive
from rcp.models import Dossier
from tests.directory.factories import ProfessionalFactory
from tests.pps.factories import PpsElementFactory, ProtocolFactory
from tests.rcp.fiche_documents import fiche_world, validate
from tests.records.documents_helpers import record_patient, store_frcp, validated_pps

pytestmark = pytest.mark.django_db
NS = {"cda": "urn:hl7-org:v3"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def _text(html: str) -> str:
    return " ".join(etree.tostring(etree.HTML(html), encoding="unicode", method="text").split())


def _frcp_text(fiche) -> str:
    made = rcp_documents.frcp_inputs(fiche.versions.get(version=1), Chain(None, 1, ""))
    layout = frcp_document(made.header, made.content, issuer=made.issuer, participants=made.participants)
    return _text(render_html(layout))


def test_the_frcp_gives_the_motive_the_question_the_requester_a_contact_and_the_right_roles(personas):
    world = fiche_world(personas, quorum=False)
    Dossier.objects.filter(pk=world["dossier"].pk).update(motive=DossierMotive.RELAPSE)
    personas.three_c.phone = "05 49 00 11 22"
    personas.three_c.save()
    professor = personas["doctor"].professional
    professor.civility = Civility.PROFESSEUR
    professor.phone = "05 49 44 00 01"
    professor.save()
    fiche = validate(world, personas, off_quorum_reason="Urgence : chirurgien joint par téléphone.")

    text = _frcp_text(fiche)

    assert "Motif de présentation Rechute / progression" in text
    assert "Question posée Chirurgie première ?" in text
    assert text.count("Validée hors quorum") == 1
    assert "médecin responsable de la RCP" not in text
    assert "signataire de la fiche" in text
    assert f"Pr {professor.first_name} {professor.last_name.upper()}" in text
    assert "Médecin demandeur" in text and "05 49 44 00 01" in text
    assert "Coordonnateur de la RCP" in text
    assert "Pour toute question Secrétariat du 3C Vienne (test) — 05 49 00 11 22" in text

    generation = document_generate(source_type="rcp.ficheversion", source_id=fiche.versions.get().pk)
    from dcc.records.documents_services import document_file_bytes

    cda = etree.fromstring(document_file_bytes(generation.document, "cda"))
    (problem,) = cda.xpath(".//cda:observation[cda:code/@code='55607006']", namespaces=NS)
    assert "Rechute / progression" in etree.tostring(problem, encoding="unicode")
    titles = {e.text for e in cda.xpath(".//cda:assignedPerson/cda:name/cda:suffix", namespaces=NS)}
    assert "PR" in titles


def test_the_pps_pdf_names_the_gp_protocol_referent_contacts_and_the_nurse(personas):
    patient = record_patient(personas)
    gp = personas["gp"].professional
    patient.general_practitioner = gp
    patient.save()
    store_frcp(patient)
    nurse = personas["annonce_nurse"]
    pps = validated_pps(personas, patient, author=nurse, validated_by=nurse, patient_comment="Venez à jeun.")
    referent = ProfessionalFactory(last_name="Referente")
    PpsElementFactory(
        pps=pps, kind="chimiotherapie", planned_date=datetime.date(2026, 12, 20),
        protocol=ProtocolFactory(name="FOLFOX 4"), referring_doctor=referent,
    )  # fmt: skip
    PpsContact.objects.create(pps=pps, professional=referent, role="Oncologue référent", phone="05 49 12 34 56")

    made = pps_inputs(_pps(pps.pk), Chain(None, 1, ""))
    text = _text(render_html(pps_document(made.header, made.content, issuer=made.issuer)))

    assert "protocole FOLFOX 4" in text and f"référent : {referent.display_name}" in text
    assert "Commentaire pour vous Venez à jeun." in text
    assert "Vos contacts" in text and "Oncologue référent" in text and "05 49 12 34 56" in text
    assert "Médecin traitant" in text and gp.last_name.upper() in text.upper()
    assert "infirmière de coordination" in text and "Infirmier " not in text
    assert "Autres soins de support" in text and "Autre soins de support" not in text
    assert made.content.general_practitioner is not None and made.content.general_practitioner.rpps == gp.rpps

    generation = document_generate(source_type="pps.pps", source_id=pps.pk)
    assert generation.document_id, generation.failure_reason
    from dcc.records.documents_services import document_file_bytes

    cda = document_file_bytes(generation.document, "cda")
    assert gp.rpps.encode() in cda  # the GP is a participant of the PPS


def test_the_ppac_pdf_gives_the_diagnosis_and_always_the_contacts_it_promises(personas):
    from pps import ppac_documents
    from pps.documents import signed_header
    from pps.ppac_selectors import ppac_detail
    from tests.pps.test_ppac_documents import validated_ppac

    nurse = personas["annonce_nurse"]
    patient = record_patient(personas)
    store_frcp(patient)
    ppac = ppac_detail(validated_ppac(personas, nurse, patient=patient).pk)
    PpsContact.objects.filter(pps=ppac).delete()
    ppac = ppac_detail(ppac.pk)
    signed = signed_header(ppac, Chain(None, 1, ""), title="PPAC", document="Le PPAC")

    layout = ppac_documents.layout(ppac, signed)

    titles = [section.title for section in layout.sections]
    assert "Votre maladie" in titles
    assert "Vos contacts" in titles
    contacts = next(s for s in layout.sections if s.title == "Vos contacts")
    assert any(role == "Équipe qui vous suit" for role, _ in contacts.rows)
