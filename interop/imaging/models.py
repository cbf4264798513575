"""The establishments' PACS and the studies attached to a demande d'avis."""

from __future__ import annotations

import string
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from dcc.directory.models import Establishment

AE_TITLE = RegexValidator(r"^[ -~]{1,16}$", "Un titre AE DICOM a de 1 à 16 caractères ASCII imprimables.")
VIEWER_PLACEHOLDERS = ("study_uid", "accession", "patient_id")


def validate_viewer_url_template(template: str) -> None:
    """A viewer link template: an http(s) URL whose only variables are ``{study_uid}``, ``{accession}``,
    ``{patient_id}``.

    Anything else (an unknown name, ``{study_uid.x}``, ``{0}``, ``{study_uid!r}``, a lone brace) would fail or leak
    attributes when the link is built, so it is refused when the PACS is saved, with a French message.
    """
    allowed = ", ".join(f"{{{name}}}" for name in VIEWER_PLACEHOLDERS)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValidationError(
            f"Accolade isolée dans le modèle : écrivez les variables entre accolades ({allowed}) "
            "et doublez une accolade littérale ({{ ou }})."
        ) from error
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in VIEWER_PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValidationError(f"Variable « {shown} » inconnue : seules {allowed} sont permises.")
    sample = template.format(**dict.fromkeys(VIEWER_PLACEHOLDERS, "x"))
    url = urlsplit(sample)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ValidationError("Le modèle doit être une adresse web complète commençant par https:// ou http://.")


class Pacs(models.Model):
    """One establishment's PACS, queried with DICOM C-FIND (study root) on its patients' IPP (and INS)."""

    establishment = models.ForeignKey(
        Establishment, verbose_name="établissement", on_delete=models.PROTECT, related_name="pacs"
    )
    name = models.CharField("nom", max_length=200)
    ae_title = models.CharField("titre AE appelé", max_length=16, blank=True, validators=[AE_TITLE])
    host = models.CharField("hôte", max_length=255, blank=True)
    port = models.PositiveIntegerField(
        "port DICOM", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    qido_url = models.URLField(
        "URL QIDO-RS (DICOMweb)",
        max_length=500,
        blank=True,
        help_text="Si renseignée, le PACS est interrogé en DICOMweb (QIDO-RS) au lieu de C-FIND. "
        "Exemple : https://pacs.exemple.test/dicom-web",
    )
    viewer_url_template = models.CharField(
        "modèle d'URL de la visionneuse",
        max_length=500,
        blank=True,
        help_text="Adresse http(s) ; variables : {study_uid}, {accession}, {patient_id}. Exemple : "
        "https://pacs.exemple.test/viewer?StudyInstanceUIDs={study_uid}",
        validators=[validate_viewer_url_template],
    )
    matches_ins = models.BooleanField(
        "interrogé aussi par INS",
        default=False,
        help_text="Le PACS indexe aussi les patients par leur INS (identité qualifiée) : "
        "il est interrogé même sans IPP dans l'établissement.",
    )
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "PACS"
        verbose_name_plural = "PACS"
        ordering = ["establishment__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.qido_url or f'{self.ae_title}@{self.host}:{self.port}'})"

    def clean(self) -> None:
        if not self.qido_url and not (self.ae_title and self.host and self.port):
            raise ValidationError(
                "Renseignez soit le titre AE, l'hôte et le port DICOM (C-FIND), soit l'URL QIDO-RS (DICOMweb)."
            )

    def viewer_url(self, *, study_uid: str, accession: str = "", patient_id: str = "") -> str:
        if not self.viewer_url_template:
            return ""
        try:
            url = self.viewer_url_template.format(
                study_uid=quote(study_uid, safe=""),
                accession=quote(accession, safe=""),
                patient_id=quote(patient_id, safe=""),
            )
        except (KeyError, IndexError, ValueError, AttributeError):  # a template saved before the validator
            return ""
        return url if urlsplit(url).scheme in ("http", "https") else ""  # never a javascript: link


class AttachedStudy(models.Model):
    """A study joined to a demande d'avis (``source_type`` ``rcp.dossier``), so the RCP sees it.

    The study's description is copied at attachment time (what the requester saw); the viewer
    link is rebuilt from the PACS's template.
    """

    pacs = models.ForeignKey(Pacs, on_delete=models.PROTECT, related_name="attached_studies")
    patient = models.ForeignKey("identity.Patient", on_delete=models.PROTECT, related_name="+")
    source_type = models.CharField("objet", max_length=50)
    source_id = models.CharField("identifiant de l'objet", max_length=50)
    study_uid = models.CharField("Study Instance UID", max_length=64)
    pacs_patient_id = models.CharField("identifiant patient du PACS", max_length=64, blank=True)
    study_date = models.DateField("date de l'examen", null=True, blank=True)
    modality = models.CharField("modalité", max_length=64, blank=True)
    description = models.CharField("description", max_length=200, blank=True)
    accession = models.CharField("numéro d'accession", max_length=16, blank=True)
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    attached_at = models.DateTimeField("joint le", default=timezone.now)

    class Meta:
        verbose_name = "examen d'imagerie joint"
        verbose_name_plural = "examens d'imagerie joints"
        ordering = ["-study_date", "-attached_at"]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id", "study_uid"], name="unique_attached_study"),
        ]
        indexes = [models.Index(fields=["source_type", "source_id"], name="attached_study_source")]

    def __str__(self) -> str:
        return f"{self.study_date or '?'} {self.modality} {self.description}"

    @property
    def viewer_url(self) -> str:
        return self.pacs.viewer_url(study_uid=self.study_uid, accession=self.accession, patient_id=self.pacs_patient_id)
