"""Reads of the MSSanté data-quality page: permanent failures by address, deliverability per month and per 3C.

A message belongs to a 3C when its patient has a current care relationship with that 3C (the 3C
that registered or follows the patient). Deliverability = delivered (or read) / sent, where sent
means the message left the DCC (sent, delivered, read, or a permanent failure after an attempt);
a recipient without an MSSanté address never left and is not counted in the rate, only listed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dcc.directory.enums import MssAddressStatus
from dcc.directory.models import Establishment, MssAddress, Professional, ThreeC
from dcc.records.enums import CareRelationshipKind
from dcc.records.models import CareRelationship
from interop.outbox.enums import Channel, OutboxState
from interop.outbox.models import OutboxMessage

FAILURE_LIMIT = 200
DELIVERED = Q(state__in=[OutboxState.DELIVERED, OutboxState.READ])
LEFT = Q(sent_at__isnull=False) | Q(state=OutboxState.FAILED, attempts__gt=0)


def _three_c_links():
    return CareRelationship.objects.current().filter(kind=CareRelationshipKind.THREE_C)


def scoped_messages(three_c_ids: set[int] | None):
    messages = OutboxMessage.objects.filter(channel=Channel.MSS)
    if three_c_ids is None:
        return messages
    return messages.filter(patient_id__in=_three_c_links().filter(three_c_id__in=three_c_ids).values("patient_id"))


@dataclass
class FailureLine:
    address: str
    professional: Professional | None
    establishment: Establishment | None
    failures: int
    last_at: datetime.datetime
    last_code: str
    last_detail: str
    record: MssAddress | None = None
    three_c_ids: set[int] = field(default_factory=set)

    @property
    def action(self) -> str:
        """The action taken since, in French ('' when the line is still to be worked on)."""
        if self.record is not None and self.record.status != MssAddressStatus.ACTIVE:
            return self.record.get_status_display() + (
                f" → {self.record.replaced_by}" if self.record.status == MssAddressStatus.REPLACED else ""
            )
        if not self.address and self.professional is not None and self.professional.mss_address:
            return f"Adresse renseignée : {self.professional.mss_address}"
        if self.address and self.professional is not None and self.professional.mss_address.lower() != self.address:
            return f"Adresse corrigée : {self.professional.mss_address or 'aucune'}"
        return ""

    @property
    def is_open(self) -> bool:
        return not self.action


def permanent_failures(*, three_c_ids: set[int] | None, open_only: bool = False) -> list[FailureLine]:
    """Permanent failures (and recipients without an address) grouped by address, professional, establishment."""
    failed = scoped_messages(three_c_ids).filter(state=OutboxState.FAILED)
    latest = failed.filter(
        recipient_address=OuterRef("recipient_address"), professional_id=OuterRef("professional_id")
    ).order_by("-created_at", "-pk")
    rows = list(
        failed.values("recipient_address", "professional_id", "establishment_id")
        .annotate(
            failures=Count("pk"),
            last_at=Max("created_at"),
            last_code=Subquery(latest.values("last_code")[:1]),
            last_detail=Subquery(latest.values("last_detail")[:1]),
        )
        .order_by("-last_at")[:FAILURE_LIMIT]
    )
    professionals = Professional.objects.in_bulk({row["professional_id"] for row in rows} - {None})
    establishments = Establishment.objects.in_bulk({row["establishment_id"] for row in rows} - {None})
    addresses = {row["recipient_address"].lower() for row in rows if row["recipient_address"]}
    records = {record.address: record for record in MssAddress.objects.filter(address__in=addresses)}
    links: dict[tuple[str, int | None], set[int]] = {}
    for address, professional_id, three_c_id in (
        failed.filter(
            patient__care_relationships__kind=CareRelationshipKind.THREE_C,
            patient__care_relationships__ended_at__isnull=True,
        )
        .values_list("recipient_address", "professional_id", "patient__care_relationships__three_c_id")
        .distinct()
    ):
        links.setdefault((address, professional_id), set()).add(three_c_id)
    lines = [
        FailureLine(
            address=row["recipient_address"],
            professional=professionals.get(row["professional_id"]),
            establishment=establishments.get(row["establishment_id"]),
            failures=row["failures"],
            last_at=row["last_at"],
            last_code=row["last_code"] or "",
            last_detail=row["last_detail"] or "",
            record=records.get(row["recipient_address"].lower()),
            three_c_ids=links.get((row["recipient_address"], row["professional_id"]), set()),
        )
        for row in rows
    ]
    return [line for line in lines if line.is_open] if open_only else lines


@dataclass(frozen=True)
class Rate:
    label: str
    sent: int
    delivered: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.delivered / self.sent, 1) if self.sent else None


def month_start(months_back: int, now: datetime.datetime | None = None) -> datetime.datetime:
    local = timezone.localtime(now or timezone.now())
    year, month = local.year, local.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


MONTHS_FR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def rate_by_month(*, three_c_ids: set[int] | None, months: int = 12) -> list[Rate]:
    """Delivered / sent per month of creation, the last ``months`` months (empty months included)."""
    start = month_start(months - 1)
    rows = {
        timezone.localtime(row["month"]).date().replace(day=1): row
        for row in scoped_messages(three_c_ids)
        .filter(LEFT, created_at__gte=start)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(sent=Count("pk"), delivered=Count("pk", filter=DELIVERED))
    }
    rates = []
    for index in range(months):
        day = month_start(months - 1 - index).date()
        row = rows.get(day, {"sent": 0, "delivered": 0})
        rates.append(Rate(f"{MONTHS_FR[day.month - 1]} {day.year}", row["sent"], row["delivered"]))
    return rates


def rate_by_three_c(*, three_c_ids: set[int] | None, months: int = 12) -> list[Rate]:
    """Delivered / sent per 3C over the last ``months`` months (a message counts in each 3C of its patient)."""
    links = _three_c_links()
    if three_c_ids is not None:
        links = links.filter(three_c_id__in=three_c_ids)
    rows = (
        OutboxMessage.objects.filter(channel=Channel.MSS, created_at__gte=month_start(months - 1))
        .filter(LEFT)
        .filter(patient__care_relationships__in=links)
        .values(three_c=F("patient__care_relationships__three_c_id"))
        .annotate(sent=Count("pk", distinct=True), delivered=Count("pk", filter=DELIVERED, distinct=True))
    )
    names = dict(ThreeC.objects.values_list("pk", "name"))
    return sorted(
        (Rate(names.get(row["three_c"], "?"), row["sent"], row["delivered"]) for row in rows), key=lambda r: r.label
    )
