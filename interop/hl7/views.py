"""Interop monitoring for the regional admin: traffic per partner and day, errors with their ACK, replays,
and the identity-vigilance queue."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dcc.decorators import require
from dcc.records.enums import TrailAction
from dcc.records.trail import trail_record
from interop.hl7 import selectors
from interop.hl7.enums import AckCode, Direction, VigilanceStatus
from interop.hl7.forms import VigilanceDecisionForm
from interop.hl7.models import Message, Partner, VigilanceItem
from interop.hl7.perms import can_monitor_interop
from interop.hl7.processing import replay_stored
from interop.hl7.services import vigilance_decide

RAW_DISPLAY_CHARS = 20_000


@require(can_monitor_interop)
def monitoring(request):
    context = {
        "traffic": selectors.traffic(),
        "errors": selectors.recent_errors(),
        "pending_vigilance": selectors.pending_vigilance_count(),
        "partners": Partner.objects.select_related("establishment").order_by("establishment__name", "application"),
    }
    return render(request, "hl7/monitoring.html", context)


@require(can_monitor_interop)
def message_detail(request, pk: int):
    message = get_object_or_404(
        Message.objects.select_related("partner__establishment", "patient", "document", "duplicate_of"), pk=pk
    )
    if message.patient_id:
        trail_record(
            user=request.user,
            action=TrailAction.READ,
            patient=message.patient,
            obj=message,
            request=request,
            detail="message HL7",
        )
    raw = message.raw
    truncated = len(raw) > RAW_DISPLAY_CHARS
    replayable = (
        message.direction == Direction.INBOUND
        and message.ack_code != AckCode.ACCEPT
        and not message.replays.filter(ack_code=AckCode.ACCEPT).exists()
    )
    context = {
        "message": message,
        "raw_lines": raw[:RAW_DISPLAY_CHARS].split("\r"),
        "truncated": truncated,
        "ack_lines": message.ack.strip("\r").split("\r") if message.ack else [],
        "replayable": replayable,
        "replays": message.replays.order_by("-received_at")[:10],
        "vigilance_items": message.vigilance_items.all(),
    }
    return render(request, "hl7/message_detail.html", context)


@require(can_monitor_interop)
@require_POST
def message_replay(request, pk: int):
    message = get_object_or_404(Message, pk=pk)
    try:
        result = replay_stored(message=message, by=request.user)
    except ValueError as error:
        flash.error(request, str(error))
        return redirect("hl7:message", pk=message.pk)
    new = Message.objects.get(pk=result.message_id)
    if new.patient_id:
        trail_record(
            user=request.user,
            action=TrailAction.UPDATE,
            patient=new.patient,
            obj=new,
            request=request,
            detail="rejeu d'un message HL7",
        )
    if result.code == AckCode.ACCEPT:
        flash.success(request, "Message rejoué : accepté (AA).")
    else:
        flash.warning(request, f"Message rejoué : {result.code} — {new.error_text}")
    return redirect("hl7:message", pk=new.pk)


@require(can_monitor_interop)
def vigilance(request):
    status = request.GET.get("statut", VigilanceStatus.PENDING)
    if status not in VigilanceStatus.values:
        status = VigilanceStatus.PENDING
    page = Paginator(selectors.vigilance_queue(status=status), 25).get_page(request.GET.get("page"))
    items = list(page.object_list)
    for item in items:
        if item.patient_id:
            trail_record(
                user=request.user,
                action=TrailAction.READ,
                patient=item.patient,
                obj=item,
                request=request,
                detail="file d'identitovigilance",
            )
    return render(
        request,
        "hl7/vigilance.html",
        {
            "page": page,
            "items": items,
            "status": status,
            "statuses": VigilanceStatus.choices,
            "form": VigilanceDecisionForm(),
        },
    )


@require(can_monitor_interop)
@require_POST
def vigilance_decision(request, pk: int):
    item = get_object_or_404(VigilanceItem, pk=pk)
    form = VigilanceDecisionForm(request.POST)
    if not form.is_valid():
        flash.error(request, "Choisissez une décision et indiquez une note.")
        return redirect("hl7:vigilance")
    try:
        vigilance_decide(item=item, status=form.cleaned_data["status"], by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect("hl7:vigilance")
    if item.patient_id:
        trail_record(
            user=request.user,
            action=TrailAction.UPDATE,
            patient=item.patient,
            obj=item,
            request=request,
            detail="identitovigilance",
        )
    flash.success(request, "Signalement traité.")
    return redirect("hl7:vigilance")
