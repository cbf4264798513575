"""The "document ready" hook: other apps (dispatch, later) subscribe to documents stored in the record.

Callbacks run after the storing transaction commits, with the stored ``Document``; a failing
callback is logged and does not affect the others or the stored document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_CALLBACKS: dict[str, Callable] = {}


def on_document_ready(name: str, callback: Callable) -> None:
    """Subscribe ``callback(document)`` under ``name`` (registering the same name again replaces it)."""
    _CALLBACKS[name] = callback


def remove_document_ready(name: str) -> None:
    _CALLBACKS.pop(name, None)


def document_ready_emit(document) -> None:
    for name, callback in list(_CALLBACKS.items()):
        try:
            callback(document)
        except Exception:  # one subscriber's failure must not hide the document from the others
            logger.exception("L'abonné « %s » a échoué sur le document %s", name, document.pk)


# --- "document stored" hook: runs INSIDE the storing transaction ---------------------------------
# For consequences that must commit with the document (the outbox rows of its sends). Each callback
# runs in a savepoint: a failing one is rolled back alone and logged; the document is still stored.

_STORED_CALLBACKS: dict[str, Callable] = {}


def on_document_stored(name: str, callback: Callable) -> None:
    """Subscribe ``callback(document)`` under ``name``, called in the transaction that stores a document."""
    _STORED_CALLBACKS[name] = callback


def remove_document_stored(name: str) -> None:
    _STORED_CALLBACKS.pop(name, None)


def document_stored_emit(document) -> None:
    from django.db import transaction

    for name, callback in list(_STORED_CALLBACKS.items()):
        try:
            with transaction.atomic():
                callback(document)
        except Exception:
            logger.exception("L'abonné « %s » a échoué sur le document %s (enregistrement)", name, document.pk)
