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
