"""The one helper through which every read or write of patient data is traced."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router
from django.db.models import Model

from dcc.records.enums import TrailAction
from dcc.records.models import AccessTrail

# Set in the session at login by the authentication flows (password, otp, psc, contextual).
CONNECTION_METHOD_SESSION_KEY = "dcc_connection_method"
# Set on the request by the impersonation middleware: the administrator behind the keyboard.
IMPERSONATOR_ATTRIBUTE = "dcc_impersonator"


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _label(user) -> str:
    return str(user) if getattr(user, "is_authenticated", False) else "anonyme"


def _line(*, user, action: str, patient, obj: Model | None, request, detail: str, acting_as) -> AccessTrail:
    """One unsaved trail line: the shared shape of ``trail_record`` and ``trail_record_many``."""
    session = getattr(request, "session", None)
    impersonator = getattr(request, IMPERSONATOR_ATTRIBUTE, None) if request is not None else None
    if impersonator is not None and acting_as is None:
        acting_as, user = user, impersonator
    authenticated = getattr(user, "is_authenticated", False)
    return AccessTrail(
        user=user if authenticated else None,
        user_label=_label(user),
        acting_as=acting_as if getattr(acting_as, "is_authenticated", False) else None,
        acting_as_label=_label(acting_as) if acting_as is not None else "",
        patient_id=getattr(patient, "pk", patient),
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        connection_method=(session.get(CONNECTION_METHOD_SESSION_KEY, "") if session is not None else ""),
        ip_address=client_ip(request),
        detail=detail[:500],
    )


def trail_record(
    *,
    user,
    action: str,
    patient=None,
    obj: Model | None = None,
    request=None,
    detail: str = "",
    acting_as=None,
) -> AccessTrail:
    """Write one trail line, in the caller's transaction (call it inside the action's atomic block).

    During support impersonation (an administrator X using the DCC as user Y), the line names X
    as ``user`` and Y as ``acting_as``: "X agissant en tant que Y".
    """
    line = _line(
        user=user, action=action, patient=patient, obj=obj, request=request, detail=detail, acting_as=acting_as
    )
    return _insert([line])[0]


# The INSERT of trail lines, compiled once per process: nearly every page writes at least one line, and Django's
# save / bulk_create compiled it each time (about half of what a line cost, in process). One statement for any
# number of lines (``INSERT … SELECT * FROM unnest(one array per column)``): the same SQL text every time, so the
# connection keeps it prepared. Same columns, same values as ``Model.save`` writes.
_FIELDS = [field for field in AccessTrail._meta.concrete_fields if not field.primary_key]
_insert_sql: str | None = None


def _insert(lines: list[AccessTrail]) -> list[AccessTrail]:
    global _insert_sql
    alias = router.db_for_write(AccessTrail)
    connection = connections[alias]
    if _insert_sql is None:
        quote = connection.ops.quote_name  # the model's own table, column names and types
        table, key = quote(AccessTrail._meta.db_table), quote(AccessTrail._meta.pk.column)
        columns = ", ".join(quote(field.column) for field in _FIELDS)
        arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in _FIELDS)
        _insert_sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) RETURNING {key}"  # noqa: S608
    params = [[field.get_db_prep_save(getattr(line, field.attname), connection) for line in lines] for field in _FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql, params)
        keys = [row[0] for row in cursor.fetchall()]  # in the order of the arrays, as Django's bulk_create relies on
    for line, pk in zip(lines, keys, strict=True):
        line.pk = pk
        line._state.adding, line._state.db = False, alias
    return lines


def trail_record_many(
    *,
    user,
    action: str,
    items: Iterable[tuple[object, Model | None]],
    request=None,
    detail: str = "",
    acting_as=None,
) -> list[AccessTrail]:
    """Write one trail line per ``(patient, obj)`` of a page listing several patients, in one INSERT.

    The lines are those ``trail_record`` would write one by one (same who, how and from where); the
    append-only trigger refuses only UPDATE and DELETE, so a multi-row INSERT keeps the trail intact.
    """
    lines = [
        _line(user=user, action=action, patient=patient, obj=obj, request=request, detail=detail, acting_as=acting_as)
        for patient, obj in items
    ]
    return _insert(lines) if lines else []


def trail_record_lines(lines: Iterable[dict]) -> list[AccessTrail]:
    """Several lines, each exactly as ``trail_record(**line)`` would write it, in one INSERT.

    For a service that makes several writes at once (an identity created with its identifiers): every write
    keeps its own traced line, at the cost of one statement.
    """
    built = [
        _line(
            user=line.get("user"),
            action=line["action"],
            patient=line.get("patient"),
            obj=line.get("obj"),
            request=line.get("request"),
            detail=line.get("detail", ""),
            acting_as=line.get("acting_as"),
        )
        for line in lines
    ]
    return _insert(built) if built else []


def trail_search(*, request, patients: Iterable, detail: str) -> list[AccessTrail]:
    """A patient search: one summary line, and one line per patient shown (who saw which identity), in one INSERT."""
    patients = list(patients)

    def line(patient, text: str) -> AccessTrail:
        return _line(
            user=request.user,
            action=TrailAction.SEARCH,
            patient=patient,
            obj=None,
            request=request,
            detail=text,
            acting_as=None,
        )

    summary = line(None, f"{detail} : {len(patients)} résultat(s)")
    return _insert([summary, *(line(patient, f"{detail} : identité affichée") for patient in patients)])
