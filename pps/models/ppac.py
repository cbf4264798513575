"""PPAC (programme personnalisé de l'après-cancer): the after-cancer programme of a patient.

A PPAC is a ``Pps`` whose ``programme`` is ``ppac``: it shares the PPS lifecycle (status,
versions with a motif, transition log), contacts and elements. What is specific lives here:

- ``PpacPlan`` (one per PPAC version): the start of the follow-up, the treatments received, the
  PPS it was made from and the template it started from;
- ``PpacFollowUp``: a follow-up line ("consultation tous les 6 mois pendant 2 ans puis tous les ans
  jusqu'à 5 ans"), who does it (hospital team, GP, other; named when known) and the ``PpsElement``
  occurrences it generated (shown on the calendar, read by the documents);
- ``PpacAdvice``: the advice sections (activité physique, nutrition…), free text per section;
- ``PpacTemplate`` / ``PpacTemplateLine``: the regional library of follow-up templates per
  cancer type, managed by the administrator.

Everything a PDF or CDA mapper needs is on these models (``Pps.ppac``, ``Pps.follow_ups``,
``Pps.advice``, ``Pps.contacts``, ``Pps.elements``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from dcc.directory.models import Professional
from pps.edp_types import EDP_TYPES, EdpKind
from pps.models.pps import Pps, PpsElement
from pps.ppac_schedule import Phase, describe, phases_from_json, schedule_errors


class Responsible(models.TextChoices):
    HOSPITAL = "hospital", "Équipe hospitalière"
    GP = "gp", "Médecin traitant"
    SHARED = "shared", "En alternance : équipe hospitalière et médecin traitant"
    OTHER = "other", "Autre professionnel"


class AdviceSection(models.TextChoices):
    ACTIVITE_PHYSIQUE = "activite_physique", "Activité physique"
    NUTRITION = "nutrition", "Nutrition"
    RETOUR_EMPLOI = "retour_emploi", "Retour à l'emploi et vie professionnelle"
    SOINS_SUPPORT = "soins_support", "Soins de support"
    VIE_QUOTIDIENNE = "vie_quotidienne", "Vie quotidienne, droits et aides"
    SIGNES_ALERTE = "signes_alerte", "Signes d'alerte : quand consulter sans attendre"


DEFAULT_ADVICE = {
    AdviceSection.ACTIVITE_PHYSIQUE: (
        "Une activité physique régulière, adaptée à votre forme, réduit la fatigue et le risque de rechute. "
        "L'objectif est d'au moins 30 minutes d'activité modérée (marche rapide, vélo, natation) 5 jours par "
        "semaine. Votre médecin peut vous prescrire une activité physique adaptée."
    ),
    AdviceSection.NUTRITION: (
        "Mangez varié et équilibré : fruits et légumes chaque jour, peu de viande rouge et de charcuterie, "
        "limitez l'alcool. Surveillez votre poids ; une consultation avec un(e) diététicien(ne) est possible."
    ),
    AdviceSection.RETOUR_EMPLOI: (
        "Le retour au travail se prépare : parlez-en avec votre médecin du travail (visite de pré-reprise). "
        "Un temps partiel thérapeutique ou un aménagement du poste peuvent être proposés."
    ),
    AdviceSection.SOINS_SUPPORT: (
        "Des soins de support restent accessibles après les traitements : soutien psychologique, prise en "
        "charge de la douleur et de la fatigue, assistante sociale, socio-esthétique. Demandez à l'équipe."
    ),
    AdviceSection.VIE_QUOTIDIENNE: (
        "Arrêtez le tabac (aide possible : Tabac Info Service, 39 89). Vos droits (ALD, assurance emprunteur "
        "et droit à l'oubli) peuvent être expliqués par l'assistante sociale."
    ),
    AdviceSection.SIGNES_ALERTE: (
        "Consultez votre médecin traitant sans attendre le prochain rendez-vous en cas de douleur inhabituelle "
        "et persistante, de fièvre, d'amaigrissement inexpliqué, de fatigue intense ou de tout symptôme "
        "nouveau qui dure plus de quinze jours."
    ),
}


class ScheduleMixin(models.Model):
    """What a follow-up line says: the EDP, how often, who does it."""

    kind = models.CharField("type d'EDP", max_length=24, choices=EdpKind.choices, default=EdpKind.CONSULTATION)
    label = models.CharField("libellé", max_length=200)
    phases = models.JSONField(
        "rythmes", default=list, help_text="Liste de [intervalle en mois, jusqu'au mois N du suivi]."
    )
    first_offset_months = models.PositiveSmallIntegerField(
        "première échéance (mois après le début du suivi)",
        null=True,
        blank=True,
        help_text="Vide : un intervalle après le début du suivi ; 0 : dès le début du suivi.",
    )
    responsible = models.CharField("qui le fait", max_length=12, choices=Responsible.choices)
    comment = models.CharField("commentaire", max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def phase_list(self) -> list[Phase]:
        return phases_from_json(self.phases)

    @property
    def type(self):
        return EDP_TYPES[self.kind]

    def clean(self):
        try:
            phases = self.phase_list
        except (TypeError, ValueError):
            raise ValidationError(
                {
                    "phases": "Rythmes illisibles : attendu par ex. [[6, 24], [12, 60]] (tous les 6 mois jusqu'au "
                    "mois 24, puis tous les 12 mois jusqu'au mois 60)."
                }
            ) from None
        errors = schedule_errors(phases, self.first_offset_months)
        if errors:
            raise ValidationError({"phases": errors})

    @property
    def rhythm_text(self) -> str:
        return describe(self.phase_list, self.first_offset_months)


class PpacTemplate(models.Model):
    """A follow-up template of the regional library, per cancer type ("Sein — surveillance après traitement")."""

    name = models.CharField("nom", max_length=120, unique=True)
    cancer_type = models.CharField("localisation / type de cancer", max_length=120)
    description = models.TextField("description", blank=True)
    is_active = models.BooleanField("actif", default=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "modèle de suivi (PPAC)"
        verbose_name_plural = "modèles de suivi (PPAC)"
        ordering = ["cancer_type", "name"]

    def __str__(self) -> str:
        return self.name


class PpacTemplateLine(ScheduleMixin):
    template = models.ForeignKey(PpacTemplate, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField("ordre", default=1)

    class Meta:
        verbose_name = "élément de suivi du modèle"
        verbose_name_plural = "éléments de suivi du modèle"
        ordering = ["template", "position", "id"]

    def __str__(self) -> str:
        return f"{self.label} — {self.rhythm_text}"


class PpacPlan(models.Model):
    """The PPAC-specific part of one PPAC version."""

    pps = models.OneToOneField(Pps, on_delete=models.CASCADE, related_name="ppac")
    follow_up_start = models.DateField("début du suivi (fin des traitements actifs)")
    treatment_summary = models.TextField("traitements reçus", blank=True)
    source_pps = models.ForeignKey(
        Pps, verbose_name="PPS d'origine", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    template = models.ForeignKey(
        PpacTemplate,
        verbose_name="modèle de suivi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "PPAC"
        verbose_name_plural = "PPAC"

    def __str__(self) -> str:
        return f"PPAC — {self.pps}"


class PpacFollowUp(ScheduleMixin):
    """A follow-up line of a PPAC and the EDP occurrences it generated."""

    pps = models.ForeignKey(Pps, on_delete=models.CASCADE, related_name="follow_ups")
    position = models.PositiveSmallIntegerField("ordre", default=1)
    responsible_professional = models.ForeignKey(
        Professional,
        verbose_name="professionnel nommé",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible_name = models.CharField("nom (si hors annuaire)", max_length=200, blank=True)
    occurrences = models.ManyToManyField(PpsElement, related_name="ppac_follow_ups", blank=True)

    class Meta:
        verbose_name = "élément de suivi"
        verbose_name_plural = "éléments de suivi"
        ordering = ["pps", "position", "id"]

    def __str__(self) -> str:
        return f"{self.label} — {self.rhythm_text}"

    @property
    def responsible_text(self) -> str:
        who = self.get_responsible_display()
        named = str(self.responsible_professional) if self.responsible_professional_id else self.responsible_name
        return f"{who} ({named})" if named else who


class PpacAdvice(models.Model):
    """One advice section of a PPAC (free text, prefilled with ``DEFAULT_ADVICE``)."""

    pps = models.ForeignKey(Pps, on_delete=models.CASCADE, related_name="advice")
    section = models.CharField("rubrique", max_length=24, choices=AdviceSection.choices)
    text = models.TextField("conseils", blank=True)

    class Meta:
        verbose_name = "conseil (PPAC)"
        verbose_name_plural = "conseils (PPAC)"
        constraints = [models.UniqueConstraint(fields=["pps", "section"], name="unique_ppac_advice_section")]

    def __str__(self) -> str:
        return f"{self.get_section_display()} — {self.pps}"

    @property
    def position(self) -> int:
        return AdviceSection.values.index(self.section)
