"""Launch keys and signed launches as an establishment's DPI would make them."""

from __future__ import annotations

from dataclasses import dataclass

from interop.launch.enums import KeyAlgorithm, LaunchTarget
from interop.launch.keys import generate_key_pair
from interop.launch.models import LaunchKey
from interop.launch.services import launch_key_add, launch_token_sign


@dataclass
class SigningKey:
    key: LaunchKey
    private_pem: str

    def sign(self, *, rpps: str, ipp: str, target: str = LaunchTarget.PATIENT, **extra) -> str:
        return launch_token_sign(private_key_pem=self.private_pem, key=self.key, rpps=rpps, ipp=ipp, target=target,
                                 **extra)  # fmt: skip


def signing_key(establishment, *, algorithm: str = KeyAlgorithm.ED25519, kid: str = "") -> SigningKey:
    private_pem, public_pem = generate_key_pair(algorithm)
    key = launch_key_add(establishment=establishment, public_key_pem=public_pem, kid=kid)
    return SigningKey(key=key, private_pem=private_pem)


def launch_url(token: str) -> str:
    return f"/appel-contextuel/?jwt={token}"
