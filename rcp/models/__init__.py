"""The RCP app's models: the catalogue and agenda (``catalogue.py``), dossiers, fiches and concertations
(``dossiers.py``). Re-exported here, as Django and the migrations name them ``rcp.models.<Model>``."""

from rcp.models.catalogue import (
    Attendance,
    CalendarFeed,
    CodeListEntry,
    MentionCategory,
    Rcp,
    RcpMember,
    RcpQuerySet,
    Recurrence,
    Session,
    SessionQuerySet,
    SessionTransition,
    SpecialtyTag,
    new_token,
)
from rcp.models.dossiers import (
    FICHE_CODED_FIELDS,
    FICHE_CONTENT_FIELDS,
    FICHE_COPY_FORWARD_FIELDS,
    Concertation,
    Dossier,
    DossierAttachment,
    DossierTransition,
    Fiche,
    FicheVersion,
)

__all__ = [
    "FICHE_CODED_FIELDS",
    "FICHE_CONTENT_FIELDS",
    "FICHE_COPY_FORWARD_FIELDS",
    "Attendance",
    "CalendarFeed",
    "CodeListEntry",
    "Concertation",
    "Dossier",
    "DossierAttachment",
    "DossierTransition",
    "Fiche",
    "FicheVersion",
    "MentionCategory",
    "Rcp",
    "RcpMember",
    "RcpQuerySet",
    "Recurrence",
    "Session",
    "SessionQuerySet",
    "SessionTransition",
    "SpecialtyTag",
    "new_token",
]
