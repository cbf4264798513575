"""Identity feed over a real MLLP socket: A28/A31/A40/A47 with the RNIV rules."""

from __future__ import annotations

import datetime as dt

import pytest

from dcc.records.models import AccessTrail
from identity.enums import ChangeKind, IdentityOrigin, RnivStatus
from identity.models import LocalIdentifier, Patient
from identity.nir import compute_key
from identity.selectors import identity_creators
from interop.hl7.enums import MessageOutcome, VigilanceKind
from interop.hl7.models import Message, VigilanceItem
from tests.identity.factories import PatientFactory
from tests.interop.hl7.conftest import ack_fields, adt

pytestmark = pytest.mark.django_db(transaction=True)


def nir(body: str) -> str:
    return body + compute_key(body)


def test_a28_creates_a_qualified_identity_counted_as_interop(mllp, partner):
    ins = nir("2540386194123")
    ack = mllp.send(adt("A28", ins=ins, control_id="A28-1"))

    fields = ack_fields(ack)
    assert fields["MSA"][1:3] == ["AA", "A28-1"]
    assert fields["MSH"][8] == "ACK^A28^ACK"
    patient = Patient.objects.get(ins_matricule=ins)
    assert (patient.birth_name, patient.first_given_name, patient.given_names) == ("DUPONT", "MARIE", "MARIE CLAIRE")
    assert patient.birth_date == dt.date(1954, 3, 12) and patient.sex == "F" and patient.birth_place_code == "86194"
    assert patient.rniv_status == RnivStatus.QUALIFIEE  # PAM-FR 2.11: VALI with an INS
    assert patient.origin == IdentityOrigin.INTEROP
    assert LocalIdentifier.objects.get(patient=patient).value == "IPP001"
    assert patient.care_relationships.filter(establishment=partner.establishment).exists()
    stored = Message.objects.get(control_id="A28-1")
    assert stored.partner == partner and stored.message_type == "ADT^A28" and stored.ack == ack
    assert stored.outcome == MessageOutcome.PROCESSED and stored.patient == patient
    assert {row["origin_label"] for row in identity_creators()} == {"Interopérabilité"}


@pytest.mark.parametrize(
    ("body", "place"),
    [("168032A004123", "2A004"), ("272052B033456", "2B033"), ("1890599350012", "99350")],
    ids=["corse-du-sud", "haute-corse", "ne-a-l-etranger"],
)
def test_corsica_and_foreign_born_ins(mllp, partner, body, place):
    ins = nir(body)
    year = 1900 + int(body[1:3])
    sex = "M" if body[0] == "1" else "F"
    ack = mllp.send(adt("A28", ins=ins, sex=sex, birth_date=f"{year}{body[3:5]}15", birth_place=place,
                          first="JEAN" if sex == "M" else "ANNE", given="JEAN" if sex == "M" else "ANNE",
                          ipp=f"IPP-{body}"))  # fmt: skip

    assert ack_fields(ack)["MSA"][1] == "AA", ack
    patient = Patient.objects.get(ins_matricule=ins)
    assert patient.birth_place_code == place


def test_accents_and_apostrophes_in_latin1_and_utf8(mllp, partner):
    ack = mllp.send(adt("A28", birth_name="D'ALEMBERT-NOËL", first="Hélène", given="Hélène Françoise",
                          used_name="L'Hôte", ipp="IPP-ACC"))  # fmt: skip
    assert ack_fields(ack)["MSA"][1] == "AA", ack
    patient = Patient.objects.get(local_identifiers__value="IPP-ACC")
    assert patient.birth_name == "D'ALEMBERT-NOEL"
    assert patient.given_names == "HELENE FRANCOISE" and patient.used_name == "L'HOTE"

    latin = adt("A28", birth_name="CÔTÉ", first="Zoé", given="Zoé", ipp="IPP-LAT").replace("UNICODE UTF-8", "8859/1")
    ack = mllp.send(latin, encoding="latin-1")
    assert ack_fields(ack)["MSA"][1] == "AA", ack
    assert Patient.objects.get(local_identifiers__value="IPP-LAT").birth_name == "COTE"


def test_a31_updates_a_provisional_identity_but_never_a_qualified_one(mllp, partner, establishment):
    provisional = PatientFactory(birth_name="MARTIN", first_given_name="MARIE", given_names="MARIE")
    LocalIdentifier.objects.create(patient=provisional, establishment=establishment, value="IPP-P")
    ack = mllp.send(adt("A31", ipp="IPP-P", birth_name="MARTINS", used_name="DURAND", reliability="PROV"))
    assert ack_fields(ack)["MSA"][1] == "AA", ack
    provisional.refresh_from_db()
    assert (provisional.birth_name, provisional.used_name) == ("MARTINS", "DURAND")

    qualified = PatientFactory(qualified=True, birth_name="BERNARD", first_given_name="MARIE", given_names="MARIE")
    LocalIdentifier.objects.create(patient=qualified, establishment=establishment, value="IPP-Q")
    ack = mllp.send(adt("A31", ipp="IPP-Q", ins=qualified.ins_matricule, birth_name="BERNARDO",
                          given="MARIE", reliability="PROV"))  # fmt: skip
    fields = ack_fields(ack)
    assert fields["MSA"][1] == "AE"
    assert fields["ERR"][3].startswith("207^") and fields["ERR"][5].startswith("904^")
    assert "identitovigilance" in fields["ERR"][8]
    qualified.refresh_from_db()
    assert qualified.birth_name == "BERNARD" and qualified.rniv_status == RnivStatus.QUALIFIEE
    item = VigilanceItem.objects.get(patient=qualified)
    assert item.kind == VigilanceKind.LOCKED_IDENTITY


def test_an_ins_carried_by_another_patient_goes_to_the_vigilance_queue(mllp, partner, establishment):
    holder = PatientFactory(qualified=True, birth_name="LEROY", first_given_name="CLAUDE", given_names="CLAUDE")
    ack = mllp.send(adt("A28", ipp="IPP-X", ins=holder.ins_matricule, birth_name="ROUX", first="CLAUDE",
                          given="CLAUDE"))  # fmt: skip
    assert ack_fields(ack)["MSA"][1] == "AE"
    assert not Patient.objects.filter(birth_name="ROUX").exists()
    item = VigilanceItem.objects.get()
    assert item.kind == VigilanceKind.INS_TRAITS and item.patient == holder
    assert item.received["nom_de_naissance"] == "ROUX"


def test_an_ins_disagreeing_with_the_traits_is_not_applied(mllp, partner):
    ins = nir("1540386194123")  # a man's NIR
    ack = mllp.send(adt("A28", ins=ins, sex="F", ipp="IPP-S"))
    fields = ack_fields(ack)
    assert fields["MSA"][1] == "AE" and "sexe" in fields["ERR"][8]
    assert not Patient.objects.filter(ins_matricule=ins).exists()
    assert VigilanceItem.objects.filter(kind=VigilanceKind.INS_TRAITS, ins_matricule=ins).exists()


def test_invalid_nir_key_gets_an_ae(mllp, partner):
    body = "2540386194123"
    wrong = body + f"{(int(compute_key(body)) + 1) % 97:02d}"
    fields = ack_fields(mllp.send(adt("A28", ins=wrong, ipp="IPP-K")))
    assert fields["MSA"][1] == "AE"
    assert fields["ERR"][3].startswith("102^") and "clé" in fields["ERR"][8]
    assert not Patient.objects.filter(local_identifiers__value="IPP-K").exists()
    assert Message.objects.get(control_id=fields["MSA"][2]).error_code == "102"


def test_a40_merges_two_identities_that_both_have_dossiers(mllp, partner, establishment):
    from dcc.records.models import CareRelationship

    kept = PatientFactory(birth_name="PETIT", first_given_name="LUC", given_names="LUC", sex="M")
    absorbed = PatientFactory(birth_name="PETIT", first_given_name="LUC", given_names="LUC", sex="M")
    LocalIdentifier.objects.create(patient=kept, establishment=establishment, value="IPP-K1")
    LocalIdentifier.objects.create(patient=absorbed, establishment=establishment, value="IPP-A1")
    from tests.rcp.factories import DossierFactory

    DossierFactory(patient=kept)
    moved = DossierFactory(patient=absorbed)
    CareRelationship.objects.create(patient=absorbed, kind="treating_establishment", establishment=establishment)

    ack = mllp.send(adt("A40", ipp="IPP-K1", birth_name="PETIT", first="LUC", given="LUC", sex="M",
                          reliability="PROV", mrg="IPP-A1"))  # fmt: skip

    assert ack_fields(ack)["MSA"][1] == "AA", ack
    absorbed.refresh_from_db()
    moved.refresh_from_db()
    assert absorbed.merged_into == kept
    assert moved.patient == kept
    assert kept.merges_kept.get().source == "HL7 A40"


def test_a47_changes_the_ipp(mllp, partner, establishment):
    patient = PatientFactory()
    LocalIdentifier.objects.create(patient=patient, establishment=establishment, value="OLD-1")
    ack = mllp.send(adt("A47", ipp="NEW-1", birth_name=patient.birth_name, first="CLAUDE", given="CLAUDE MARIE",
                          mrg="OLD-1"))  # fmt: skip
    assert ack_fields(ack)["MSA"][1] == "AA", ack
    assert LocalIdentifier.objects.get(patient=patient).value == "NEW-1"
    unknown = ack_fields(mllp.send(adt("A47", ipp="NEW-2", mrg="NOPE")))
    assert unknown["MSA"][1] == "AE" and unknown["ERR"][5].startswith("902^")


def test_a31_without_ins_validates_a_provisional_identity_and_never_lowers_one(mllp, partner, establishment):
    provisional = PatientFactory(birth_name="MARTIN", first_given_name="MARIE", given_names="MARIE CLAIRE",
                                 sex="F", birth_date=dt.date(1954, 3, 12), birth_place_code="86194")  # fmt: skip
    LocalIdentifier.objects.create(patient=provisional, establishment=establishment, value="IPP-NOINS")
    fields = ack_fields(mllp.send(adt("A31", ipp="IPP-NOINS", birth_name="MARTIN", reliability="VALI")))
    assert fields["MSA"][1] == "AA", fields
    provisional.refresh_from_db()
    assert provisional.rniv_status == RnivStatus.VALIDEE and provisional.ins_matricule == ""
    change = provisional.identity_changes.get(kind=ChangeKind.STATUS)
    assert (change.before, change.after) == ({"rniv_status": "provisoire"}, {"rniv_status": "validee"})
    assert "A31" in change.reason
    assert AccessTrail.objects.filter(patient_id=provisional.pk, detail="statut").exists()
    assert "statut validée" in Message.objects.get(control_id=fields["MSA"][2]).summary

    # PROV from the sender afterwards: the identity stays validée (the feed never lowers a status).
    fields = ack_fields(mllp.send(adt("A31", ipp="IPP-NOINS", birth_name="MARTIN", reliability="PROV")))
    assert fields["MSA"][1] == "AA", fields
    provisional.refresh_from_db()
    assert provisional.rniv_status == RnivStatus.VALIDEE

    # A qualified identity sent without its INS keeps its INS and its status.
    qualified = PatientFactory(qualified=True, birth_name="BERNARD", first_given_name="MARIE", given_names="MARIE")
    LocalIdentifier.objects.create(patient=qualified, establishment=establishment, value="IPP-Q-NOINS")
    fields = ack_fields(mllp.send(adt("A31", ipp="IPP-Q-NOINS", birth_name="BERNARD", given="MARIE",
                                      birth_date=f"{qualified.birth_date:%Y%m%d}", sex=qualified.sex,
                                      birth_place=qualified.birth_place_code, used_name="DURAND",
                                      reliability="VALI")))  # fmt: skip
    assert fields["MSA"][1] == "AA", fields
    qualified.refresh_from_db()
    assert qualified.rniv_status == RnivStatus.QUALIFIEE and qualified.ins_matricule and qualified.used_name == "DURAND"


def test_a31_without_ins_for_an_unknown_patient_creates_it_without_ins(mllp, partner):
    fields = ack_fields(mllp.send(adt("A31", ipp="IPP-NEW-NOINS", birth_name="O'NEIL", first="ÉLODIE",
                                      given="ÉLODIE", reliability="VALI")))  # fmt: skip
    assert fields["MSA"][1] == "AA", fields
    patient = Patient.objects.get(local_identifiers__value="IPP-NEW-NOINS")
    assert (patient.birth_name, patient.first_given_name) == ("O'NEIL", "ELODIE")
    assert patient.rniv_status == RnivStatus.VALIDEE and patient.ins_matricule == ""
    assert patient.origin == IdentityOrigin.INTEROP


def test_the_feed_statement_budget_holds_and_the_update_reads_its_patient_once_locked(partner):
    """A28 creating an identity: 10 statements; A31 updating it: 8 (docs/hl7.md « Benchmark »). The A31 reads the
    patient once, FOR UPDATE, with the INS lookup in the same statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from interop.hl7.processing import process

    ins = nir("2540386194012")
    with CaptureQueriesContext(connection) as created:
        assert process(adt("A28", ipp="IPP-BUDGET", ins=ins).encode()).code == "AA"
    with CaptureQueriesContext(connection) as updated:
        assert process(adt("A31", ipp="IPP-BUDGET", ins=ins, used_name="DURAND").encode()).code == "AA"
    assert len(created.captured_queries) <= 10, [q["sql"][:80] for q in created.captured_queries]
    assert len(updated.captured_queries) <= 8, [q["sql"][:80] for q in updated.captured_queries]
    reads = [q["sql"] for q in updated.captured_queries if "identity_patient" in q["sql"] and "SELECT" in q["sql"]]
    assert len(reads) == 1 and "FOR UPDATE" in reads[0] and "UNION ALL" in reads[0]
    assert not any("SAVEPOINT" in q["sql"] for q in created.captured_queries + updated.captured_queries)
    patient = Patient.objects.get(local_identifiers__value="IPP-BUDGET")
    assert patient.used_name == "DURAND" and patient.ins_matricule == ins
    assert AccessTrail.objects.filter(patient_id=patient.pk).count() == 3  # creation, its IPP, the update
