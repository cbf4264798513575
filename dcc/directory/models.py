"""The regional directory: 3C, establishments (FINESS), professionals (RPPS) and where they practise."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper

from dcc.directory.enums import (
    Civility,
    EstablishmentType,
    MssAddressAction,
    MssAddressStatus,
    MssMailboxType,
    PracticeRole,
    Profession,
)
from dcc.directory.validators import validate_finess, validate_rpps


class ThreeC(models.Model):
    """A *Centre de Coordination en Cancérologie*: runs the RCP agenda of its establishments."""

    name = models.CharField("nom", max_length=200, unique=True)
    code = models.SlugField("code", max_length=60, unique=True)
    email = models.EmailField("adresse de contact", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "3C"
        verbose_name_plural = "3C"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EstablishmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Establishment(models.Model):
    finess_geo = models.CharField("FINESS géographique", max_length=9, unique=True, validators=[validate_finess])
    finess_legal = models.CharField("FINESS juridique", max_length=9, blank=True, validators=[validate_finess])
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=20, choices=EstablishmentType.choices)
    town = models.CharField("commune", max_length=120)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    three_c = models.ForeignKey(
        ThreeC,
        verbose_name="3C",
        on_delete=models.PROTECT,
        related_name="establishments",
        null=True,
        blank=True,
    )
    phone = models.CharField("téléphone", max_length=30, blank=True)
    oid = models.CharField(
        "OID d'identification", max_length=64, blank=True, help_text="Racine des identifiants locaux (IPP)."
    )
    is_active = models.BooleanField("actif", default=True)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        verbose_name = "établissement"
        ordering = ["name"]
        indexes = [GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="establishment_name_trgm")]

    def __str__(self) -> str:
        return f"{self.name} ({self.town})" if self.town.upper() not in self.name.upper() else self.name


class Specialty(models.Model):
    """An author specialty from the national value set JDV_J01 (XdsAuthorSpecialty)."""

    code = models.CharField("code", max_length=40, primary_key=True)
    code_system = models.CharField("système de codage", max_length=64)
    label = models.CharField("libellé", max_length=255)

    class Meta:
        verbose_name = "spécialité"
        ordering = ["label"]

    def __str__(self) -> str:
        return self.short_label

    @property
    def short_label(self) -> str:
        """ "Médecin - Pneumologie (SM)" → "Pneumologie"."""
        label = self.label.removeprefix("Médecin - ")
        if label.endswith(")") and " (" in label:
            label = label.rsplit(" (", 1)[0]
        return label


class ProfessionalQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Professional(models.Model):
    """A health professional of the RPPS directory (or known locally when without RPPS)."""

    rpps = models.CharField(
        "numéro RPPS", max_length=11, unique=True, null=True, blank=True, validators=[validate_rpps]
    )
    civility = models.CharField("civilité", max_length=3, choices=Civility.choices, blank=True)
    last_name = models.CharField("nom", max_length=120)
    first_name = models.CharField("prénom", max_length=120)
    profession = models.CharField("profession", max_length=8, choices=Profession.choices)
    specialty = models.ForeignKey(Specialty, verbose_name="spécialité", on_delete=models.PROTECT, null=True, blank=True)
    mss_address = models.EmailField("adresse MSSanté", blank=True)
    email = models.EmailField("adresse e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_liberal = models.BooleanField("exercice libéral", default=False)
    is_active = models.BooleanField("en activité", default=True)
    establishments = models.ManyToManyField(
        Establishment,
        through="PlaceOfPractice",
        related_name="professionals",
        verbose_name="lieux d'exercice",
    )

    objects = ProfessionalQuerySet.as_manager()

    class Meta:
        verbose_name = "professionnel de santé"
        verbose_name_plural = "professionnels de santé"
        ordering = ["last_name", "first_name"]
        indexes = [
            GinIndex(OpClass(Upper("last_name"), name="gin_trgm_ops"), name="professional_last_name_trgm"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        prefix = self.get_civility_display() if self.civility else ""
        return " ".join(part for part in (prefix, self.first_name, self.last_name.upper()) if part)

    @property
    def is_general_practitioner(self) -> bool:
        return self.specialty_id in GENERAL_PRACTICE_CODES


GENERAL_PRACTICE_CODES = frozenset({"G15_10/SM26", "G15_10/SM53", "G15_10/SM54"})


class PlaceOfPractice(models.Model):
    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="places")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="places")
    role = models.CharField("rôle", max_length=20, choices=PracticeRole.choices)
    service = models.CharField("service", max_length=200, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_primary = models.BooleanField("lieu principal", default=False)
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)

    class Meta:
        verbose_name = "lieu d'exercice"
        verbose_name_plural = "lieux d'exercice"
        constraints = [
            models.UniqueConstraint(fields=["professional", "establishment", "role"], name="unique_place_of_practice"),
        ]

    def __str__(self) -> str:
        return f"{self.professional} — {self.establishment} ({self.get_role_display()})"


class MssAddress(models.Model):
    """One MSSanté address known to the DCC (the address book of the directory) and its data-quality status.

    ``Professional.mss_address`` stays the address the senders use; this table keeps every address
    imported or worked on, so that an address marked invalid after permanent failures is not
    brought back by the next import, and a corrected one says what replaced it.
    """

    address = models.EmailField("adresse MSSanté", max_length=254, unique=True)
    mailbox_type = models.CharField("type de boîte", max_length=3, choices=MssMailboxType.choices, blank=True)
    professional = models.ForeignKey(
        Professional,
        verbose_name="professionnel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mss_addresses",
    )
    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mss_addresses",
    )
    status = models.CharField("état", max_length=10, choices=MssAddressStatus.choices, default=MssAddressStatus.ACTIVE)
    replaced_by = models.EmailField("remplacée par", blank=True)
    status_note = models.CharField("motif", max_length=300, blank=True)
    status_changed_at = models.DateTimeField("état modifié le", null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="état modifié par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "adresse MSSanté"
        verbose_name_plural = "adresses MSSanté"
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address


class MssAddressEvent(models.Model):
    """What was done to an MSSanté address, by whom and why (the data-quality log)."""

    mss_address = models.ForeignKey(MssAddress, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("action", max_length=20, choices=MssAddressAction.choices)
    detail = models.CharField("détail", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "action sur une adresse MSSanté"
        verbose_name_plural = "actions sur les adresses MSSanté"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.mss_address} — {self.get_action_display()}"
