"""Registering keys (command, admin) and the demo DPI simulator (page and command)."""

from __future__ import annotations

import html
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dcc.accounts.enums import Permission, Profile
from dcc.accounts.models import ProfilePermission
from interop.launch.enums import KeyAlgorithm, LaunchTarget
from interop.launch.keys import generate_key_pair, thumbprint
from interop.launch.models import LaunchKey, SimulatorKey
from tests.helpers import assert_access
from tests.interop.launch.factories import signing_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(world):
    return SimulatorKey.objects.create(key=world.dpi.key, private_key_pem=world.dpi.private_pem)


def test_the_command_registers_a_public_key_with_its_thumbprint_as_kid(personas, tmp_path):
    _private, public = generate_key_pair(KeyAlgorithm.ES256)
    (tmp_path / "dpi.pem").write_text(public)
    out = StringIO()

    call_command("launch_key", "add", "--establishment", personas.hospital.finess_geo, "--public-key",
                 str(tmp_path / "dpi.pem"), stdout=out)  # fmt: skip

    key = LaunchKey.objects.get()
    assert (key.establishment, key.algorithm, key.kid) == (personas.hospital, KeyAlgorithm.ES256, thumbprint(public))
    assert key.kid in out.getvalue()


def test_the_command_refuses_a_private_key_or_garbage(personas, tmp_path):
    private, _public = generate_key_pair()
    (tmp_path / "private.pem").write_text(private)
    (tmp_path / "junk.pem").write_text("pas une clé")
    for name in ("private.pem", "junk.pem"):
        with pytest.raises(CommandError, match="illisible"):
            call_command("launch_key", "add", "--establishment", personas.hospital.finess_geo, "--public-key",
                         str(tmp_path / name))  # fmt: skip
    assert not LaunchKey.objects.exists()


def test_the_command_refuses_an_rsa_key(personas, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    public = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "rsa.pem").write_bytes(public)

    with pytest.raises(CommandError, match="seules les clés Ed25519 et ECDSA P-256"):
        call_command("launch_key", "add", "--establishment", personas.hospital.finess_geo, "--public-key",
                     str(tmp_path / "rsa.pem"))  # fmt: skip


def test_the_command_lists_and_revokes(world):
    out = StringIO()
    call_command("launch_key", "revoke", "--kid", world.dpi.key.kid, stdout=out)
    call_command("launch_key", "list", stdout=out)

    world.dpi.key.refresh_from_db()
    assert world.dpi.key.revoked_at is not None
    assert "révoquée le" in out.getvalue()


def test_the_admin_registers_a_key(client, personas):
    _private, public = generate_key_pair()
    client.force_login(personas["admin"])

    response = client.post(
        reverse("admin:launch_launchkey_add"),
        {"establishment": personas.hospital.pk, "public_key_pem": public, "kid": "", "label": "DPI 2027"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    key = LaunchKey.objects.get()
    assert (key.kid, key.label, key.created_by) == (thumbprint(public), "DPI 2027", personas["admin"])


def test_the_admin_refuses_a_bad_key_in_french(client, personas):
    client.force_login(personas["admin"])

    response = client.post(
        reverse("admin:launch_launchkey_add"),
        {"establishment": personas.hospital.pk, "public_key_pem": "nimporte quoi", "kid": "", "label": ""},
    )

    assert response.status_code == 200
    assert "La clé publique est illisible" in html.unescape(response.content.decode())
    assert not LaunchKey.objects.exists()


def test_the_simulator_is_for_the_holders_of_its_right(client, personas, simulator):
    assert_access(client, personas, reverse("launch:simulator"), allowed={"admin"})


def test_the_simulator_right_is_data(client, personas, simulator):
    ProfilePermission.objects.create(profile=Profile.SECRETAIRE_3C, permission=Permission.LAUNCH_SIMULATE)
    client.force_login(personas["secretary_3c"])

    assert client.get(reverse("launch:simulator")).status_code == 200


def test_the_simulator_lists_identifiers_only_and_signs_a_working_link(client, world, simulator):
    admin = world.personas["admin"]
    client.force_login(admin)

    page = html.unescape(client.get(reverse("launch:simulator")).content.decode())
    assert world.ipp in page and world.rpps in page
    assert world.patient.birth_name not in page  # no patient name for someone outside the care team

    response = client.post(
        reverse("launch:simulator"),
        {"establishment": simulator.pk, "rpps": world.rpps, "ipp": world.ipp, "ins": "", "target": "patient"},
    )
    link = response.context["link"]
    assert link.startswith("http://testserver/appel-contextuel/?jwt=")

    landed = client.get(link.removeprefix("http://testserver"))
    assert landed["Location"] == reverse("identity:detail", args=[world.patient.pk])
    assert str(client.session["_auth_user_id"]) == str(world.doctor.pk)


def test_the_simulator_explains_a_bad_rpps(client, world, simulator):
    client.force_login(world.personas["admin"])

    response = client.post(
        reverse("launch:simulator"),
        {"establishment": simulator.pk, "rpps": "123", "ipp": world.ipp, "target": "patient"},
    )

    assert response.status_code == 200
    assert "Un RPPS a 11 chiffres." in html.unescape(response.content.decode())
    assert response.context["link"] == ""


def test_the_simulate_command_prints_a_working_link(client, world, simulator):
    out = StringIO()

    call_command("launch_key", "simulate", "--establishment", world.personas.hospital.finess_geo, "--rpps", world.rpps,
                 "--ipp", world.ipp, "--target", LaunchTarget.DEMANDE_AVIS, "--base-url", "http://dcc.test",
                 stdout=out)  # fmt: skip

    link = out.getvalue().strip()
    assert link.startswith("http://dcc.test/appel-contextuel/?jwt=")
    response = client.get(link.removeprefix("http://dcc.test"))
    assert response["Location"] == reverse("rcp:dossier_new", args=[world.patient.pk])


def test_the_simulate_command_needs_a_demo_key(world):
    other = signing_key(world.personas.other_hospital)

    with pytest.raises(CommandError, match="Aucune clé de démonstration"):
        call_command("launch_key", "simulate", "--establishment", other.key.establishment.finess_geo, "--rpps",
                     world.rpps, "--ipp", world.ipp)  # fmt: skip
