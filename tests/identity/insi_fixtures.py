"""The local INSi teleservice, started as a real process on a free port for the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def insi_standin_url() -> str:
    port = _free_port()
    env = {**os.environ, "DCC_INSI_STANDIN_DELAY": "3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "identity.insi.standin", "--port", str(port)],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("le téléservice INSi local n'a pas démarré")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/insi"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def insi(settings, insi_standin_url) -> str:
    """Point the INSi client to the local teleservice."""
    settings.INSI_URL = insi_standin_url
    settings.INSI_TIMEOUT = 2
    return insi_standin_url


def _write_certificates(folder) -> dict[str, str]:
    """A throwaway CA, a server certificate for 127.0.0.1 and a client (organisation) certificate."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def build(subject, issuer, public_key, signing_key, *, ca=False, san=None, usage=None):
        builder = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )  # fmt: skip
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        if usage:
            builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = build(name("AC de test DCC"), name("AC de test DCC"), ca_key.public_key(), ca_key, ca=True)
    paths = {}
    for role, common, san, usage in (
        ("server", "127.0.0.1", [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))], [ExtendedKeyUsageOID.SERVER_AUTH]),
        ("client", "ETABLISSEMENT DE TEST", None, [ExtendedKeyUsageOID.CLIENT_AUTH]),
    ):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = build(name(common), ca.subject, key.public_key(), ca_key, san=san, usage=usage)
        paths[f"{role}_cert"] = str(folder / f"{role}.pem")
        paths[f"{role}_key"] = str(folder / f"{role}.key")
        (folder / f"{role}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (folder / f"{role}.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    paths["ca"] = str(folder / "ca.pem")
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return paths


@pytest.fixture(scope="session")
def insi_tls_standin(tmp_path_factory) -> dict[str, str]:
    """The local teleservice over HTTPS, requiring a client certificate (mutual TLS)."""
    paths = _write_certificates(tmp_path_factory.mktemp("insi-tls"))
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "identity.insi.standin", "--port", str(port), "--tls-cert", paths["server_cert"],
         "--tls-key", paths["server_key"], "--tls-client-ca", paths["ca"]],
        cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("le téléservice INSi local (TLS) n'a pas démarré")
            time.sleep(0.1)
    yield {**paths, "url": f"https://127.0.0.1:{port}/insi"}
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
