"""The region-decade generator (bench/decade.py) at a small scale, so it cannot rot."""

import pytest
from django.db import connection

from bench.decade import FULL, generate
from dcc.records.models import AccessTrail, Document
from identity.models import Patient
from identity.selectors import visible_patients
from rcp.models import Dossier, Fiche, Session
from tests.rcp.factories import RcpFactory

pytestmark = pytest.mark.django_db

TABLES = ("identity_patient", "rcp_dossier", "rcp_fiche", "records_document", "records_accesstrail")

SCALE = 0.0002  # 108 patients, 220 dossiers and fiches, 400 documents, 4,000 trail lines


def _indexes_and_foreign_keys() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s) UNION "
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [list(TABLES), list(TABLES)],
        )
        return set(cursor.fetchall())


def test_the_decade_generator_inserts_consistent_rows(personas):
    RcpFactory(establishment=personas.hospital)
    before = {model: model.objects.count() for model in (Patient, Dossier, Fiche, Document, AccessTrail, Session)}
    structure = _indexes_and_foreign_keys()
    lines = []

    # rebuild_from=0: every table takes the path of the full scale (indexes and foreign keys dropped, rebuilt).
    rows = generate(SCALE, out=lines.append, rebuild_from=0)

    assert rows["patients"] == int(FULL["patients"] * SCALE)
    assert Patient.objects.count() - before[Patient] == rows["patients"]
    assert Dossier.objects.count() - before[Dossier] == rows["dossiers"] == Fiche.objects.count() - before[Fiche]
    assert Document.objects.count() - before[Document] == rows["documents"]
    assert AccessTrail.objects.count() - before[AccessTrail] == rows["traces d'accès"]
    assert Session.objects.count() - before[Session] == rows["séances"]
    assert any("traces d'accès" in line for line in lines)
    # Rows are usable: generated search columns filled, fiches readable, a new row gets the next id.
    patient = Patient.objects.order_by("-pk").first()
    assert Patient.objects.filter(pk=patient.pk, name_norm__isnull=False).exists()
    assert Fiche.objects.order_by("-pk").first().treatments[0]["code"] == "CHIR"
    with Document.objects.order_by("-pk").first().pdf_file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('identity_patient', 'id'))")
        assert cursor.fetchone()[0] > patient.pk
    assert visible_patients(personas["doctor"]).count() >= 0
    assert _indexes_and_foreign_keys() == structure
    assert any(name.endswith("_fk_identity_patient_id") for name, _definition in structure)


def test_the_decade_generator_appends_to_a_database_it_already_filled(personas):
    RcpFactory(establishment=personas.hospital)
    generate(SCALE / 2, out=lambda line: None)
    documents = Document.objects.count()

    rows = generate(SCALE / 2, out=lambda line: None)  # unique ids, document ids and version sets again

    assert Document.objects.count() == documents + rows["documents"]
