"""Reads of the contextual-launch pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from dcc.accounts.models import User
from identity.models import LocalIdentifier
from interop.launch.models import SimulatorKey

SAMPLE_PATIENTS = 12


@dataclass
class SimulatorEstablishment:
    simulator: SimulatorKey
    users: list[tuple[str, str]] = field(default_factory=list)  # (RPPS, name)
    ipps: list[str] = field(default_factory=list)


def simulator_options() -> list[SimulatorEstablishment]:
    """Each establishment with a demo key, its professionals with a DCC account and sample IPPs.

    Only identifiers are listed (RPPS, IPP): the simulator's user is not part of the patients' care.
    """
    options = []
    for simulator in SimulatorKey.objects.filter(key__revoked_at__isnull=True).select_related("key__establishment"):
        establishment = simulator.key.establishment
        users = (
            User.objects.filter(
                is_active=True, professional__places__establishment=establishment, professional__rpps__isnull=False
            )
            .select_related("professional")
            .order_by("professional__last_name")
            .distinct()
        )
        ipps = (
            LocalIdentifier.objects.filter(establishment=establishment, patient__merged_into__isnull=True)
            .order_by("value")
            .values_list("value", flat=True)[:SAMPLE_PATIENTS]
        )
        options.append(
            SimulatorEstablishment(
                simulator=simulator,
                users=[(user.professional.rpps, user.professional.display_name) for user in users],
                ipps=list(ipps),
            )
        )
    return options
