"""The « Diffusion » block: its fragment (polled while sends are in flight) and its actions.

Every view checks that the user may see the patient; the actions also check the ``document_send`` right; every
display and action writes a trail line.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dcc.decorators import require
from dcc.records import access
from dcc.records.enums import TrailAction
from dcc.records.models import Document
from dcc.records.trail import trail_record
from interop.mss import services
from interop.mss.forms import AddRecipientForm
from interop.mss.perms import can_send_document, can_view_diffusion
from interop.mss.selectors import diffusion_context
from interop.outbox.errors import OutboxError
from interop.outbox.models import OutboxMessage
from interop.outbox.services import outbox_resend


def _document(user, pk: int, *, send: bool = False) -> Document:
    document = get_object_or_404(Document.objects.select_related("patient", "establishment"), pk=pk)
    allowed = can_send_document(user, document) if send else can_view_diffusion(user, document)
    if not allowed:
        raise PermissionDenied
    return document


def _fragment(request, document, *, form=None, error: str = "", status: int = 200):
    if not request.htmx:
        if error or (form is not None and form.errors):
            context = diffusion_context(user=request.user, document=document, form=form, error=error)
            return render(request, "outbox/diffusion_page.html", context, status=status)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("records:document_detail", args=[document.pk])
        return redirect(back)
    context = diffusion_context(user=request.user, document=document, form=form, error=error)
    return render(request, "outbox/_diffusion.html", context, status=status)


def _trail(request, action: str, document, detail: str) -> None:
    trail_record(
        user=request.user, action=action, patient=document.patient, obj=document, request=request, detail=detail
    )


@require(access.has_patient_care_profile)
def diffusion(request, document_pk: int):
    document = _document(request.user, document_pk)
    with transaction.atomic():
        _trail(request, TrailAction.READ, document, "diffusion du document")
    context = diffusion_context(user=request.user, document=document)
    template = "outbox/_diffusion.html" if request.htmx else "outbox/diffusion_page.html"
    return render(request, template, context)


@require_POST
@require(access.has_patient_care_profile)
def diffusion_resend(request, message_pk: int):
    message = get_object_or_404(OutboxMessage.objects.select_related("document"), pk=message_pk)
    if message.document is None:
        raise PermissionDenied
    document = _document(request.user, message.document_id, send=True)
    try:
        with transaction.atomic():
            again = outbox_resend(message=message, by=request.user)
            _trail(request, TrailAction.SEND, document, f"renvoi MSSanté à {again.recipient_address}")
    except OutboxError as error:
        return _fragment(request, document, error=str(error), status=400)
    return _fragment(request, document)


@require_POST
@require(access.has_patient_care_profile)
def diffusion_add(request, document_pk: int):
    document = _document(request.user, document_pk, send=True)
    form = AddRecipientForm(request.POST)
    if not form.is_valid():
        return _fragment(request, document, form=form, status=400)
    professional = form.cleaned_data["query"]
    with transaction.atomic():
        row = services.diffusion_add_recipient(document=document, professional=professional, by=request.user)
        _trail(request, TrailAction.SEND, document, f"envoi MSSanté à {row.recipient_label}")
    return _fragment(request, document)


@require_POST
@require(access.has_patient_care_profile)
def diffusion_patient(request, document_pk: int):
    document = _document(request.user, document_pk, send=True)
    try:
        with transaction.atomic():
            services.diffusion_send_to_patient(document=document, by=request.user)
            _trail(request, TrailAction.SEND, document, "envoi à la messagerie Mon espace santé du patient")
    except OutboxError as error:
        return _fragment(request, document, error=str(error), status=400)
    return _fragment(request, document)
