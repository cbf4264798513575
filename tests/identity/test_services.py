"""RNIV status rules, the identity-change log, locked traits, and the refusal of bad input."""

import datetime

import pytest

from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.models import AccessTrail, CareRelationship
from identity import services
from identity.enums import INS_OID_TEST, ChangeKind, IdentityOrigin, ProofDocument, RnivStatus
from identity.models import IdentityChange, Patient
from tests.identity.factories import PatientFactory, make_nir

pytestmark = pytest.mark.django_db

TRAITS = {
    "birth_name": "Lefèvre-Dubois",
    "first_given_name": "",
    "given_names": "Émilie Rose",
    "sex": "F",
    "birth_date": datetime.date(1968, 4, 2),
    "birth_place_code": "2a004",
}


def test_creation_normalises_traits_logs_traces_and_links_the_creator(personas):
    user = personas["doctor"]
    patient = services.patient_create(user=user, data={**TRAITS, "birth_place_code": "2A004"})
    assert (patient.birth_name, patient.first_given_name, patient.given_names) == (
        "LEFEVRE-DUBOIS", "EMILIE", "EMILIE ROSE",
    )  # fmt: skip
    assert patient.rniv_status == RnivStatus.PROVISOIRE and patient.origin == IdentityOrigin.UI
    assert patient.identity_changes.get().kind == ChangeKind.CREATE
    assert AccessTrail.objects.filter(patient_id=patient.pk, action=TrailAction.CREATE, user=user).exists()
    kinds = set(CareRelationship.objects.filter(patient=patient).values_list("kind", "user", "establishment"))
    assert kinds == {
        (CareRelationshipKind.IDENTITY_CREATOR, user.pk, None),
        (CareRelationshipKind.TREATING_ESTABLISHMENT, None, personas.hospital.pk),
    }


def test_creator_without_a_single_establishment_gets_only_the_creator_link(personas):
    patient = services.patient_create(user=personas["secretary_3c"], data=dict(TRAITS, birth_place_code="2A004"))
    assert list(CareRelationship.objects.filter(patient=patient).values_list("kind", flat=True)) == [
        CareRelationshipKind.IDENTITY_CREATOR
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"birth_name": ""}, "birth_name", "nom de naissance est obligatoire"),
        ({"sex": "X"}, "sex", "Le sexe"),
        ({"birth_date": datetime.date(2999, 1, 1)}, "birth_date", "futur"),
        ({"birth_place_code": "8619"}, "birth_place_code", "code INSEE"),
        ({"first_given_name": "ROSE"}, "given_names", "commencer par le premier prénom"),
    ],
)
def test_bad_traits_are_refused_and_nothing_is_written(personas, change, field, message):
    with pytest.raises(services.IdentityError) as error:
        services.patient_create(user=personas["doctor"], data={**TRAITS, "birth_place_code": "86194", **change})
    assert message in " ".join(error.value.message_dict[field])
    assert not Patient.objects.exists() and not AccessTrail.objects.exists()


def test_interop_creation_checks_the_ins_against_the_traits(personas):
    data = {**TRAITS, "birth_place_code": "86194"}
    wrong_sex = make_nir(sex="M", birth_date=data["birth_date"])
    with pytest.raises(services.IdentityError, match="sexe masculin"):
        services.patient_create(
            user=None, data=data, origin=IdentityOrigin.INTEROP, ins_matricule=wrong_sex, ins_oid=INS_OID_TEST,
            rniv_status=RnivStatus.RECUPEREE,
        )  # fmt: skip
    with pytest.raises(services.IdentityError, match="clé"):
        services.patient_create(user=None, data=data, ins_matricule="268049940000100", ins_oid=INS_OID_TEST)
    with pytest.raises(services.IdentityError, match="porte un INS"):
        services.patient_create(user=None, data=data, rniv_status=RnivStatus.QUALIFIEE)
    good = make_nir(sex="F", birth_date=data["birth_date"])
    patient = services.patient_create(
        user=None, data=data, origin=IdentityOrigin.INTEROP, ins_matricule=good, ins_oid=INS_OID_TEST,
        rniv_status=RnivStatus.RECUPEREE,
    )  # fmt: skip
    assert patient.ins_matricule == good
    with pytest.raises(services.IdentityError, match="déjà ce matricule"):
        services.patient_create(user=None, data=data, ins_matricule=good, ins_oid=INS_OID_TEST)
    assert Patient.objects.count() == 1


def test_high_trust_document_validates_a_provisional_identity(personas):
    patient = PatientFactory()
    user = personas["doctor"]
    services.identity_proof_record(patient=patient, user=user, document=ProofDocument.FAMILY_BOOK)
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.PROVISOIRE  # low trust: recorded, no validation
    services.identity_proof_record(patient=patient, user=user, document=ProofDocument.PASSPORT)
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.VALIDEE and patient.proof_checked_by == user
    status_change = patient.identity_changes.filter(kind=ChangeKind.STATUS).get()
    assert status_change.before == {"rniv_status": "provisoire"} and status_change.after == {"rniv_status": "validee"}
    assert status_change.user == user and status_change.reason


def test_high_trust_document_after_insi_qualifies(personas):
    patient = PatientFactory(retrieved=True)
    services.identity_proof_record(patient=patient, user=personas["doctor"], document=ProofDocument.CNI)
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.QUALIFIEE


def test_unknown_document_is_refused(personas):
    with pytest.raises(services.IdentityError, match="justificatif"):
        services.identity_proof_record(patient=PatientFactory(), user=personas["doctor"], document="permis")


@pytest.mark.parametrize("status", [RnivStatus.RECUPEREE, RnivStatus.QUALIFIEE])
def test_strict_traits_of_an_insi_identity_are_locked(personas, status):
    patient = PatientFactory(retrieved=status == RnivStatus.RECUPEREE, qualified=status == RnivStatus.QUALIFIEE)
    with pytest.raises(services.IdentityError, match="nouvel appel au téléservice INSi"):
        services.patient_update(patient=patient, user=personas["doctor"], data={"birth_name": "AUTRE"}, reason="x")
    patient.refresh_from_db()
    assert patient.birth_name.startswith("TESTPATIENT") and not patient.identity_changes.exists()
    # Used name and contact details remain editable.
    services.patient_update(
        patient=patient, user=personas["doctor"], data={"used_name": "Épouse", "phone": "0549000000"}, reason="mariage"
    )
    patient.refresh_from_db()
    assert patient.used_name == "EPOUSE" and patient.rniv_status == status
    change = patient.identity_changes.get()
    assert change.before == {"used_name": "", "phone": ""} and change.after == {
        "used_name": "EPOUSE",
        "phone": "0549000000",
    }


def test_editing_a_strict_trait_of_a_validated_identity_returns_it_to_provisional(personas):
    patient = PatientFactory(validated=True)
    services.patient_update(
        patient=patient, user=personas["doctor"], data={"birth_name": "Nouveau"}, reason="erreur de saisie"
    )
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.PROVISOIRE and patient.proof_document == ""
    change = IdentityChange.objects.get(patient=patient)
    assert change.after["rniv_status"] == "provisoire" and change.after["birth_name"] == "NOUVEAU"


def test_an_edit_needs_a_reason(personas):
    with pytest.raises(services.IdentityError, match="motif"):
        services.patient_update(patient=PatientFactory(), user=personas["doctor"], data={"phone": "1"}, reason=" ")


def test_downgrade_needs_a_reason_and_is_logged(personas):
    patient = PatientFactory(qualified=True)
    with pytest.raises(services.IdentityError):
        services.identity_downgrade(patient=patient, user=personas["doctor"], reason="")
    services.identity_downgrade(patient=patient, user=personas["doctor"], reason="identité douteuse")
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.PROVISOIRE
    assert patient.identity_changes.get(kind=ChangeKind.STATUS).reason == "identité douteuse"


def test_local_identifier_is_unique_per_establishment(personas):
    first, second = PatientFactory(), PatientFactory()
    user = personas["doctor"]
    services.local_identifier_add(patient=first, user=user, establishment=personas.hospital, value="123")
    assert services.local_identifier_add(patient=first, user=user, establishment=personas.hospital, value="123")
    with pytest.raises(services.IdentityError, match="déjà attribué"):
        services.local_identifier_add(patient=second, user=user, establishment=personas.hospital, value="123")
    services.local_identifier_add(patient=second, user=user, establishment=personas.other_hospital, value="123")
    assert first.local_identifiers.count() == 1 and second.local_identifiers.count() == 1
