"""Demo: a year of MSSanté sends with their returns, and a few bounced addresses for the data-quality page.

Synthetic history (``source_type = "demo.mss"``): the sends of the demo's past months, most delivered,
some refused by the recipients' servers (unknown mailbox, unknown domain), and a GP without an address.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

ORDER = 47  # after rcp.gp (45)
SOURCE = "demo.mss"
BOUNCES = [
    ("5.1.1", "Boîte aux lettres inconnue chez le destinataire (5.1.1)", "ch-chatellerault.msante.test"),
    ("5.1.2", "Domaine de messagerie inconnu (5.1.2)", "clinique-du-fief.msante.test"),
    ("5.1.1", "Boîte aux lettres inconnue chez le destinataire (5.1.1)", "chu-poitiers.mssante.test"),
]


def seed(context: dict) -> None:
    from dcc.directory.models import Professional
    from dcc.records.enums import CareRelationshipKind
    from dcc.records.models import CareRelationship
    from interop.outbox.enums import Channel, OutboxState
    from interop.outbox.models import OutboxMessage

    log = context["log"]
    if OutboxMessage.objects.filter(source_type=SOURCE).exists():
        log("Qualité MSSanté : historique déjà présent")
        return
    links = list(
        CareRelationship.objects.current()
        .filter(kind=CareRelationshipKind.THREE_C)
        .values_list("patient_id", "three_c_id")
        .order_by("patient_id")[:600]
    )
    professionals = list(
        Professional.objects.exclude(mss_address="").filter(rpps__startswith="10999").order_by("pk")[:40]
    )
    if not links or len(professionals) < 5:
        log("Qualité MSSanté : pas de patients ou de professionnels de démonstration")
        return
    rng = random.Random(12)
    now = timezone.now()
    rows = []

    def row(patient_id, professional, *, state, address, created, code="", detail="", attempts=1):
        sent = state in (OutboxState.SENT, OutboxState.DELIVERED, OutboxState.READ)
        rows.append(
            OutboxMessage(
                channel=Channel.MSS,
                kind="document",
                state=state,
                recipient_address=address,
                recipient_label=professional.display_name,
                professional=professional,
                patient_id=patient_id,
                source_type=SOURCE,
                source_id=str(len(rows)),
                created_at=created,
                attempts=attempts,
                last_attempt_at=created if attempts else None,
                sent_at=created if sent else None,
                delivered_at=created + datetime.timedelta(minutes=3) if state != OutboxState.SENT and sent else None,
                last_code=code,
                last_detail=detail or "Historique de démonstration",
            )
        )

    for _ in range(900):
        patient_id, _three_c = rng.choice(links)
        professional = rng.choice(professionals[5:])
        created = now - datetime.timedelta(days=rng.randint(3, 360), minutes=rng.randint(0, 600))
        state = rng.choices([OutboxState.DELIVERED, OutboxState.READ, OutboxState.SENT], weights=[70, 22, 3])[0]
        row(patient_id, professional, state=state, address=professional.mss_address, created=created, code="250")
    bouncing = professionals[:3]
    for (code, detail, domain), professional in zip(BOUNCES, bouncing, strict=True):
        wrong = f"{professional.first_name[:1].lower()}.{professional.last_name.lower()}@{domain}"
        professional.mss_address = wrong  # the directory still holds the wrong address: to be worked on
        professional.save(update_fields=["mss_address"])
        for days in rng.sample(range(2, 200), 4):
            patient_id, _three_c = rng.choice(links)
            row(
                patient_id,
                professional,
                state=OutboxState.FAILED,
                address=wrong,
                code=code,
                detail=detail,
                created=now - datetime.timedelta(days=days),
            )
    no_address = professionals[3]
    no_address.mss_address = ""
    no_address.save(update_fields=["mss_address"])
    for days in (5, 40):
        patient_id, _three_c = rng.choice(links)
        created = now - datetime.timedelta(days=days)
        detail = "Pas d'adresse MSSanté pour ce destinataire."
        row(
            patient_id,
            no_address,
            state=OutboxState.FAILED,
            address="",
            attempts=0,
            code="sans_adresse",
            detail=detail,
            created=created,
        )
    OutboxMessage.objects.bulk_create(rows, batch_size=500)
    log(
        f"Qualité MSSanté : {len(rows)} envois d'historique, {len(bouncing)} adresses en échec, "
        "1 professionnel sans adresse"
    )
