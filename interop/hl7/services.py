"""Writes of the HL7 app: partners and the identity-vigilance decisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dcc.directory.models import Establishment
from interop.hl7.enums import MessageKind, VigilanceStatus
from interop.hl7.models import Partner, VigilanceItem


def partner_register(
    *,
    application: str,
    facility: str,
    establishment: Establishment,
    kinds: list[str] | None = None,
    receives_documents: bool = False,
    host: str = "",
    port: int | None = None,
) -> tuple[Partner, bool]:
    """Declare (or update) the partner MSH-3/MSH-4 of ``establishment``; returns ``(partner, created)``."""
    application, facility = application.strip(), facility.strip()
    if not application or not facility:
        raise ValidationError("L'application (MSH-3) et la structure (MSH-4) sont obligatoires.")
    kinds = [kind.strip().upper() for kind in (kinds or MessageKind.values) if kind.strip()]
    unknown = [kind for kind in kinds if kind not in MessageKind.values]
    if unknown:
        raise ValidationError(
            f"Type(s) de message inconnu(s) : {', '.join(unknown)} "
            f"(valeurs possibles : {', '.join(MessageKind.values)})."
        )
    partner, created = Partner.objects.update_or_create(
        application=application,
        facility=facility,
        defaults={
            "establishment": establishment,
            "allowed_kinds": kinds,
            "is_active": True,
            "receives_documents": receives_documents,
            "host": host,
            "port": port,
        },
    )
    return partner, created


@transaction.atomic
def vigilance_decide(*, item: VigilanceItem, status: str, by, note: str) -> VigilanceItem:
    item = VigilanceItem.objects.select_for_update().get(pk=item.pk)
    if item.status != VigilanceStatus.PENDING:
        raise ValidationError("Ce signalement a déjà été traité.")
    if status not in {VigilanceStatus.RESOLVED, VigilanceStatus.DISMISSED}:
        raise ValidationError("Décision inconnue.")
    if not note.strip():
        raise ValidationError({"note": ["Indiquez ce qui a été fait ou pourquoi le signalement est classé."]})
    item.status, item.decided_by, item.decided_at, item.note = status, by, timezone.now(), note.strip()
    item.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return item
