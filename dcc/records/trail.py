"""The one helper through which every read or write of patient data is traced."""

from __future__ import annotations

from django.db.models import Model

from dcc.records.models import AccessTrail

# Set in the session at login by the authentication flows (password, otp, psc, contextual).
CONNECTION_METHOD_SESSION_KEY = "dcc_connection_method"


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def trail_record(
    *,
    user,
    action: str,
    patient=None,
    obj: Model | None = None,
    request=None,
    detail: str = "",
) -> AccessTrail:
    """Write one trail line, in the caller's transaction (call it inside the action's atomic block)."""
    session = getattr(request, "session", None)
    return AccessTrail.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        user_label=str(user) if getattr(user, "is_authenticated", False) else "anonyme",
        patient_id=getattr(patient, "pk", patient),
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        connection_method=(session.get(CONNECTION_METHOD_SESSION_KEY, "") if session is not None else ""),
        ip_address=client_ip(request),
        detail=detail[:500],
    )
