"""Launch keys: read a public key (PEM), say which JWS algorithm it signs with, make demo key pairs."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from joserfc.jwk import ECKey, OKPKey

from interop.launch.enums import KeyAlgorithm

MAX_PEM_BYTES = 4096


class KeyRefused(ValueError):
    """A key that cannot be used to check launches (the message is French, for the admin)."""


def algorithm_of(public_key_pem: str) -> str:
    """The JWS algorithm of a PEM public key: ``Ed25519`` or ``ES256`` (P-256); anything else is refused."""
    data = (public_key_pem or "").strip().encode()
    if not data or len(data) > MAX_PEM_BYTES:
        raise KeyRefused("La clé publique est vide ou trop longue (format PEM attendu).")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as error:
        raise KeyRefused(
            "La clé publique est illisible : un fichier PEM « -----BEGIN PUBLIC KEY----- » est attendu."
        ) from error
    if isinstance(key, ed25519.Ed25519PublicKey):
        return KeyAlgorithm.ED25519
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return KeyAlgorithm.ES256
    raise KeyRefused("Type de clé non accepté : seules les clés Ed25519 et ECDSA P-256 (ES256) sont acceptées.")


def jose_key(pem: str, algorithm: str):
    """The joserfc key object of a PEM key (public or private) of ``algorithm``."""
    if algorithm == KeyAlgorithm.ED25519:
        return OKPKey.import_key(pem)
    if algorithm == KeyAlgorithm.ES256:
        return ECKey.import_key(pem)
    raise KeyRefused(f"Algorithme non accepté : {algorithm}")


def thumbprint(public_key_pem: str) -> str:
    """RFC 7638 thumbprint of the key: the default ``kid``."""
    return jose_key(public_key_pem, algorithm_of(public_key_pem)).thumbprint()


def generate_key_pair(algorithm: str = KeyAlgorithm.ED25519) -> tuple[str, str]:
    """A fresh (private PEM, public PEM) pair, for the demo simulator and the tests."""
    if algorithm == KeyAlgorithm.ED25519:
        private = ed25519.Ed25519PrivateKey.generate()
    elif algorithm == KeyAlgorithm.ES256:
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        raise KeyRefused(f"Algorithme non accepté : {algorithm}")
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem
