"""Refused accesses (403, 404 on a real route, 429) become access-trail lines, coalesced.

``RefusalTrailMiddleware`` runs after authentication and the security middleware. When a logged-in user's
request ends in a refusal, it writes one ``ACCESS_DENIED`` line with the patient the view refused (noted by
``dcc.records.access.can_view_patient`` through ``note_refused_patient``), or the URL's ``patient_id``. A
rate-limited login (429) becomes a ``LOGIN_FAILED`` line naming the account tried.

Coalescing keeps the trail from becoming a denial-of-service target: the same refusal (same person or address,
same patient, same URL) is written once per ``DCC_TRAIL_REFUSAL_WINDOW_SECONDS``; past
``DCC_TRAIL_REFUSAL_MAX_LINES`` lines per person or address in that window, one line says that the next ones
are no longer detailed, and nothing more is written until the window moves on.
"""

from __future__ import annotations

import contextvars
import datetime
import logging

from django.conf import settings
from django.db import DatabaseError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from dcc.records.enums import TrailAction
from dcc.records.models import AccessTrail
from dcc.records.trail import client_ip, trail_record

logger = logging.getLogger(__name__)

_refused_patient: contextvars.ContextVar[int | None] = contextvars.ContextVar("dcc_refused_patient", default=None)

REFUSAL_STATUSES = {403, 404}
LOGIN_ROUTES = {"account_login", "mfa_authenticate"}
FLOOD_DETAIL = "refus suivants non détaillés (trop de refus en peu de temps)"


def note_refused_patient(patient) -> None:
    """Called when a rights check says no for a patient: the refusal line will name him."""
    _refused_patient.set(getattr(patient, "pk", patient))


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=getattr(settings, "DCC_TRAIL_REFUSAL_WINDOW_SECONDS", 300))


def refusal_record(*, request, action: str, patient_id: int | None, detail: str, user=None) -> AccessTrail | None:
    """Write the refusal line unless the same one was written in the window (or the flood cap is reached)."""
    user = user if user is not None else request.user
    authenticated = getattr(user, "is_authenticated", False)
    recent = AccessTrail.objects.filter(action=action, at__gte=_window_start())
    recent = recent.filter(user_id=user.pk) if authenticated else recent.filter(user__isnull=True)
    recent = recent.filter(ip_address=client_ip(request))
    if recent.filter(patient_id=patient_id, detail=detail[:500]).exists():
        return None
    limit = getattr(settings, "DCC_TRAIL_REFUSAL_MAX_LINES", 30)
    written = recent.count()
    if written > limit:
        return None
    if written == limit:
        detail, patient_id = FLOOD_DETAIL, None
    return trail_record(user=user, action=action, patient=patient_id, request=request, detail=detail)


class RefusalTrailMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _refused_patient.set(None)
        try:
            response = self.get_response(request)
            refused_patient = _refused_patient.get()
        finally:
            _refused_patient.reset(token)
        status = response.status_code
        if status in REFUSAL_STATUSES or status == 429:
            try:
                self._record(request, status, refused_patient)
            except DatabaseError:
                logger.exception("Refus non tracé (base de données indisponible)")
        return response

    def _record(self, request, status: int, refused_patient: int | None) -> None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return  # an unknown address names nothing: not worth a line
        route = match.view_name or ""
        user = getattr(request, "user", None)
        if status == 429 and route in LOGIN_ROUTES:
            self._record_rate_limited_login(request)
            return
        if user is None or not user.is_authenticated:
            return  # anonymous visitors are sent to the login page; their refusals name nobody
        patient_id = refused_patient
        if patient_id is None and str(match.kwargs.get("patient_id", "")).isdigit():
            patient_id = int(match.kwargs["patient_id"])
        detail = f"{status} {request.method} {request.path}"
        with transaction.atomic():
            refusal_record(request=request, action=TrailAction.ACCESS_DENIED, patient_id=patient_id, detail=detail)

    def _record_rate_limited_login(self, request) -> None:
        from dcc.accounts.models import User

        login = str(request.POST.get("login") or "")[:200]
        account = User.objects.filter(email__iexact=login).first() if login else None
        with transaction.atomic():
            refusal_record(
                request=request,
                action=TrailAction.LOGIN_FAILED,
                patient_id=None,
                detail=f"connexion refusée (trop de tentatives) : identifiant saisi {login}",
                user=account,
            )
