from django.db import models


class Nature(models.TextChoices):
    """Nature of the discussion (FRCP jdv-nature-discussion-cisis: ORG-117 / ORG-132)."""

    ORGANE = "ORG-117", "RCP Appareil - Organes"
    TRANSVERSALE = "ORG-132", "RCP Transversale et de soins de support"


class MemberRole(models.TextChoices):
    COORDINATOR = "coordinateur", "Coordonnateur"
    MEMBER = "membre", "Membre"
    GUEST = "invite", "Invité permanent"


class RecurrenceKind(models.TextChoices):
    WEEKLY = "hebdo", "Toutes les N semaines"
    MONTHLY = "mensuel", "Le Ne jour de la semaine du mois"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "lundi"
    TUESDAY = 1, "mardi"
    WEDNESDAY = 2, "mercredi"
    THURSDAY = 3, "jeudi"
    FRIDAY = 4, "vendredi"
    SATURDAY = 5, "samedi"
    SUNDAY = 6, "dimanche"


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, "premier"
    SECOND = 2, "deuxième"
    THIRD = 3, "troisième"
    FOURTH = 4, "quatrième"
    LAST = -1, "dernier"


class SessionStatus(models.TextChoices):
    PLANNED = "planifiee", "Planifiée"
    OPEN = "ouverte", "Ouverte"
    CLOSED = "cloturee", "Clôturée"
    CANCELLED = "annulee", "Annulée"


# Allowed status changes; anything else is refused by the services.
SESSION_TRANSITIONS: dict[str, frozenset[str]] = {
    SessionStatus.PLANNED: frozenset({SessionStatus.OPEN, SessionStatus.CANCELLED}),
    SessionStatus.OPEN: frozenset({SessionStatus.CLOSED, SessionStatus.PLANNED}),
    SessionStatus.CLOSED: frozenset(),
    SessionStatus.CANCELLED: frozenset(),
}


class AttendanceMode(models.TextChoices):
    ROOM = "salle", "Présent en salle"
    VIDEO = "visio", "Présent en visioconférence"
    EXCUSED = "excuse", "Excusé"


class DossierStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    REGISTERED = "inscrit", "Inscrit"
    PRESENTED = "presente", "Présenté"
    VALIDATED = "valide", "Validé"
    POSTPONED = "reporte", "Reporté"
    CANCELLED = "annule", "Annulé"
    TO_REPRESENT = "a_representer", "À représenter"


# Allowed dossier status changes; anything else is refused by the services. A postponed dossier
# and a dossier "à représenter" are re-registered to the next session of the same RCP (a new
# dossier linked to this one), so both are final for this dossier.
DOSSIER_TRANSITIONS: dict[str, frozenset[str]] = {
    DossierStatus.DRAFT: frozenset({DossierStatus.REGISTERED, DossierStatus.CANCELLED}),
    DossierStatus.REGISTERED: frozenset(
        {DossierStatus.PRESENTED, DossierStatus.POSTPONED, DossierStatus.CANCELLED, DossierStatus.TO_REPRESENT}
    ),
    DossierStatus.PRESENTED: frozenset({DossierStatus.VALIDATED, DossierStatus.TO_REPRESENT, DossierStatus.POSTPONED}),
    DossierStatus.VALIDATED: frozenset(),
    DossierStatus.POSTPONED: frozenset(),
    DossierStatus.CANCELLED: frozenset(),
    DossierStatus.TO_REPRESENT: frozenset(),
}
# Statuses that still count against a session's capacity.
DOSSIER_ACTIVE = frozenset(
    {DossierStatus.DRAFT, DossierStatus.REGISTERED, DossierStatus.PRESENTED, DossierStatus.VALIDATED}
)

# Statuses of the dossiers the live session steps through (« suivant », « précédent »).
DOSSIER_PRESENTABLE = (DossierStatus.REGISTERED, DossierStatus.PRESENTED, DossierStatus.VALIDATED)

# The live session's quick proposition edits the options ranked 1 to this; those ranked after it are kept.
QUICK_PROPOSITION_RANKS = 2

# Statuses in which the requesting side may still change the documents attached from the record.
DOSSIER_ATTACHMENTS_EDITABLE = frozenset({DossierStatus.DRAFT, DossierStatus.REGISTERED})


class DossierMotive(models.TextChoices):
    FIRST = "premiere", "Première présentation"
    REPRESENTATION = "representation", "Re-présentation"
    POSTOP = "postop", "Post-opératoire"
    RELAPSE = "rechute", "Rechute / progression"
    DIAGNOSTIC = "diagnostic", "Avis diagnostique"
    FOLLOW_UP = "suivi", "Surveillance / fin de traitement"


class DiscoveryMode(models.TextChoices):
    SCREENING = "depistage", "Dépistage organisé"
    SYMPTOMS = "symptomes", "Symptômes"
    INCIDENTAL = "fortuite", "Découverte fortuite"
    FOLLOW_UP = "surveillance", "Surveillance d'une pathologie connue"


class TnmKind(models.TextChoices):
    CLINICAL = "c", "Clinique (cTNM)"
    PATHOLOGICAL = "p", "Anatomopathologique (pTNM)"
    POST_NEOADJUVANT = "yp", "Après traitement néoadjuvant (ypTNM)"


# The record's source type of a validated fiche version's document (settings.DCC_DOCUMENT_PRODUCERS).
FICHE_DOCUMENT_SOURCE = "rcp.ficheversion"
