import datetime

import pytest

from dcc.records.enums import DocumentOrigin, QuarantineStatus, ValidationStatus
from dcc.records.models import Document, QuarantinedDocument
from interop.cda.parsing import parse_cda
from interop.importing import ImportRefused, document_import
from tests.records.documents_helpers import record_patient, sample_frcp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "default": default}


def cda_for(patient, *, ins=None, birth_name=None) -> bytes:
    """The sample FRCP, rewritten for ``patient`` (INS and strict traits)."""
    _, cda = sample_frcp()
    _, summary = parse_cda(cda)
    traits = summary.patient
    cda = cda.replace(traits.ins.encode(), (ins if ins is not None else patient.ins_matricule).encode())
    cda = cda.replace(traits.birth_family_name.encode(), (birth_name or patient.birth_name).encode())
    cda = cda.replace(f"{traits.birth_date:%Y%m%d}".encode(), f"{patient.birth_date:%Y%m%d}".encode())
    cda = cda.replace(
        b'<given qualifier="BR">MARIE</given>', f'<given qualifier="BR">{patient.first_given_name}</given>'.encode()
    )
    return cda.replace(
        b'code="F" codeSystem="2.16.840.1.113883.5.1"',
        f'code="{patient.sex}" codeSystem="2.16.840.1.113883.5.1"'.encode(),
    )


def test_a_cda_is_matched_by_ins_and_filed_validated(personas):
    patient = record_patient(personas)

    outcome = document_import(data=cda_for(patient), filename="frcp.xml", origin=DocumentOrigin.MIGRATION)

    assert outcome.document is not None, outcome.quarantined and outcome.quarantined.reason
    assert outcome.document.patient == patient
    assert outcome.document.type_code == "34794-8"
    assert outcome.document.validation_status == ValidationStatus.VALID


def test_a_cda_breaking_the_rules_is_kept_and_flagged(personas):
    patient = record_patient(personas)
    broken = cda_for(patient).replace(b'code="34794-8"', b'code="00000-0"', 1)

    outcome = document_import(data=broken, filename="frcp.xml", origin=DocumentOrigin.MIGRATION)

    assert outcome.document.validation_status == ValidationStatus.INVALID
    assert "règle" in outcome.document.validation_report


def test_an_unknown_patient_goes_to_quarantine(personas):
    patient = record_patient(personas)
    data = cda_for(patient, ins="299129999999999")

    outcome = document_import(data=data, filename="inconnu.xml", origin=DocumentOrigin.MIGRATION)

    assert outcome.document is None
    item = QuarantinedDocument.objects.get()
    assert item.status == QuarantineStatus.PENDING and "Aucun patient connu" in item.reason
    with item.file.open("rb") as handle:
        assert handle.read() == data  # nothing lost


def test_an_ins_disagreeing_with_the_traits_goes_to_quarantine(personas):
    patient = record_patient(personas)

    outcome = document_import(
        data=cda_for(patient, birth_name="AUTRENOM"), filename="x.xml", origin=DocumentOrigin.UPLOADED
    )

    assert outcome.document is None
    assert "nom de naissance" in outcome.quarantined.reason
    assert not Document.objects.exists()


def test_a_document_for_another_patient_than_the_chosen_record_goes_to_quarantine(personas):
    patient, other = record_patient(personas), record_patient(personas)

    outcome = document_import(data=cda_for(other), filename="x.xml", origin=DocumentOrigin.UPLOADED, patient=patient)

    assert outcome.quarantined is not None and "autre patient" in outcome.quarantined.reason


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "xxe.xml", "DTD"),
        (
            b'<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<ClinicalDocument xmlns="urn:hl7-org:v3">&b;</ClinicalDocument>',
            "lol.xml",
            "DTD",
        ),
        (b"ceci n'est pas du XML", "faux.xml", "XML"),
        (b"<html>pas un pdf</html>", "faux.pdf", "n'est pas un fichier PDF"),
        (b"<root/>", "autre.xml", "ClinicalDocument"),
    ],
)
def test_bad_files_are_refused_with_a_french_reason_and_nothing_is_stored(personas, data, filename, expected):
    patient = record_patient(personas)

    with pytest.raises(ImportRefused) as refusal:
        document_import(
            data=data, filename=filename, origin=DocumentOrigin.UPLOADED, patient=patient, type_code="11526-1",
            act_date=datetime.date(2026, 1, 5),
        )  # fmt: skip

    assert expected in str(refusal.value)
    assert not Document.objects.exists() and not QuarantinedDocument.objects.exists()


def test_an_oversized_file_is_refused_before_parsing(personas):
    with pytest.raises(ImportRefused, match="trop volumineux"):
        document_import(data=b"%PDF-" + b"0" * 2048, filename="big.pdf", origin=DocumentOrigin.UPLOADED, max_bytes=1024)


def test_a_pdf_is_filed_with_its_type_and_date(personas):
    patient = record_patient(personas)
    pdf, _ = sample_frcp()

    outcome = document_import(
        data=pdf, filename="cr-acp.pdf", origin=DocumentOrigin.UPLOADED, patient=patient, type_code="11526-1",
        act_date=datetime.date(2026, 1, 5),
    )  # fmt: skip

    assert outcome.document.type_label == "CR d'anatomie et de cytologie pathologiques"
    assert outcome.document.validation_status == ValidationStatus.NOT_APPLICABLE


def test_importing_the_same_cda_twice_is_refused(personas):
    patient = record_patient(personas)
    data = cda_for(patient)
    document_import(data=data, filename="a.xml", origin=DocumentOrigin.MIGRATION)

    with pytest.raises(ImportRefused, match="déjà importé"):
        document_import(data=data, filename="a.xml", origin=DocumentOrigin.MIGRATION)


def test_the_bulk_import_reads_a_folder_with_its_manifest(personas, tmp_path, capsys):
    from django.core.management import call_command

    patient = record_patient(personas)
    pdf, _ = sample_frcp()
    folder = tmp_path / "lot"
    folder.mkdir()
    (folder / "frcp.xml").write_bytes(cda_for(patient))
    (folder / "acp.pdf").write_bytes(pdf)
    (folder / "inconnu.pdf").write_bytes(pdf)
    (folder / "faux.pdf").write_bytes(b"pas un pdf")
    (folder / "manifest.csv").write_text(
        "fichier;type;date;titre;ins;ipp;finess\n"
        f"acp.pdf;11526-1;2026-01-05;CR ACP;{patient.ins_matricule};;\n"
        "inconnu.pdf;11526-1;2026-01-05;CR ACP;;IPP-X;860014208\n",
        encoding="utf-8",
    )

    with pytest.raises(SystemExit):
        call_command("import_documents", str(folder))

    out = capsys.readouterr().out
    assert "2 importé(s), 1 en quarantaine, 1 refusé(s)" in out
    assert "n'est pas un fichier PDF" in out
    assert set(Document.objects.values_list("title", flat=True)) == {"CR ACP", "Fiche RCP"}
