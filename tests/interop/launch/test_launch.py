"""The contextual launch: a DPI's signed link logs the user in and lands on the patient; every bad
link is refused with a French page and a trail line, and logs nobody in."""

from __future__ import annotations

import datetime
import html
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from dcc.accounts.enums import ConnectionMethod
from dcc.records.enums import TrailAction
from dcc.records.models import AccessTrail
from dcc.records.selectors import connection_statistics
from interop.launch.enums import KeyAlgorithm, LaunchTarget
from interop.launch.models import Launch
from interop.launch.services import launch_key_revoke
from tests.accounts.factories import UserFactory
from tests.directory.factories import ProfessionalFactory
from tests.identity.factories import LocalIdentifierFactory, PatientFactory
from tests.interop.launch.factories import launch_url, signing_key

pytestmark = pytest.mark.django_db


def _logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def _refused(client, token: str, *, status: int = 403) -> str:
    """Open the link; assert a French refusal page, nobody logged in, and return the trail detail."""
    before = AccessTrail.objects.filter(action=TrailAction.LOGIN_FAILED).count()
    response = client.get(launch_url(token))
    assert response.status_code == status
    page = html.unescape(response.content.decode())
    assert "Le DCC n'a pas pu s'ouvrir depuis le dossier patient de votre établissement" in page
    assert _logged_in_user_id(client) is None
    lines = AccessTrail.objects.filter(action=TrailAction.LOGIN_FAILED).order_by("-id")
    assert lines.count() == before + 1
    assert lines[0].detail.startswith("Appel contextuel refusé : ")
    return page, lines[0].detail


def test_a_valid_launch_logs_the_doctor_in_on_the_patient_page(client, world):
    response = client.get(launch_url(world.token()))

    assert response.status_code == 302
    assert response["Location"] == reverse("identity:detail", args=[world.patient.pk])
    assert str(_logged_in_user_id(client)) == str(world.doctor.pk)
    assert client.session["dcc_connection_method"] == ConnectionMethod.CONTEXTUAL
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert world.patient.display_name in page.content.decode()
    login = AccessTrail.objects.filter(action=TrailAction.LOGIN, user=world.doctor).get()
    assert login.connection_method == ConnectionMethod.CONTEXTUAL
    read = AccessTrail.objects.filter(action=TrailAction.READ, patient_id=world.patient.pk).latest("id")
    assert read.connection_method == ConnectionMethod.CONTEXTUAL
    launch = Launch.objects.get()
    assert (launch.user, launch.patient, launch.outcome) == (world.doctor, world.patient, "accepté")


def test_contextual_logins_are_counted_in_the_connection_statistics(client, world):
    client.get(launch_url(world.token()))

    stats = connection_statistics(start=timezone.localdate(), end=timezone.localdate())

    rows = {row.key: row for row in stats.by_method}
    assert rows[ConnectionMethod.CONTEXTUAL].logins == 1
    assert rows[ConnectionMethod.CONTEXTUAL].users == 1
    assert rows[ConnectionMethod.CONTEXTUAL].label == "Appel contextuel"


def test_a_launch_on_new_request_lands_on_the_registration_for_that_patient(client, world):
    response = client.get(launch_url(world.token(target=LaunchTarget.DEMANDE_AVIS)))

    assert response.status_code == 302
    assert response["Location"] == reverse("rcp:dossier_new", args=[world.patient.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"Nouvelle demande d'avis pour {world.patient.display_name}" in html.unescape(page.content.decode())


def test_the_launch_is_a_link_not_a_form(client, world):
    """GET only: no view of the DCC is exempt from CSRF, so a cross-site POST cannot log anyone in."""
    response = client.post(reverse("launch:launch"), {"jwt": world.token()})

    assert response.status_code in {403, 405}
    assert _logged_in_user_id(client) is None


def test_a_contextual_login_is_not_sent_to_enrol_a_one_time_code(client, world):
    """The DPI authenticated the user (signed launch): like PSC, no TOTP enrolment is forced."""
    doctor = world.doctor
    doctor.mfa_grace_until = timezone.now() - datetime.timedelta(days=1)
    doctor.save(update_fields=["mfa_grace_until"])

    response = client.get(launch_url(world.token()), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("identity:detail", args=[world.patient.pk])


def test_a_previous_user_of_the_browser_is_logged_out_first(client, world):
    client.force_login(world.personas["secretary_3c"])

    client.get(launch_url(world.token()))

    assert str(_logged_in_user_id(client)) == str(world.doctor.pk)
    assert AccessTrail.objects.filter(action=TrailAction.LOGOUT, user=world.personas["secretary_3c"]).exists()


def test_the_launched_user_still_sees_only_what_his_rights_allow(client, world):
    """A patient of the CHU's DPI who is not in the doctor's care in the DCC: logged in, but 403."""
    stranger = PatientFactory()
    LocalIdentifierFactory(patient=stranger, establishment=world.personas.hospital, value="IPP-DPI-0002")

    response = client.get(launch_url(world.token(ipp="IPP-DPI-0002")))

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 403
    assert not AccessTrail.objects.filter(action=TrailAction.READ, patient_id=stranger.pk).exists()


# --- Refusals -------------------------------------------------------------------------------


def test_an_expired_link_is_refused(client, world):
    token = world.token(issued_at=time.time() - 120, lifetime=60)

    page, detail = _refused(client, token)

    assert "a expiré" in page
    assert "jeton expiré" in detail


def test_a_replayed_link_is_refused(client, world):
    token = world.token()
    assert client.get(launch_url(token)).status_code == 302
    client.logout()

    page, detail = _refused(client, token)

    assert "déjà été utilisé" in page
    assert "nonce rejoué" in detail


def test_a_nonce_is_single_use_even_when_its_first_use_failed(client, world):
    token = world.token(ipp="INCONNU")
    _refused(client, token)

    _page, detail = _refused(client, token)

    assert "nonce rejoué" in detail


def test_a_bad_signature_is_refused(client, world):
    forger = signing_key(world.personas.other_hospital)
    forged = forger.sign(rpps=world.rpps, ipp=world.ipp).split(".")
    genuine = world.token().split(".")
    token = ".".join([genuine[0], genuine[1], forged[2]])  # the CHU's header and claims, another key's signature

    page, detail = _refused(client, token)

    assert "signature" in page
    assert "signature invalide" in detail


def test_tampered_claims_are_refused(client, world):
    import base64
    import json

    header, claims, signature = world.token().split(".")
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    payload["sub"] = world.personas["doctor_other_3c"].professional.rpps
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()

    _page, detail = _refused(client, f"{header}.{forged}.{signature}")

    assert "signature invalide" in detail


def test_an_unknown_kid_is_refused(client, world):
    stranger = signing_key(world.personas.hospital, kid="cle-inconnue")
    stranger.key.delete()

    page, detail = _refused(client, stranger.sign(rpps=world.rpps, ipp=world.ipp))

    assert "n'est pas enregistrée" in page
    assert "cle-inconnue" in detail


def test_a_revoked_key_is_refused(client, world):
    launch_key_revoke(key=world.dpi.key)

    _page, detail = _refused(client, world.token())

    assert "clé inconnue ou révoquée" in detail


def test_a_key_of_another_establishment_cannot_speak_for_this_one(client, world):
    """The Dax key signs a token claiming to come from the CHU (iss): refused."""
    dax = signing_key(world.personas.other_hospital)
    from interop.launch.services import launch_token_sign

    token = launch_token_sign(private_key_pem=dax.private_pem, key=dax.key, rpps=world.rpps, ipp=world.ipp)
    import base64
    import json

    _header, claims, _ = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    payload["iss"] = world.personas.hospital.finess_geo
    from joserfc import jwt

    from interop.launch.keys import jose_key

    forged = jwt.encode(
        {"alg": "Ed25519", "kid": dax.key.kid}, payload, jose_key(dax.private_pem, "Ed25519"), algorithms=["Ed25519"]
    )

    _page, detail = _refused(client, forged)

    assert "au lieu du FINESS" in detail


def test_an_unknown_user_is_refused(client, world):
    without_account = ProfessionalFactory()

    page, detail = _refused(client, world.token(rpps=without_account.rpps))

    assert "Aucun compte DCC n'est relié à votre numéro RPPS" in page
    assert without_account.rpps in detail


def test_a_deactivated_account_is_refused(client, world):
    world.doctor.is_active = False
    world.doctor.save(update_fields=["is_active"])

    page, _detail = _refused(client, world.token())

    assert "désactivé ou expiré" in page


def test_a_user_who_does_not_work_in_the_establishment_is_refused(client, world):
    other = world.personas["doctor_other_3c"]

    page, detail = _refused(client, world.token(rpps=other.professional.rpps))

    assert "lieu d'exercice" in page
    assert "sans lieu d'exercice" in detail


def test_an_unknown_patient_is_refused(client, world):
    page, detail = _refused(client, world.token(ipp="IPP-INCONNU"))

    assert "Ce patient n'est pas connu du DCC" in page
    assert "IPP-INCONNU" in detail


def test_an_ipp_of_another_establishment_is_an_unknown_patient(client, world):
    LocalIdentifierFactory(patient=world.patient, establishment=world.personas.other_hospital, value="IPP-DAX-9")

    _page, detail = _refused(client, world.token(ipp="IPP-DAX-9"))

    assert "patient inconnu" in detail


def test_the_patient_is_found_by_a_qualified_ins_when_the_ipp_is_new(client, world):
    response = client.get(launch_url(world.token(ipp="IPP-NOUVEAU", ins=world.patient.ins_matricule)))

    assert response.status_code == 302
    assert response["Location"] == reverse("identity:detail", args=[world.patient.pk])


def test_an_ins_that_disagrees_with_the_patient_is_refused(client, world):
    other = PatientFactory(qualified=True)

    page, _detail = _refused(client, world.token(ins=other.ins_matricule))

    assert "identitovigilance" in page


def test_a_future_iat_is_refused(client, world):
    page, detail = _refused(client, world.token(issued_at=time.time() + 300))

    assert "daté dans le futur" in page
    assert "iat dans le futur" in detail


def test_a_lifetime_over_sixty_seconds_is_refused(client, world):
    _page, detail = _refused(client, world.token(lifetime=300))

    assert "durée de validité de 300 s" in detail


def test_a_token_for_another_audience_is_refused(client, world, settings):
    token = world.token()
    settings.DCC_LAUNCH_AUDIENCE = "urn:autre-application"

    _page, detail = _refused(client, token)

    assert "audience inattendue" in detail


@pytest.mark.parametrize("token", ["", "pas-un-jeton", "a.b.c", "x" * 5000])
def test_a_malformed_link_is_a_400(client, world, token):
    page, _detail = _refused(client, token, status=400)

    assert "mal formé" in page


# --- Key rotation ---------------------------------------------------------------------------


def test_keys_rotate_without_downtime(client, world):
    """A second (ES256) key is added: old and new keys both work; once the old one is revoked, only the new."""
    new = signing_key(world.personas.hospital, algorithm=KeyAlgorithm.ES256)

    assert client.get(launch_url(world.token())).status_code == 302
    client.logout()
    assert client.get(launch_url(new.sign(rpps=world.rpps, ipp=world.ipp))).status_code == 302
    client.logout()

    launch_key_revoke(key=world.dpi.key)

    _refused(client, world.token())
    assert client.get(launch_url(new.sign(rpps=world.rpps, ipp=world.ipp))).status_code == 302


def test_an_account_linked_after_a_refusal_can_launch(client, world):
    professional = ProfessionalFactory()
    from tests.directory.factories import PlaceOfPracticeFactory

    PlaceOfPracticeFactory(professional=professional, establishment=world.personas.hospital)
    _refused(client, world.token(rpps=professional.rpps))
    UserFactory(professional=professional, email="nouveau@test.dcc")

    assert client.get(launch_url(world.token(rpps=professional.rpps))).status_code == 302


def test_launches_past_their_retention_are_purged_nightly(client, world, settings):
    from interop.launch.tasks import purge_launches

    settings.DCC_LAUNCH_RETENTION_DAYS = 365
    client.get(launch_url(world.token()))
    client.logout()
    client.get(launch_url(world.token()))
    old, recent = Launch.objects.order_by("pk")
    Launch.objects.filter(pk=old.pk).update(received_at=timezone.now() - datetime.timedelta(days=366))

    assert purge_launches() == 1
    assert list(Launch.objects.values_list("pk", flat=True)) == [recent.pk]
