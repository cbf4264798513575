"""The HL7 feed's identity writes: every write still logged and traced, in fewer statements; the same refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.models import AccessTrail, CareRelationship
from identity.enums import INS_OID_NIR, ChangeKind, IdentityOrigin, RnivStatus
from identity.feed_services import patient_create_from_feed, patient_validate_from_feed
from identity.models import IdentityChange, LocalIdentifier, Patient
from identity.nir import compute_key
from identity.services import IdentityError
from tests.directory.factories import EstablishmentFactory
from tests.identity.factories import LocalIdentifierFactory, PatientFactory

pytestmark = pytest.mark.django_db

TRAITS = {"birth_name": "D'Alembert", "first_given_name": "Hélène", "given_names": "Hélène Marie", "sex": "F",
          "birth_date": dt.date(1954, 3, 12), "birth_place_code": "86194"}  # fmt: skip
BODY = "2540386194123"
INS = BODY + compute_key(BODY)


def _create(establishment, **kwargs) -> Patient:
    arguments = {"data": TRAITS, "origin": IdentityOrigin.INTEROP, "establishment": establishment,
                 "ipps": ["IPP-A", "IPP-B"], "care_source": "hl7:GAM@CH", "reason": "HL7 ADT^A28 n° 1"}  # fmt: skip
    return patient_create_from_feed(**arguments | kwargs)


def test_a_feed_identity_is_created_with_its_ipps_link_change_lines_and_one_trail_line_per_write():
    establishment = EstablishmentFactory(oid="1.2.250.1.999.1.1")

    with CaptureQueriesContext(connection) as queries:
        patient = _create(establishment, ins_matricule=INS, ins_oid=INS_OID_NIR, rniv_status=RnivStatus.QUALIFIEE)

    assert (patient.birth_name, patient.given_names, patient.ins_matricule) == ("D'ALEMBERT", "HELENE MARIE", INS)
    assert (patient.rniv_status, patient.origin) == (RnivStatus.QUALIFIEE, IdentityOrigin.INTEROP)
    assert sorted(LocalIdentifier.objects.filter(patient=patient).values_list("value", flat=True)) == ["IPP-A", "IPP-B"]
    link = CareRelationship.objects.get(patient=patient)
    assert (link.kind, link.establishment, link.source) == (
        CareRelationshipKind.TREATING_ESTABLISHMENT, establishment, "hl7:GAM@CH"
    )  # fmt: skip
    changes = list(IdentityChange.objects.filter(patient=patient).order_by("pk").values_list("kind", "after"))
    assert changes[0][0] == ChangeKind.CREATE and changes[0][1]["birth_name"] == "D'ALEMBERT"
    assert changes[1:] == [(ChangeKind.IDENTIFIER, {"ipp": "IPP-A", "oid": "1.2.250.1.999.1.1"}),
                           (ChangeKind.IDENTIFIER, {"ipp": "IPP-B", "oid": "1.2.250.1.999.1.1"})]  # fmt: skip
    trail = list(AccessTrail.objects.filter(patient_id=patient.pk).order_by("pk").values_list("action", "object_type"))
    assert trail == [(TrailAction.CREATE, "identity.Patient"), (TrailAction.UPDATE, "identity.LocalIdentifier"),
                     (TrailAction.UPDATE, "identity.LocalIdentifier")]  # fmt: skip
    # One INSERT per table (patient, identifiers, link, change lines, trail lines) inside one savepoint.
    assert len(queries.captured_queries) == 7, [query["sql"][:60] for query in queries.captured_queries]


def test_an_ins_carried_by_another_patient_is_refused_in_french_and_nothing_is_written():
    establishment = EstablishmentFactory()
    PatientFactory(**TRAITS, ins_matricule=INS, ins_oid=INS_OID_NIR, rniv_status=RnivStatus.QUALIFIEE)
    before = Patient.objects.count()

    with pytest.raises(IdentityError, match="porte déjà ce matricule INS"):
        _create(establishment, ins_matricule=INS, ins_oid=INS_OID_NIR, rniv_status=RnivStatus.QUALIFIEE)

    assert Patient.objects.count() == before and not LocalIdentifier.objects.filter(value="IPP-A").exists()


def test_an_ipp_of_another_patient_is_refused_and_nothing_is_written():
    establishment = EstablishmentFactory()
    LocalIdentifierFactory(establishment=establishment, value="IPP-B")
    before = Patient.objects.count()

    with pytest.raises(IdentityError, match="déjà attribué à un autre patient"):
        _create(establishment)

    assert Patient.objects.count() == before and not CareRelationship.objects.exists()


def test_the_create_refusals_of_patient_create_hold():
    establishment = EstablishmentFactory()
    with pytest.raises(IdentityError, match="porte un INS"):
        _create(establishment, rniv_status=RnivStatus.QUALIFIEE)
    with pytest.raises(IdentityError):
        _create(establishment, ins_matricule=INS[:-2] + "00", ins_oid=INS_OID_NIR, rniv_status=RnivStatus.QUALIFIEE)
    assert not Patient.objects.filter(birth_name="D'ALEMBERT").exists()


def test_a_provisional_identity_is_validated_once_and_nothing_else_moves():
    provisional = PatientFactory(rniv_status=RnivStatus.PROVISOIRE)
    qualified = PatientFactory(qualified=True)

    assert patient_validate_from_feed(patient=provisional, source="HL7 A31").rniv_status == RnivStatus.VALIDEE
    assert patient_validate_from_feed(patient=provisional, source="HL7 A31").rniv_status == RnivStatus.VALIDEE
    assert patient_validate_from_feed(patient=qualified, source="HL7 A31").rniv_status == RnivStatus.QUALIFIEE
    assert IdentityChange.objects.filter(patient=provisional, kind=ChangeKind.STATUS).count() == 1
    assert not IdentityChange.objects.filter(patient=qualified, kind=ChangeKind.STATUS).exists()
    assert AccessTrail.objects.filter(patient_id=provisional.pk, action=TrailAction.UPDATE).count() == 1
