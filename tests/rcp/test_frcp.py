"""A validated fiche maps onto interop's FRCP input and the CDA built from it passes the ANS validation."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from interop.cda import builders, samples
from interop.cda.inputs import PdfCopy
from interop.cda.validation import validate_cda
from interop.pdf.render import PdfDocument, PdfPatient, PdfSection, render_document
from rcp import frcp
from rcp.enums import AttendanceMode, DossierMotive, Nature
from rcp.services.agenda import attendance_record, session_open
from rcp.services.dossiers import dossier_register
from rcp.services.fiches import fiche_save, fiche_validate
from tests.directory.factories import ProfessionalFactory
from tests.identity.factories import PatientFactory
from tests.rcp.factories import FILLED_FICHE

pytestmark = pytest.mark.django_db


def _pdf() -> bytes:
    return render_document(
        PdfDocument(
            title="Fiche RCP",
            issuer="3C test",
            subtitle="RCP test",
            patient=PdfPatient(
                birth_family_name="TESTPATIENTE",
                given_names="MARIE",
                sex_label="Féminin",
                birth_date=dt.date(1960, 3, 12),
                ins="260038600000145",
                ins_oid="1.2.250.1.213.1.4.10",
                ipp="IPP1",
            ),
            document_id="0F9C2F0E-5D1B-4B6B-9D67-7C2C3A3D2E10",
            version=1,
            signed_by="Dr Test",
            signed_role="médecin",
            signed_at=dt.datetime(2026, 11, 20, 17, 30),
            sections=(PdfSection(title="Proposition", paragraphs=("Chirurgie",)),),
        )
    )


@pytest.mark.parametrize("nature", [Nature.ORGANE, Nature.TRANSVERSALE])
def test_validated_fiche_builds_a_valid_frcp(world, personas, nature):
    call_command("load_value_sets", stdout=StringIO())
    doctor = personas["doctor"]
    dossier = dossier_register(
        session=world["session"], patient=PatientFactory(), requesting_doctor=doctor.professional,
        motive=DossierMotive.FIRST, question="Chirurgie première ?", by=doctor,
    )  # fmt: skip
    data = {**FILLED_FICHE, "nature": nature, "discovery_mode": "depistage", "laterality_code": "7771000"}
    data |= {"appareil_code": "76752008"} if nature == Nature.ORGANE else {"treatment_care_code": "C15747"}
    fiche_save(fiche=dossier.fiche, data=data, expected_revision=1, by=doctor)
    session_open(session=world["session"])
    attendance_record(
        session=world["session"],
        entries={
            doctor.professional_id: AttendanceMode.ROOM,
            ProfessionalFactory(surgeon=True).pk: AttendanceMode.ROOM,
            ProfessionalFactory(specialty_id="G15_10/SM45").pk: AttendanceMode.ROOM,
        },
    )
    fiche = fiche_validate(fiche=dossier.fiche, by=doctor)
    content = frcp.frcp_content(
        fiche,
        meeting=samples.meeting(),
        quorum_members=(samples.COORDINATOR, samples.SURGEON),
        requester=samples.SURGEON,
    )
    assert content.quorum_code == frcp.QUORUM_REACHED
    document = builders.build_frcp(samples.header(title="Fiche RCP"), content, PdfCopy(_pdf()))
    result = validate_cda(document.xml)
    assert result.failures == [], result.summary_fr()
    assert result.valid
