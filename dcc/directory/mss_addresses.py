"""Writes on MSSanté addresses after delivery failures: correct an address, mark it invalid, put it back.

Every action is logged (``MssAddressEvent``: who, when, what) and applied to the professionals who
send to that address (``Professional.mss_address``), in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from dcc.directory.enums import MssAddressAction, MssAddressStatus
from dcc.directory.models import MssAddress, MssAddressEvent, Professional
from dcc.directory.signals import professionals_changed


def _record(address: str, *, professional=None, establishment=None) -> MssAddress:
    record, _ = MssAddress.objects.select_for_update().get_or_create(
        address=address,
        defaults={"professional": professional, "establishment": establishment},
    )
    return record


def _clean(address: str, *, field: str) -> str:
    address = (address or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({field: f"« {address or '(vide)'} » n'est pas une adresse MSSanté valide."}) from None
    return address


@transaction.atomic
def mss_address_correct(
    *, address: str, new_address: str, by, professional: Professional | None = None, establishment=None
) -> MssAddress:
    """Replace ``address`` (possibly empty: the professional had none) by ``new_address`` everywhere it is used."""
    new_address = _clean(new_address, field="new_address")
    address = (address or "").strip().lower()
    if new_address == address:
        raise ValidationError({"new_address": "La nouvelle adresse est identique à l'ancienne."})
    if not address and professional is None:
        raise ValidationError("Indiquez le professionnel dont vous renseignez l'adresse MSSanté.")
    now = timezone.now()
    users = Professional.objects.filter(mss_address__iexact=address) if address else Professional.objects.none()
    if professional is not None:
        users = users | Professional.objects.filter(pk=professional.pk)
    professional = professional or users.first()
    if address:
        old = _record(address, professional=professional, establishment=establishment)
        old.status, old.replaced_by, old.status_note = MssAddressStatus.REPLACED, new_address, ""
        old.status_changed_at, old.status_changed_by = now, by
        old.save()
        MssAddressEvent.objects.create(
            mss_address=old, action=MssAddressAction.CORRECTED, detail=f"remplacée par {new_address}", by=by
        )
    new = _record(
        new_address, professional=professional, establishment=establishment or (old.establishment if address else None)
    )
    if new.status != MssAddressStatus.ACTIVE:
        new.status, new.replaced_by = MssAddressStatus.ACTIVE, ""
    new.status_changed_at, new.status_changed_by = now, by
    new.save()
    MssAddressEvent.objects.create(
        mss_address=new,
        action=MssAddressAction.CORRECTED,
        detail=f"remplace {address}" if address else "adresse renseignée",
        by=by,
    )
    Professional.objects.filter(pk__in=users.values("pk")).update(mss_address=new_address)
    professionals_changed.send(sender=Professional)
    return new


@transaction.atomic
def mss_address_mark_invalid(
    *, address: str, by, note: str = "", professional: Professional | None = None
) -> MssAddress:
    """Stop sending to ``address``: marked invalid, removed from the professionals who used it (kept in the log)."""
    address = _clean(address, field="address")
    record = _record(address, professional=professional)
    record.status, record.status_note = MssAddressStatus.INVALID, (note or "").strip()[:300]
    record.status_changed_at, record.status_changed_by = timezone.now(), by
    record.save()
    MssAddressEvent.objects.create(
        mss_address=record, action=MssAddressAction.MARKED_INVALID, detail=record.status_note, by=by
    )
    Professional.objects.filter(mss_address__iexact=address).update(mss_address="")
    professionals_changed.send(sender=Professional)
    return record


@transaction.atomic
def mss_address_reactivate(*, address: str, by) -> MssAddress:
    """Put an address marked invalid or replaced back in service (the professional's address is given back
    when he has none)."""
    record = MssAddress.objects.select_for_update().get(address=address.strip().lower())
    record.status, record.replaced_by, record.status_note = MssAddressStatus.ACTIVE, "", ""
    record.status_changed_at, record.status_changed_by = timezone.now(), by
    record.save()
    MssAddressEvent.objects.create(mss_address=record, action=MssAddressAction.REACTIVATED, by=by)
    if record.professional_id:
        Professional.objects.filter(pk=record.professional_id, mss_address="").update(mss_address=record.address)
        professionals_changed.send(sender=Professional)
    return record
