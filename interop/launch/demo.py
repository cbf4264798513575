"""Demo: a signing key per demo establishment (its private half kept for the DPI simulator only).

The CHU has two active keys (ES256 and Ed25519), as during a key rotation. Keys are generated here,
at seed time: no private key is shipped with the code.
"""

from __future__ import annotations

from dcc.accounts.demo import PERSONAS
from dcc.directory.models import Establishment
from interop.launch.enums import KeyAlgorithm
from interop.launch.keys import generate_key_pair
from interop.launch.models import SimulatorKey
from interop.launch.services import launch_key_add

ORDER = 65
CHU = "CHU LA MILETRIE - POITIERS"


def seed(context: dict) -> None:
    log = context["log"]
    names = {name for persona in PERSONAS for name in persona.establishments}
    establishments = list(Establishment.objects.filter(name__in=names).order_by("name"))
    created = 0
    for establishment in establishments:
        if SimulatorKey.objects.filter(key__establishment=establishment).exists():
            continue
        algorithms = [KeyAlgorithm.ES256, KeyAlgorithm.ED25519] if establishment.name == CHU else [KeyAlgorithm.ED25519]
        for number, algorithm in enumerate(algorithms, start=1):
            private_pem, public_pem = generate_key_pair(algorithm)
            key = launch_key_add(
                establishment=establishment,
                public_key_pem=public_pem,
                label=f"DPI de démonstration — clé {number} ({algorithm})",
            )
            SimulatorKey.objects.create(key=key, private_key_pem=private_pem)
            created += 1
    log(f"Appel contextuel : {created} clé(s) de démonstration créée(s) pour {len(establishments)} établissement(s)")
