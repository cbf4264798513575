"""Who may see and act on the « Diffusion » block of a document."""

from __future__ import annotations

from dcc.accounts.perms import user_can
from dcc.records import access


def can_view_diffusion(user, document) -> bool:
    return access.can_view_patient(user, document.patient)


def can_send_document(user, document) -> bool:
    """The ``document_send`` right, within the document's establishment, on a patient the user may see."""
    establishment = document.establishment if document.establishment_id else None  # loaded with it where it can be
    return can_view_diffusion(user, document) and user_can(user, "document_send", establishment=establishment)
