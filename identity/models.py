"""Patients: strict identity traits (traits stricts), INS and RNIV status.

The strict traits are the national identity-vigilance set: birth name, first given name, the list
of given names, sex, birth date and birth place (INSEE/COG code). An INS is the patient's NIR or
NIA with its OID; only an INSi result can make an identity *qualifiée*.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.utils import timezone

from dcc.directory.models import Establishment, Professional
from identity.enums import (
    ChangeKind,
    IdentityOrigin,
    InsiDecision,
    InsiOperation,
    ProofDocument,
    RnivStatus,
    Sex,
)


class IdentityNorm(models.Func):
    """``identity_norm(text)``: upper case without accents, an IMMUTABLE SQL function (migration 0002)."""

    function = "identity_norm"
    output_field = models.TextField()


class IdentitySearchText(models.Func):
    """``identity_search_text(birth, used, first, given, used_first)``: every name, normalised, in one string."""

    function = "identity_search_text"
    output_field = models.TextField()


class PatientQuerySet(models.QuerySet):
    def current(self):
        """Patients not absorbed by a merge."""
        return self.filter(merged_into__isnull=True)


# The columns ``Patient.display_name`` reads: what a list of patients' names needs to load (``.only``).
DISPLAY_NAME_FIELDS = ("birth_name", "used_name", "sex", "used_first_name", "first_given_name")


class Patient(models.Model):
    birth_name = models.CharField("nom de naissance", max_length=100)
    first_given_name = models.CharField("premier prénom de naissance", max_length=100)
    given_names = models.CharField("prénoms de naissance", max_length=255, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("date de naissance")
    birth_place_code = models.CharField(
        "lieu de naissance (code INSEE)", max_length=5, blank=True, help_text="99999 si inconnu, 99XXX à l'étranger."
    )
    used_name = models.CharField("nom utilisé", max_length=100, blank=True)
    used_first_name = models.CharField("prénom utilisé", max_length=100, blank=True)
    ins_matricule = models.CharField("matricule INS (NIR ou NIA)", max_length=15, blank=True)
    ins_oid = models.CharField("OID de l'INS", max_length=32, blank=True)
    rniv_status = models.CharField(
        "statut de l'identité", max_length=12, choices=RnivStatus.choices, default=RnivStatus.PROVISOIRE
    )
    general_practitioner = models.ForeignKey(
        Professional,
        verbose_name="médecin traitant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gp_patients",
    )
    date_of_death = models.DateField("date de décès", null=True, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=10, blank=True)
    town = models.CharField("commune", max_length=120, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse e-mail", blank=True)
    proof_document = models.CharField(
        "justificatif d'identité vu", max_length=20, choices=ProofDocument.choices, blank=True
    )
    proof_checked_at = models.DateTimeField("justificatif vu le", null=True, blank=True)
    proof_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="justificatif vu par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    insi_checked_at = models.DateTimeField("dernier résultat INSi accepté le", null=True, blank=True)
    name_norm = models.GeneratedField(
        expression=IdentityNorm("birth_name"), output_field=models.TextField(), db_persist=True
    )
    search_text = models.GeneratedField(
        expression=IdentitySearchText("birth_name", "used_name", "first_given_name", "given_names", "used_first_name"),
        output_field=models.TextField(),
        db_persist=True,
    )
    origin = models.CharField("origine", max_length=12, choices=IdentityOrigin.choices, default=IdentityOrigin.UI)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="fusionné dans",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="absorbed",
    )
    merged_at = models.DateTimeField("fusionné le", null=True, blank=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        verbose_name = "patient"
        ordering = ["birth_name", "first_given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ins_matricule", "ins_oid"],
                condition=models.Q(ins_matricule__gt="") & models.Q(merged_into__isnull=True),
                name="unique_current_ins",
            )
        ]
        indexes = [
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="patient_search_text_trgm"),
            GinIndex(OpClass("name_norm", name="gin_trgm_ops"), name="patient_name_norm_trgm"),
            models.Index(OpClass("name_norm", name="text_pattern_ops"), name="patient_name_norm_prefix"),
            models.Index(fields=["birth_date"], name="patient_birth_date"),
            models.Index(fields=["ins_matricule"], name="patient_ins_matricule"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = self.birth_name.upper()
        if self.used_name and self.used_name.upper() != name:
            name = f"{self.used_name.upper()} (né{'e' if self.sex == Sex.FEMALE else ''} {name})"
        return f"{name} {self.used_first_name or self.first_given_name}"

    @property
    def ins_exchangeable(self) -> bool:
        """Whether the INS may travel with this identity (CDA, MSSanté X-MSS-INS, HL7, DataMatrix, patient mailbox).

        The identity-vigilance rule (RNIV): only a *qualifiée* identity is exchanged with its INS. This property is the
        one place that says so; every channel asks it.
        """
        return self.rniv_status == RnivStatus.QUALIFIEE and bool(self.ins_matricule) and bool(self.ins_oid)

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def is_validee(self) -> bool:
        """A *validée* identity: a strict trait edited by hand sends it back to *provisoire*."""
        return self.rniv_status == RnivStatus.VALIDEE

    @property
    def strict_traits(self) -> dict[str, str]:
        return {
            "birth_name": self.birth_name,
            "first_given_name": self.first_given_name,
            "given_names": self.given_names,
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "birth_place_code": self.birth_place_code,
        }


class LocalIdentifier(models.Model):
    """A patient's local identifier (IPP) in one establishment, qualified by the establishment's OID."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="local_identifiers")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    value = models.CharField("IPP", max_length=40)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "identifiant local (IPP)"
        verbose_name_plural = "identifiants locaux (IPP)"
        constraints = [models.UniqueConstraint(fields=["establishment", "value"], name="unique_ipp_per_establishment")]
        indexes = [models.Index(fields=["value"], name="local_identifier_value")]

    def __str__(self) -> str:
        return f"{self.value} ({self.establishment})"

    @property
    def assigning_authority_oid(self) -> str:
        return self.establishment.oid


class IdentityChange(models.Model):
    """The identity-change log: who changed what, when, why, with the values before and after."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="identity_changes")
    at = models.DateTimeField("date", default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField("nature", max_length=16, choices=ChangeKind.choices)
    reason = models.CharField("motif", max_length=500, blank=True)
    before = models.JSONField("avant", default=dict, blank=True)
    after = models.JSONField("après", default=dict, blank=True)

    class Meta:
        verbose_name = "modification d'identité"
        verbose_name_plural = "modifications d'identité"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "-at"], name="identity_change_patient_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_kind_display()} ({self.patient_id})"


class InsiLookup(models.Model):
    """One INSi call for a patient, its result, and the user's decision on the returned identity."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="insi_lookups")
    operation = models.CharField("opération", max_length=10, choices=InsiOperation.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField("date de l'appel", default=timezone.now)
    code_cr = models.CharField("code compte rendu", max_length=2)
    label_cr = models.CharField("libellé du compte rendu", max_length=255, blank=True)
    matricule = models.CharField("matricule INS renvoyé", max_length=15, blank=True)
    oid = models.CharField("OID renvoyé", max_length=32, blank=True)
    traits = models.JSONField("traits renvoyés", default=dict, blank=True)
    decision = models.CharField("décision", max_length=10, choices=InsiDecision.choices, default=InsiDecision.NONE)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)

    class Meta:
        verbose_name = "appel INSi"
        verbose_name_plural = "appels INSi"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"INSi {self.get_operation_display()} CR {self.code_cr} ({self.patient_id})"


class PatientMerge(models.Model):
    """A merge: ``absorbed`` now redirects to ``kept``; ``moved`` lists the rows moved, for the reversal."""

    kept = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_kept")
    absorbed = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_absorbed")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_at = models.DateTimeField("fusionné le", default=timezone.now)
    reason = models.CharField("motif", max_length=500, blank=True)
    source = models.CharField("origine", max_length=60, blank=True, help_text="UI, HL7 A40…")
    moved = models.JSONField("lignes déplacées", default=dict, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reverted_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "fusion d'identités"
        verbose_name_plural = "fusions d'identités"
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.kept_id}"
