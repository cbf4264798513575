"""PPS (programme personnalisé de soins): EDP library, groupements, protocols, the PPS and its elements.

The PPAC (after-cancer programme) will reuse ``Pps`` through its ``programme`` field and the
same elements (surveillance EDPs over years), so the element and the transition log are not tied
to the PPS lifecycle's specifics.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from dcc.directory.models import Establishment, Professional, ThreeC
from identity.models import Patient
from pps.dates import MAX_SPAN_DAYS, Rule, rule_errors
from pps.edp_types import EDP_TYPES, EdpKind, missing_fields
from pps.enums import GroupScope, PpsStatus, ProtocolKind, RuleKind, UpdateReason


class Protocol(models.Model):
    """A therapeutic protocol of the regional base: drugs, cycle length, number of cycles, administration days."""

    name = models.CharField("nom", max_length=120, unique=True)
    kind = models.CharField(
        "type d'EDP", max_length=24, choices=ProtocolKind.choices, default=ProtocolKind.CHIMIOTHERAPIE
    )
    drugs = models.CharField("médicaments", max_length=500, help_text="Séparés par des virgules, par ex. CAELYX.")
    cycle_length_days = models.PositiveSmallIntegerField(
        "durée d'un cycle (jours)", validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    cycles = models.PositiveSmallIntegerField(
        "nombre de cycles", validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    administration_days = models.CharField(
        "jours d'administration", max_length=120, default="1", help_text="Jours du cycle, par ex. « 1, 8, 15 »."
    )
    comment = models.TextField("commentaire", blank=True)
    is_active = models.BooleanField("actif", default=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "protocole thérapeutique"
        verbose_name_plural = "protocoles thérapeutiques"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(cycles__gte=1), name="protocol_at_least_one_cycle"),
            models.CheckConstraint(condition=models.Q(cycle_length_days__gte=1), name="protocol_cycle_length_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def day_numbers(self) -> list[int]:
        return parse_days(self.administration_days)

    @property
    def drug_list(self) -> list[str]:
        return [drug.strip() for drug in self.drugs.split(",") if drug.strip()]

    def administrations(self, start: datetime.date) -> list[tuple[int, int, datetime.date]]:
        """(cycle, day of cycle, date) of every administration when cycle 1 day 1 is ``start``."""
        return [
            (cycle, day, start + datetime.timedelta(days=(cycle - 1) * self.cycle_length_days + day - 1))
            for cycle in range(1, self.cycles + 1)
            for day in self.day_numbers
        ]

    def clean(self):
        errors = protocol_errors(
            cycles=self.cycles, cycle_length_days=self.cycle_length_days, administration_days=self.administration_days
        )
        if errors:
            raise ValidationError(errors)


def parse_days(text: str) -> list[int]:
    """ "1, 8, 15" (or "1+8+15", "1 8 15", "1/8/15") → [1, 8, 15]; raises ValueError on anything else."""
    parts = [part for part in text.replace("+", " ").replace(",", " ").replace("/", " ").split() if part]
    if not parts:
        raise ValueError("Indiquez au moins un jour d'administration (par ex. « 1 » ou « 1, 8, 15 »).")
    try:
        days = sorted({int(part) for part in parts})
    except ValueError:
        raise ValueError(f"Jours d'administration illisibles : « {text} » (attendu par ex. « 1, 8, 15 »).") from None
    return days


def protocol_errors(*, cycles, cycle_length_days, administration_days: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if cycles is None or cycles < 1:
        errors["cycles"] = "Un protocole compte au moins un cycle (zéro cycle refusé)."
    elif cycles > 200:
        errors["cycles"] = "Plus de 200 cycles : vérifiez le nombre de cycles."
    if cycle_length_days is None or cycle_length_days < 1:
        errors["cycle_length_days"] = "La durée d'un cycle est d'au moins un jour."
    elif cycle_length_days > 366:
        errors["cycle_length_days"] = "Un cycle de plus d'un an : vérifiez la durée du cycle."
    try:
        days = parse_days(administration_days or "")
    except ValueError as exc:
        errors["administration_days"] = str(exc)
    else:
        if cycle_length_days and cycle_length_days >= 1 and (days[0] < 1 or days[-1] > cycle_length_days):
            errors["administration_days"] = (
                f"Les jours d'administration doivent être compris entre 1 et {cycle_length_days} (durée du cycle)."
            )
    if not errors and cycles * cycle_length_days > MAX_SPAN_DAYS:
        errors["cycles"] = "Le protocole dure plus de 5 ans : vérifiez le nombre et la durée des cycles."
    return errors


class EdpGroupQuerySet(models.QuerySet):
    def available_to(self, user):
        """The regional library and the user's own groupements."""
        return self.filter(models.Q(scope=GroupScope.REGIONAL) | models.Q(owner_id=user.pk), is_active=True)


class EdpGroup(models.Model):
    """A groupement d'EDP: an ordered list of elements with relative date rules."""

    name = models.CharField("nom", max_length=120)
    patient_comment = models.TextField("commentaire / description pour le patient", blank=True)
    scope = models.CharField("bibliothèque", max_length=12, choices=GroupScope.choices, default=GroupScope.PERSONAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="propriétaire",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="edp_groups",
    )
    favourited_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="EdpGroupFavourite", related_name="favourite_edp_groups", blank=True
    )
    is_active = models.BooleanField("actif", default=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = EdpGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "groupement d'EDP"
        verbose_name_plural = "groupements d'EDP"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope=GroupScope.REGIONAL) | models.Q(owner__isnull=False),
                name="personal_group_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def rules(self) -> list[Rule]:
        return [element.rule for element in self.elements.all()]


class EdpGroupFavourite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(EdpGroup, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "groupement favori"
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="unique_edp_group_favourite")]

    def __str__(self) -> str:
        return f"{self.user} ★ {self.group}"


class EdpFields(models.Model):
    """What an EDP says besides its date: type, label, where, who, how often."""

    kind = models.CharField("type d'EDP", max_length=24, choices=EdpKind.choices)
    label = models.CharField("libellé", max_length=200, blank=True)
    establishment = models.ForeignKey(
        Establishment, verbose_name="établissement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    place = models.CharField("lieu (service, site)", max_length=200, blank=True)
    referring_doctor = models.ForeignKey(
        Professional, verbose_name="médecin référent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    protocol = models.ForeignKey(
        Protocol, verbose_name="protocole", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rhythm = models.CharField("rythme", max_length=200, blank=True, help_text="Par ex. « 1 comprimé par jour ».")
    comment = models.CharField("commentaire", max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def type(self):
        return EDP_TYPES[self.kind]

    @property
    def title(self) -> str:
        return self.label or self.get_kind_display()


class EdpGroupElement(EdpFields):
    group = models.ForeignKey(EdpGroup, on_delete=models.CASCADE, related_name="elements")
    position = models.PositiveSmallIntegerField("ordre")
    rule_kind = models.CharField("date relative", max_length=32, choices=RuleKind.choices)
    delay = models.PositiveSmallIntegerField("délai (jours)", default=0)

    class Meta:
        verbose_name = "élément de groupement"
        ordering = ["group", "position"]
        constraints = [models.UniqueConstraint(fields=["group", "position"], name="unique_group_element_position")]

    def __str__(self) -> str:
        return f"{self.group} — {self.position}. {self.title}"

    @property
    def rule(self) -> Rule:
        return Rule(self.rule_kind, self.delay)

    @property
    def rule_text(self) -> str:
        return self.rule.describe(first=self.position == 1)

    def clean(self):
        errors = rule_errors([self.rule])
        if errors:
            raise ValidationError({"delay": errors[0]})


class PpsQuerySet(models.QuerySet):
    def current(self):
        """The latest version of each PPS (not replaced by a newer version)."""
        return self.filter(superseded_by__isnull=True)

    def produced(self):
        return self.exclude(validated_at__isnull=True)


class Programme(models.TextChoices):
    PPS = "pps", "PPS"
    PPAC = "ppac", "PPAC"


class Pps(models.Model):
    """One version of a patient's PPS. A new version copies the previous one and states why (motif)."""

    programme = models.CharField("programme", max_length=4, choices=Programme.choices, default=Programme.PPS)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="pps")
    version = models.PositiveSmallIntegerField("version", default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name="version précédente",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    status = models.CharField("statut", max_length=12, choices=PpsStatus.choices, default=PpsStatus.DRAFT)
    update_reason = models.CharField("motif de mise à jour", max_length=16, choices=UpdateReason.choices, blank=True)
    update_reason_detail = models.CharField("précision sur le motif", max_length=500, blank=True)
    # The validated fiche RCP whose proposition this PPS follows (the patient's most recent by default);
    # a PPS validated without one states why (below).
    rcp_fiche = models.ForeignKey(
        "rcp.Fiche",
        verbose_name="fiche RCP (proposition suivie)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    no_rcp_reason = models.CharField("raison de la validation sans proposition RCP", max_length=500, blank=True)
    patient_comment = models.TextField("commentaire pour le patient", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.PROTECT, related_name="+"
    )
    author_profile = models.CharField("profil de l'auteur", max_length=32, blank=True)
    establishment = models.ForeignKey(
        Establishment, verbose_name="établissement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    three_c = models.ForeignKey(
        ThreeC, verbose_name="3C", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="validé par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    delivered_on = models.DateField("date de remise au patient", null=True, blank=True)

    objects = PpsQuerySet.as_manager()

    class Meta:
        verbose_name = "PPS"
        verbose_name_plural = "PPS"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-created_at"]),
            models.Index(fields=["validated_at"]),
            models.Index(fields=["author", "-created_at"]),  # the author's latest programmes (pps:home)
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version=1) | ~models.Q(update_reason=""), name="pps_new_version_has_reason"
            ),
            models.CheckConstraint(
                condition=models.Q(status=PpsStatus.DRAFT) | models.Q(validated_at__isnull=False),
                name="pps_validated_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PpsStatus.DELIVERED) | models.Q(delivered_on__isnull=False),
                name="pps_delivered_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} v{self.version} — {self.patient}"

    @property
    def is_draft(self) -> bool:
        return self.status == PpsStatus.DRAFT

    @property
    def is_validated(self) -> bool:
        return self.status == PpsStatus.VALIDATED

    @property
    def is_ppac(self) -> bool:
        return self.programme == Programme.PPAC

    @property
    def is_current(self) -> bool:
        """Not replaced by a newer version."""
        try:
            return self.superseded_by is None
        except ObjectDoesNotExist:
            return True


class PpsTransition(models.Model):
    """The PPS lifecycle log: every status change, who, when, and the stated reason."""

    pps = models.ForeignKey(Pps, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField("de", max_length=12, choices=PpsStatus.choices, blank=True)
    to_status = models.CharField("vers", max_length=12, choices=PpsStatus.choices)
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("note", max_length=500, blank=True)

    class Meta:
        verbose_name = "changement de statut du PPS"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.pps}: {self.from_status or '—'} → {self.to_status}"


class PpsBlock(models.Model):
    """A groupement instantiated in a PPS, with its own start date: its elements' dates follow it."""

    pps = models.ForeignKey(Pps, on_delete=models.CASCADE, related_name="blocks")
    source = models.ForeignKey(EdpGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField("nom", max_length=120)
    start_date = models.DateField("date de début")
    patient_comment = models.TextField("commentaire pour le patient", blank=True)

    class Meta:
        verbose_name = "groupement du PPS"
        ordering = ["start_date", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date:%d/%m/%Y})"


class PpsElement(EdpFields):
    """One EDP of a PPS. In a block, its date comes from its rule unless the user overrode it."""

    pps = models.ForeignKey(Pps, on_delete=models.CASCADE, related_name="elements")
    block = models.ForeignKey(PpsBlock, on_delete=models.CASCADE, null=True, blank=True, related_name="elements")
    position = models.PositiveSmallIntegerField("ordre dans le groupement", default=1)
    rule_kind = models.CharField("date relative", max_length=32, choices=RuleKind.choices, blank=True)
    delay = models.PositiveSmallIntegerField("délai (jours)", default=0)
    computed_date = models.DateField("date calculée", null=True, blank=True)
    planned_date = models.DateField("date prévue")
    is_overridden = models.BooleanField("date modifiée à la main", default=False)
    end_date = models.DateField("fin de la période", null=True, blank=True)
    protocol_cycle = models.PositiveSmallIntegerField("cycle", null=True, blank=True)
    protocol_day = models.PositiveSmallIntegerField("jour du cycle", null=True, blank=True)

    class Meta:
        verbose_name = "élément de parcours (EDP)"
        verbose_name_plural = "éléments de parcours (EDP)"
        ordering = ["planned_date", "block_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("planned_date")),
                name="pps_element_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.planned_date:%d/%m/%Y}"

    @property
    def rule(self) -> Rule:
        return Rule(self.rule_kind, self.delay)

    @property
    def rule_text(self) -> str:
        return self.rule.describe(first=self.position == 1) if self.rule_kind else ""

    @property
    def precedes_block_start(self) -> bool:
        """A kept manual date that a later change of start date left before the groupement's start."""
        return self.block_id is not None and self.planned_date < self.block.start_date

    @property
    def override_differs(self) -> bool:
        return self.is_overridden and self.computed_date is not None and self.computed_date != self.planned_date

    def missing(self) -> dict[str, str]:
        return missing_fields(
            self.kind,
            {
                "planned_date": self.planned_date,
                "end_date": self.end_date,
                "establishment": self.establishment_id,
                "place": self.place,
                "referring_doctor": self.referring_doctor_id,
                "protocol": self.protocol_id,
                "rhythm": self.rhythm,
            },
        )


class PpsContact(models.Model):
    """A useful contact printed on the PPS (from the directory)."""

    pps = models.ForeignKey(Pps, on_delete=models.CASCADE, related_name="contacts")
    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField("rôle", max_length=120)
    phone = models.CharField("téléphone", max_length=30, blank=True)

    class Meta:
        verbose_name = "contact utile"
        verbose_name_plural = "contacts utiles"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["pps", "professional", "role"], name="unique_pps_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.professional} ({self.role})"
