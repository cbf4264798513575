"""Issue 15, findings 2 to 4: a signed fiche always gets its document, the INS travels only with a qualified
identity (every RNIV status), and only a doctor recorded present is offered « Valider et signer »."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from lxml import etree

from dcc.records.documents_services import document_file_bytes
from dcc.records.enums import GenerationStatus
from identity.enums import RnivStatus
from interop import model_inputs
from interop.filing import document_generate
from rcp.enums import AttendanceMode
from rcp.models import Fiche
from rcp.selectors import NOT_PRESENT, fiche_signing_blockers
from rcp.services.agenda import attendance_record
from tests.identity.factories import LocalIdentifierFactory, PatientFactory
from tests.rcp.fiche_documents import fiche_world, validate

pytestmark = pytest.mark.django_db
NS = {"cda": "urn:hl7-org:v3"}
HOSPITAL_OID = "1.2.250.1.999.86.1"
INS_ROOTS = {"1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def _patient(personas, status: str, *, ipp: bool = True):
    """A patient with an INS (whatever the status: the point is whether it travels) and an IPP at the hospital."""
    personas.hospital.oid = HOSPITAL_OID
    personas.hospital.save()
    patient = PatientFactory(with_ins=True, rniv_status=status)
    if ipp:
        LocalIdentifierFactory(patient=patient, establishment=personas.hospital, value="IPP-4242")
    return patient


@pytest.mark.parametrize("status", [s.value for s in RnivStatus])
def test_the_ins_is_in_the_patient_identity_only_when_qualified(personas, status):
    patient = _patient(personas, status)
    identity = model_inputs.patient_identity(patient, finess=personas.hospital.finess_geo)
    if status == RnivStatus.QUALIFIEE:
        assert (identity.ins, identity.ins_oid) == (patient.ins_matricule, patient.ins_oid)
    else:
        assert identity.ins == "" and identity.ins_oid == ""
    assert (identity.ipp, identity.ipp_root) == ("IPP-4242", HOSPITAL_OID)
    assert (model_inputs.datamatrix_png(patient) is not None) == (status == RnivStatus.QUALIFIEE)


@pytest.mark.parametrize("status", [s.value for s in RnivStatus])
def test_a_signed_fiche_gets_a_valid_frcp_with_the_ins_only_when_qualified(personas, status):
    from interop.cda.validation import validate_cda

    patient = _patient(personas, status)
    world = fiche_world(personas, patient=patient)
    fiche = validate(world, personas)

    generation = document_generate(source_type="rcp.ficheversion", source_id=fiche.versions.get().pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    cda = document_file_bytes(generation.document, "cda")
    ids = {
        i.get("root"): i.get("extension")
        for i in etree.fromstring(cda).iterfind("cda:recordTarget/cda:patientRole/cda:id", NS)
    }
    assert ids[HOSPITAL_OID] == "IPP-4242"
    qualified = status == RnivStatus.QUALIFIEE
    assert bool(INS_ROOTS & set(ids)) == qualified
    assert (patient.ins_matricule.encode() in cda) == qualified  # nor in the text, nor in the embedded PDF's layout
    assert document_file_bytes(generation.document, "pdf").startswith(b"%PDF-")
    result = validate_cda(cda)
    assert result.failures == [], result.summary_fr()


def test_only_model_inputs_builds_the_patient_identity_of_a_produced_document():
    """FRCP, PPS, PPAC and CR all name the patient through ``model_inputs.patient_identity`` (one rule)."""
    from pathlib import Path

    from django.conf import settings

    builders = []
    for package in ("rcp", "pps", "interop", "dcc"):
        for path in (Path(settings.BASE_DIR) / package).rglob("*.py"):
            if re.search(r"\bPatientIdentity\(", path.read_text()):
                builders.append(str(path.relative_to(settings.BASE_DIR)))
    assert sorted(builders) == ["interop/cda/samples.py", "interop/model_inputs.py"]


def test_an_identity_neither_qualified_nor_with_an_ipp_is_filed_under_the_dccs_number(personas, settings):
    from interop.cda.validation import validate_cda

    patient = _patient(personas, RnivStatus.PROVISOIRE, ipp=False)
    world = fiche_world(personas, patient=patient)
    assert fiche_signing_blockers(fiche=world["dossier"].fiche, by=personas["doctor"]) == []
    fiche = validate(world, personas)

    generation = document_generate(source_type="rcp.ficheversion", source_id=fiche.versions.get().pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    cda = document_file_bytes(generation.document, "cda")
    ids = {
        i.get("root"): i.get("extension")
        for i in etree.fromstring(cda).iterfind("cda:recordTarget/cda:patientRole/cda:id", NS)
    }
    assert ids == {settings.DCC_OID_PATIENT_ROOT: f"DCC-{patient.pk}"}
    assert validate_cda(cda).failures == []


def test_what_would_block_the_document_is_refused_before_signing_in_plain_french(personas):
    world = fiche_world(personas)
    pro = personas["doctor"].professional
    pro.specialty_id = None
    pro.save()

    assert fiche_signing_blockers(fiche=world["dossier"].fiche, by=personas["doctor"])
    with pytest.raises(ValidationError) as refused:
        validate(world, personas)

    message = " ".join(refused.value.messages)
    assert "Avant de signer" in message and "spécialité" in message
    assert not Fiche.objects.get(pk=world["dossier"].fiche.pk).is_validated


# --- Signer present (finding 4) ---------------------------------------------------------------


def test_a_doctor_not_recorded_present_is_told_how_instead_of_being_offered_to_sign(client, personas):
    world = fiche_world(personas)
    attendance_record(session=world["session"], entries={personas["doctor"].professional_id: None})
    client.force_login(personas["doctor"])

    page = client.get(reverse("rcp:dossier", args=[world["dossier"].pk])).content.decode()

    assert "Valider et signer" not in page
    assert "Feuille de présence" in page and "Votre présence à cette séance" in page


def test_a_present_doctor_is_offered_to_sign(client, personas):
    world = fiche_world(personas)
    client.force_login(personas["doctor"])
    page = client.get(reverse("rcp:dossier", args=[world["dossier"].pk])).content.decode()
    assert "Valider et signer la fiche" in page and 'data-testid="signing-blockers"' not in page


def test_the_off_quorum_reason_typed_is_kept_when_signing_is_refused(client, personas):
    world = fiche_world(personas, quorum=False)
    dossier = world["dossier"]
    Fiche.objects.filter(pk=dossier.fiche.pk).update(case_summary="")  # validation will refuse: incomplete
    client.force_login(personas["doctor"])
    reason = "Urgence thérapeutique, avis du chirurgien recueilli par téléphone."
    fiche = Fiche.objects.get(pk=dossier.fiche.pk)

    response = client.post(
        reverse("rcp:fiche_validate", args=[dossier.pk]), {"revision": fiche.revision, "off_quorum_reason": reason}
    )

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "renseignez" in page and reason in page
    assert not Fiche.objects.get(pk=dossier.fiche.pk).is_validated


def test_the_demo_signers_were_present_members_and_the_stories_hold_together(demo):
    from dcc.records.access import can_view_patient
    from rcp.models import Attendance, FicheVersion, RcpMember

    # Every signed version, the RCP demo's and the dashboards' two years of history alike.
    versions = list(
        FicheVersion.objects.select_related("fiche__dossier__session", "fiche__dossier__patient", "signed_by")
    )
    assert len(versions) >= 60
    attended = set(
        Attendance.objects.filter(mode__in=[AttendanceMode.ROOM, AttendanceMode.VIDEO]).values_list(
            "session_id", "professional_id"
        )
    )
    members = set(RcpMember.objects.values_list("rcp_id", "professional_id"))
    for index, version in enumerate(versions):
        session, signer = version.fiche.dossier.session, version.signed_by
        absent = f"{signer} n'était pas présent à la séance {session.pk}"
        assert (session.pk, signer.professional_id) in attended, absent
        assert (session.rcp_id, signer.professional_id) in members
        assert any(p["professional_id"] == signer.professional_id for p in version.participants)
        if index % 25 == 0:  # the rights check costs queries: one version in 25 (the history has thousands)
            assert can_view_patient(signer, version.fiche.dossier.patient), f"{signer} ne peut ouvrir ce qu'il a signé"
    assert len({v.signed_by_id for v in versions}) > 1
    _assert_coherent_stories()


def _assert_coherent_stories():
    """Finding 9: each demo patient's story holds together from the fiche to the PPAC."""
    from pps.models import Pps
    from rcp.models import Concertation

    history = "Proposition de la RCP (historique de démonstration)."  # the dashboards' bulk history, left out
    programmes = list(
        Pps.objects.filter(programme="pps", rcp_fiche__isnull=False)
        .exclude(rcp_fiche__proposition=history)
        .select_related("rcp_fiche")
    )
    assert programmes
    for pps in programmes:
        kinds = set(pps.elements.values_list("kind", flat=True))
        breast = pps.rcp_fiche.topography_code.startswith("C50")
        assert ("hormonotherapie" in kinds) == breast, (pps.rcp_fiche.topography_code, kinds)
    ppacs = Pps.objects.filter(programme="ppac").exclude(ppac__source_pps__rcp_fiche__proposition=history)
    for ppac in ppacs.select_related("ppac__template", "ppac__source_pps__rcp_fiche"):
        plan = ppac.ppac
        topography = plan.source_pps.rcp_fiche.topography_code if plan.source_pps.rcp_fiche_id else ""
        expected = "Sein" if topography.startswith("C50") else "Côlon"
        assert plan.template.cancer_type == expected, (topography, plan.template.name)
        for line in plan.treatment_summary.splitlines():
            if "Hormonothérapie" in line:
                assert "se poursuit pendant le suivi" in line, line
    for concertation in Concertation.objects.all():
        if "Poursuite du traitement" in concertation.opinion:
            assert "387713003" not in [t["code"] for t in concertation.treatments], concertation.treatments


def test_presence_recorded_by_the_secretary_unblocks_the_signature(personas):
    world = fiche_world(personas)
    attendance_record(session=world["session"], entries={personas["doctor"].professional_id: None})
    assert NOT_PRESENT in fiche_signing_blockers(fiche=world["dossier"].fiche, by=personas["doctor"])
    attendance_record(session=world["session"], entries={personas["doctor"].professional_id: AttendanceMode.VIDEO})
    assert fiche_signing_blockers(fiche=world["dossier"].fiche, by=personas["doctor"]) == []
