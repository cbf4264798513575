"""INSi over real HTTP against the local teleservice: CR 00/01/02, faults, timeouts, decisions."""

import datetime

import pytest
import requests
from lxml import etree

from identity import services
from identity.enums import INS_OID_TEST, ChangeKind, InsiDecision, InsiOperation, ProofDocument, RnivStatus
from identity.insi import client
from identity.insi.standin import TEST_IDENTITIES
from identity.models import InsiLookup
from identity.selectors import compare_traits
from tests.identity.factories import PatientFactory

CORNEBIS = TEST_IDENTITIES[0]
CORSICAN = TEST_IDENTITIES[1]


def _patient(identity, **extra):
    traits = {
        "birth_name": identity.birth_name,
        "first_given_name": identity.given_names.split(" ")[0],
        "given_names": identity.given_names,
        "sex": identity.sex,
        "birth_date": identity.birth_date,
        "birth_place_code": identity.birth_place_code,
    }
    return PatientFactory(**{**traits, **extra})


def test_the_teleservice_serves_its_wsdl(insi):
    response = requests.get(insi + "?wsdl", timeout=5)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.get("name") == "DESIR_ICIR_EXP_1.5.0"
    assert root.find(".//{http://schemas.xmlsoap.org/wsdl/soap12/}address").get("location") == insi


def test_cr_00_one_identity_with_accents_and_case_ignored(insi):
    result = client.search_by_traits(
        birth_name="Cornébis", first_given_name="hélène", sex="F", birth_date=CORNEBIS.birth_date
    )
    assert result.code == client.CR_FOUND
    assert result.identity.matricule == CORNEBIS.matricule and result.identity.oid == INS_OID_TEST
    assert result.identity.given_names == "HELENE MARIE" and result.identity.first_given_name == "HELENE"
    assert result.identity.birth_place_code == "86194"


def test_corsica_born_identity_and_hyphenated_names(insi):
    result = client.search_by_traits(
        birth_name="Orsini Acquaviva", first_given_name="Jean-Baptiste", sex="M", birth_date=CORSICAN.birth_date
    )
    assert result.code == "00" and result.identity.matricule[5:7] == "2A"


def test_cr_01_no_identity(insi):
    result = client.search_by_traits(
        birth_name="INCONNU", first_given_name="PERSONNE", sex="M", birth_date=datetime.date(1970, 1, 1)
    )
    assert (result.code, result.identity) == ("01", None)
    assert result.label == "Aucune identité trouvée"


def test_cr_02_several_identities_then_birth_place_decides(insi):
    traits = {
        "birth_name": "MARTINEAU",
        "first_given_name": "CLAUDE",
        "sex": "F",
        "birth_date": datetime.date(1950, 5, 5),
    }
    several = client.search_by_traits(**traits)
    assert (several.code, several.identity) == ("02", None)
    one = client.search_by_traits(**traits, birth_place_code="79191")
    assert one.code == "00" and one.identity.birth_place_code == "79191"


def test_vitale_search(insi):
    result = client.search_by_vitale(nir=CORNEBIS.matricule, birth_date=CORNEBIS.birth_date)
    assert result.code == "00" and result.identity.birth_name == "CORNEBIS"
    assert client.search_by_vitale(nir=CORNEBIS.matricule, birth_date=datetime.date(1954, 3, 13)).code == "01"
    with pytest.raises(client.InsiError, match="clé"):
        client.search_by_vitale(nir=CORNEBIS.matricule[:-2] + "00", birth_date=CORNEBIS.birth_date)


def test_soap_fault_becomes_a_french_error(insi):
    with pytest.raises(client.InsiError, match="refusé la demande : Erreur technique"):
        client.search_by_traits(
            birth_name="ERREURSOAP", first_given_name="X", sex="F", birth_date=datetime.date(1970, 1, 1)
        )


def test_timeout_becomes_a_french_error(insi, settings):
    settings.INSI_TIMEOUT = 1
    with pytest.raises(client.InsiError, match="pas répondu à temps"):
        client.search_by_traits(
            birth_name="LENTEUR", first_given_name="X", sex="F", birth_date=datetime.date(1970, 1, 1)
        )


def test_unreachable_service_and_missing_configuration(settings):
    settings.INSI_URL = "http://127.0.0.1:9/insi"
    with pytest.raises(client.InsiError, match="injoignable"):
        client.search_by_traits(birth_name="A", first_given_name="B", sex="F", birth_date=datetime.date(1970, 1, 1))
    settings.INSI_URL = ""
    with pytest.raises(client.InsiError, match="pas configuré"):
        client.search_by_traits(birth_name="A", first_given_name="B", sex="F", birth_date=datetime.date(1970, 1, 1))


def test_the_request_carries_the_contexts_and_ws_addressing(insi):
    from identity.insi.standin import SoapFault, answer

    envelope = b"""<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body/></s:Envelope>"""
    with pytest.raises(SoapFault, match="Contexte BAM absent"):
        answer(envelope)
    # The real client passes the teleservice's header checks (else the calls above would fault).
    zeep_client = client._client()
    message = zeep_client.create_message(
        zeep_client.create_service(client.BINDING, insi),
        "rechercherInsAvecTraitsIdentite", NomNaissance="A", Prenom="B", Sexe="F", DateNaissance="1970-01-01",
        _soapheaders=client._headers(None),
    )  # fmt: skip
    xml = etree.tostring(message).decode()
    assert "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite" in xml  # wsa:Action
    assert 'Version="01_02"' in xml and 'Version="01_00"' in xml and 'R="4"' in xml


def test_the_lps_certificate_settings_reach_the_session(settings):
    settings.INSI_CERT_FILE, settings.INSI_KEY_FILE, settings.INSI_CA_BUNDLE = "/c.pem", "/k.pem", "/ca.pem"
    session = client._session()
    assert session.cert == ("/c.pem", "/k.pem") and session.verify == "/ca.pem"


@pytest.mark.django_db
def test_accepting_a_matching_result_retrieves_then_a_document_qualifies(insi, personas):
    user = personas["doctor"]
    patient = _patient(CORNEBIS, birth_name="Cornébis", given_names="HELENE MARIE")
    result = client.search_by_traits(
        birth_name=patient.birth_name, first_given_name=patient.first_given_name, sex=patient.sex,
        birth_date=patient.birth_date,
    )  # fmt: skip
    lookup = services.insi_lookup_record(patient=patient, user=user, operation=InsiOperation.TRAITS, result=result)
    rows = {row.name: row.verdict for row in compare_traits(patient, lookup.traits)}
    assert rows["birth_name"] == "normalised" and rows["sex"] == "same"
    services.insi_result_accept(lookup=lookup, user=user)
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.RECUPEREE
    assert (patient.ins_matricule, patient.ins_oid, patient.birth_name) == (
        CORNEBIS.matricule,
        INS_OID_TEST,
        "CORNEBIS",
    )
    change = patient.identity_changes.get(kind=ChangeKind.INSI_ACCEPT)
    assert change.before["birth_name"] == "Cornébis" and change.after["ins_matricule"] == CORNEBIS.matricule
    with pytest.raises(services.IdentityError, match="déjà été traité"):
        services.insi_result_accept(lookup=lookup, user=user)
    services.identity_proof_record(patient=patient, user=user, document=ProofDocument.CNI)
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.QUALIFIEE


@pytest.mark.django_db
def test_accepting_with_a_document_already_seen_qualifies_directly(insi, personas):
    patient = _patient(CORSICAN, validated=True)
    result = client.search_by_traits(
        birth_name=patient.birth_name, first_given_name=patient.first_given_name, sex=patient.sex,
        birth_date=patient.birth_date, birth_place_code=patient.birth_place_code,
    )  # fmt: skip
    lookup = services.insi_lookup_record(patient=patient, user=personas["doctor"], operation="traits", result=result)
    services.insi_result_accept(lookup=lookup, user=personas["doctor"])
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.QUALIFIEE


@pytest.mark.django_db
def test_rejecting_keeps_the_identity_and_needs_a_reason(insi, personas):
    patient = _patient(CORNEBIS)
    result = client.search_by_vitale(nir=CORNEBIS.matricule, birth_date=CORNEBIS.birth_date)
    lookup = services.insi_lookup_record(patient=patient, user=personas["doctor"], operation="vitale", result=result)
    with pytest.raises(services.IdentityError, match="pourquoi"):
        services.insi_result_reject(lookup=lookup, user=personas["doctor"], reason="")
    services.insi_result_reject(lookup=lookup, user=personas["doctor"], reason="Pas la même personne")
    patient.refresh_from_db()
    lookup.refresh_from_db()
    assert patient.rniv_status == RnivStatus.PROVISOIRE and patient.ins_matricule == ""
    assert lookup.decision == InsiDecision.REJECTED


@pytest.mark.django_db
def test_an_ins_already_carried_by_another_identity_is_refused(insi, personas):
    _patient(CORNEBIS, with_ins=True, ins_matricule=CORNEBIS.matricule, rniv_status=RnivStatus.RECUPEREE)
    twin = _patient(CORNEBIS)
    result = client.search_by_vitale(nir=CORNEBIS.matricule, birth_date=CORNEBIS.birth_date)
    lookup = services.insi_lookup_record(patient=twin, user=personas["doctor"], operation="vitale", result=result)
    with pytest.raises(services.IdentityError, match="doublon"):
        services.insi_result_accept(lookup=lookup, user=personas["doctor"])
    twin.refresh_from_db()
    assert twin.ins_matricule == "" and InsiLookup.objects.get(pk=lookup.pk).decision == InsiDecision.PENDING


def test_mutual_tls_with_the_organisation_certificate(settings, insi_tls_standin):
    tls = insi_tls_standin
    settings.INSI_URL, settings.INSI_CA_BUNDLE, settings.INSI_TIMEOUT = tls["url"], tls["ca"], 5
    settings.INSI_CERT_FILE, settings.INSI_KEY_FILE = tls["client_cert"], tls["client_key"]
    result = client.search_by_vitale(nir=CORNEBIS.matricule, birth_date=CORNEBIS.birth_date)
    assert result.code == "00"
    # Without the client certificate the teleservice closes the connection: a French error.
    settings.INSI_CERT_FILE = settings.INSI_KEY_FILE = ""
    with pytest.raises(client.InsiError, match=r"certificat|injoignable"):
        client.search_by_vitale(nir=CORNEBIS.matricule, birth_date=CORNEBIS.birth_date)
    # An unknown server certificate authority is refused too.
    settings.INSI_CERT_FILE, settings.INSI_KEY_FILE, settings.INSI_CA_BUNDLE = tls["client_cert"], tls["client_key"], ""
    with pytest.raises(client.InsiError, match="certificat"):
        client.search_by_vitale(nir=CORNEBIS.matricule, birth_date=CORNEBIS.birth_date)
