"""Patients: strict identity traits (traits stricts), INS and RNIV status.

The strict traits are the national identity-vigilance set: birth name, first given name, the list
of given names, sex, birth date and birth place (INSEE/COG code). An INS is the patient's NIR or
NIA with its OID; only an INSi result can make an identity *qualifiée*.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dcc.directory.models import Professional
from identity.enums import IdentityOrigin, RnivStatus, Sex


class PatientQuerySet(models.QuerySet):
    def current(self):
        """Patients not absorbed by a merge."""
        return self.filter(merged_into__isnull=True)


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

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = self.birth_name.upper()
        if self.used_name and self.used_name.upper() != name:
            name = f"{self.used_name.upper()} (né{'e' if self.sex == Sex.FEMALE else ''} {name})"
        return f"{name} {self.used_first_name or self.first_given_name}"
