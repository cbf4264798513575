"""Demo sends with varied states, so the « Diffusion » blocks show every path from the first ``make run``.

The documents filed during the seed are already queued for their recipients by the rules (the worker sends them
to the local operator when ``make run`` starts). Here a few more sends of the first documents are recorded with
a realistic history: delivered, read, failed (unknown address 5.1.1, MDN error 902), no MSSanté address, and a
temporary failure the worker will retry. Idempotent (dedupe keys).
"""

from __future__ import annotations

ORDER = 65

CASES = [
    # (key, address, label, path of (state, code, detail))
    ("lu", "secretariat.onco@pro.mssante.demo.test", "Secrétariat d'oncologie", [
        ("envoye", "250", "Accepté par le serveur MSSanté"),
        ("delivre", "2.0.0", "Message remis au destinataire"),
        ("lu", "processed", "Intégré par le logiciel du destinataire"),
    ]),
    ("inconnue", "ancienne.adresse@pro.mssante.demo.test", "Dr Ancienne ADRESSE", [
        ("envoye", "250", "Accepté par le serveur MSSanté"),
        ("echec_definitif", "5.1.1", "Adresse MSSanté du destinataire inconnue (550 5.1.1 Recipient address unknown)"),
    ]),
    ("902", "cabinet.logiciel@pro.mssante.demo.test", "Cabinet médical (logiciel)", [
        ("envoye", "250", "Accepté par le serveur MSSanté"),
        ("delivre", "2.0.0", "Message remis au destinataire"),
        ("echec_definitif", "902", "Patient inconnu du logiciel du destinataire"),
    ]),
    ("temporaire", "dr.vacances@pro.mssante.demo.test", "Dr Vacances", [
        ("echec_temporaire", "421", "Service momentanément indisponible, nouvel essai prévu"),
    ]),
]  # fmt: skip


def seed(context: dict) -> None:
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from dcc.directory.models import Professional
    from dcc.records.enums import DocumentOrigin
    from dcc.records.models import Document
    from interop.outbox.enums import OutboxState
    from interop.outbox.models import OutboxMessage
    from interop.outbox.services import outbox_enqueue
    from interop.outbox.transitions import move

    log = context["log"]
    documents = list(
        Document.objects.filter(origin=DocumentOrigin.PRODUCED, status="current")
        .exclude(source_type="")
        .select_related("patient")
        .order_by("pk")[:3]
    )
    if not documents:
        log("mss : aucun document produit, pas d'envoi de démonstration")
        return
    created = 0
    with transaction.atomic():
        for document in documents:
            for key, address, label, path in CASES:
                dedupe = f"demo:mss:{document.pk}:{key}"
                if OutboxMessage.objects.filter(dedupe_key=dedupe).exists():
                    continue
                message = outbox_enqueue(
                    channel="mss",
                    kind="document",
                    recipient_address=address,
                    recipient_label=label,
                    patient=document.patient,
                    document=document,
                    source_type=document.source_type,
                    source_id=document.source_id,
                    dedupe_key=dedupe,
                )
                message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
                move(message, OutboxState.SENDING, detail="Tentative 1", attempts=1, last_attempt_at=timezone.now())
                for state, code, detail in path:
                    extra = {}
                    if state == OutboxState.RETRYING:
                        extra["next_attempt_at"] = timezone.now() + dt.timedelta(minutes=2)
                    move(message, state, code=code, detail=detail, **extra)
                created += 1
            nobody = Professional.objects.filter(mss_address="").order_by("pk").first()
            if nobody is not None:
                outbox_enqueue(
                    channel="mss",
                    kind="document",
                    recipient_address="",
                    recipient_label=nobody.display_name,
                    professional=nobody,
                    patient=document.patient,
                    document=document,
                    source_type=document.source_type,
                    source_id=document.source_id,
                    dedupe_key=f"demo:mss:{document.pk}:sans-adresse",
                )
    log(f"mss : {created} envois de démonstration (délivré, lu, échecs, nouvel essai) sur {len(documents)} documents")
