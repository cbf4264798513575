"""Exports (traced, run by Celery when large), the region's indemnification and delay rules, predefined query runs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from dcc.dashboards.enums import ExportFormat, ExportKind, ExportStatus


def export_upload_to(instance, filename: str) -> str:
    return f"exports/{timezone.now():%Y/%m}/{instance.pk or 'new'}-{filename}"


class DataExport(models.Model):
    """One export asked by a user: who, what, with which filters; its file when it ran in the worker.

    Every export is a row, small ones (a dashboard table streamed at once) included: this is the export trace.
    The status changes only through ``services.export_transition`` (logged in :class:`DataExportTransition`).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_exports")
    kind = models.CharField("nature", max_length=16, choices=ExportKind.choices)
    fmt = models.CharField("format", max_length=8, choices=ExportFormat.choices)
    target = models.CharField("objet exporté", max_length=120, blank=True)
    filters = models.JSONField("filtres (paramètres)", default=dict, blank=True)
    filters_label = models.CharField("filtres", max_length=1000, blank=True)
    scope_three_c_ids = models.JSONField("périmètre (3C), vide = région", null=True, blank=True)
    pseudonymised = models.BooleanField("pseudonymisé", default=False)
    status = models.CharField("statut", max_length=12, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    rows_total = models.PositiveIntegerField("lignes à écrire", null=True, blank=True)
    rows_done = models.PositiveIntegerField("lignes écrites", default=0)
    file = models.FileField("fichier", upload_to=export_upload_to, blank=True)
    file_name = models.CharField("nom du fichier", max_length=200, blank=True)
    failure_reason = models.TextField("raison de l'échec", blank=True)
    created_at = models.DateTimeField("demandé le", default=timezone.now, db_index=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "export de données"
        verbose_name_plural = "exports de données"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.target or self.filters_label} ({self.get_status_display()})"

    @property
    def progress(self) -> int:
        if self.status == ExportStatus.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, round(100 * self.rows_done / self.rows_total))

    @property
    def is_in_progress(self) -> bool:
        return self.status in (ExportStatus.PENDING, ExportStatus.RUNNING)

    @property
    def is_failed(self) -> bool:
        return self.status == ExportStatus.FAILED

    @property
    def is_ready(self) -> bool:
        return self.status == ExportStatus.READY


class DataExportTransition(models.Model):
    export = models.ForeignKey(DataExport, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=ExportStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ExportStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "historique d'export"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.export_id}: {self.from_status or '∅'} → {self.to_status}"


class IndemnityRule(models.Model):
    """The region's rule for paying liberal doctors' RCP attendance, from ``valid_from`` (rows are its history)."""

    valid_from = models.DateField("applicable à partir du", unique=True)
    amount_per_session = models.DecimalField(
        "montant par séance (€)", max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    count_video = models.BooleanField("la présence en visioconférence est indemnisée", default=True)
    max_sessions_per_month = models.PositiveSmallIntegerField(
        "plafond de séances par mois", null=True, blank=True, help_text="Vide : pas de plafond mensuel."
    )
    max_amount_per_year = models.DecimalField(
        "plafond annuel (€)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Vide : pas de plafond annuel.",
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "règle d'indemnisation"
        verbose_name_plural = "règles d'indemnisation"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.amount_per_session} € par séance à partir du {self.valid_from:%d/%m/%Y}"


class DelayRule(models.Model):
    """The region's alert thresholds for the care delays (diagnosis → first RCP → first treatment)."""

    valid_from = models.DateField("applicable à partir du", unique=True)
    diagnosis_to_rcp_days = models.PositiveSmallIntegerField("seuil diagnostic → première RCP (jours)", default=30)
    rcp_to_treatment_days = models.PositiveSmallIntegerField("seuil RCP → premier traitement (jours)", default=30)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "seuil de délai"
        verbose_name_plural = "seuils de délai"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.diagnosis_to_rcp_days} j / {self.rcp_to_treatment_days} j à partir du {self.valid_from:%d/%m/%Y}"


class QueryRun(models.Model):
    """One run of a predefined query (the 3C's data requests, counted per 3C)."""

    query = models.CharField("requête", max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    three_c = models.ForeignKey("directory.ThreeC", on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField("paramètres", default=dict, blank=True)
    parameters_label = models.CharField("paramètres", max_length=1000, blank=True)
    rows = models.PositiveIntegerField("lignes", default=0)
    at = models.DateTimeField("le", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "exécution de requête prédéfinie"
        verbose_name_plural = "exécutions de requêtes prédéfinies"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.query} — {self.three_c_id} — {self.at:%d/%m/%Y}"


class DossierFact(models.Model):
    """One presented dossier, flattened for the RCP figures (the summary table ``dcc.dashboards.summary`` fills).

    Not a source of truth: ``summary.facts_refresh`` rewrites it from the RCP tables, month by month. No foreign
    keys (a row is rebuilt, never edited), so the RCP app's deletes and merges are never blocked by it.
    """

    dossier_id = models.BigIntegerField(primary_key=True)
    day = models.DateField("date de la séance (heure locale)")
    session_id = models.BigIntegerField()
    rcp_id = models.BigIntegerField()
    three_c_id = models.BigIntegerField()
    establishment_id = models.BigIntegerField(null=True)
    organ = models.CharField(max_length=120, blank=True)  # the RCP's organ, lower case
    patient_id = models.BigIntegerField()
    sex = models.CharField(max_length=1, blank=True)
    age = models.SmallIntegerField(null=True)  # completed years at the session
    # Index into rcp.dashboard_selectors.AGE_BANDS (the last band without an age, as the live selector counts).
    age_band = models.SmallIntegerField(null=True)
    is_late = models.BooleanField(default=False)
    is_validated = models.BooleanField(default=False)
    quorum_reached = models.BooleanField(null=True)
    guideline_conform = models.BooleanField(null=True)
    trial_proposed = models.BooleanField(default=False)
    diagnosis_date = models.DateField(null=True)  # written on the dossier's fiche (the delays)

    class Meta:
        verbose_name = "dossier présenté (table de synthèse)"
        verbose_name_plural = "dossiers présentés (table de synthèse)"
        indexes = [
            models.Index(fields=["day"], name="dashboards_fact_day"),
            # Distinct patients per 3C, per RCP, per age band and sex: each index hands the patients over in order
            # (an index-only scan, no sort or hash of a decade's million rows); also the 3C's and the RCP's filter.
            models.Index(fields=["three_c_id", "patient_id", "day"], name="dashboards_fact_3c_patient"),
            models.Index(fields=["rcp_id", "patient_id", "day"], name="dashboards_fact_rcp_patient"),
            models.Index(fields=["age_band", "sex", "patient_id", "day"], name="dashboards_fact_band_patient"),
            # Distinct patients and those presented several times (grouped in this order); the delays: whether a
            # patient was presented before the period (one index probe per patient).
            models.Index(fields=["patient_id", "day"], name="dashboards_fact_patient_day"),
        ]

    def __str__(self) -> str:
        return f"dossier {self.dossier_id} ({self.day})"


class SummaryRefresh(models.Model):
    """Where the summary table stands: the last refresh and the watermark the next incremental one starts from."""

    name = models.CharField(max_length=40, primary_key=True)
    watermark = models.DateTimeField("écritures prises en compte jusqu'au")
    finished_at = models.DateTimeField("terminé le")
    months = models.PositiveIntegerField("mois recalculés", default=0)
    rows = models.PositiveIntegerField("lignes écrites", default=0)
    full = models.BooleanField("reconstruction complète", default=False)

    class Meta:
        verbose_name = "rafraîchissement des tables de synthèse"
        verbose_name_plural = "rafraîchissements des tables de synthèse"

    def __str__(self) -> str:
        return f"{self.name}: {self.finished_at:%d/%m/%Y %H:%M}"


class DossierMonth(models.Model):
    """Dossiers presented per month and RCP: the additive counts of :class:`DossierFact` rolled up (a few thousand
    rows a year), for the monthly and yearly trends and the year before's counts per RCP and per 3C."""

    month = models.DateField("mois (premier jour)")
    rcp_id = models.BigIntegerField()
    three_c_id = models.BigIntegerField()
    establishment_id = models.BigIntegerField(null=True)
    organ = models.CharField(max_length=120, blank=True)  # lower case
    dossiers = models.PositiveIntegerField(default=0)
    # The activity's dossier counts (summary.ACTIVITY_FLAGS): late, validated, and among the validated fiches those
    # with or without quorum, conforming or not to the guidelines, proposing a trial.
    late = models.PositiveIntegerField(default=0)
    validated = models.PositiveIntegerField(default=0)
    quorum = models.PositiveIntegerField(default=0)
    off_quorum = models.PositiveIntegerField(default=0)
    conform = models.PositiveIntegerField(default=0)
    not_conform = models.PositiveIntegerField(default=0)
    trial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "dossiers présentés par mois (table de synthèse)"
        verbose_name_plural = "dossiers présentés par mois (table de synthèse)"
        constraints = [models.UniqueConstraint(fields=["month", "rcp_id"], name="dashboards_month_rcp_unique")]

    def __str__(self) -> str:
        return f"RCP {self.rcp_id}, {self.month:%m/%Y}: {self.dossiers}"


class DocumentFact(models.Model):
    """One document produced in the DCC (a validated fiche version, a signed concertation, a validated PPS or PPAC),
    flattened for the Documents theme: the day it was signed or validated (local time), the filters' columns and
    its patient. Rebuilt with :class:`DossierFact` by ``summary.facts_refresh``; no foreign keys."""

    kind = models.CharField(max_length=12)  # summary.DOCUMENT_KINDS
    source_id = models.BigIntegerField()  # the FicheVersion, Concertation or Pps id
    day = models.DateField("date de signature ou de validation (heure locale)")
    rcp_id = models.BigIntegerField(null=True)
    three_c_id = models.BigIntegerField(null=True)
    establishment_id = models.BigIntegerField(null=True)
    organ = models.CharField(max_length=120, blank=True)  # the RCP's organ, lower case
    patient_id = models.BigIntegerField()

    class Meta:
        verbose_name = "document produit (table de synthèse)"
        verbose_name_plural = "documents produits (table de synthèse)"
        constraints = [models.UniqueConstraint(fields=["kind", "source_id"], name="dashboards_document_source")]
        indexes = [
            models.Index(fields=["day", "kind", "patient_id"], name="dashboards_docfact_day"),
            models.Index(fields=["three_c_id", "day"], name="dashboards_docfact_3c_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id} ({self.day})"


class PatientDelayFact(models.Model):
    """Per patient presented in RCP: the day of their first presented dossier (any RCP) and the planned date of the
    first treatment EDP of their validated PPS, for the delays (``summary.first_presentations``). Rebuilt with
    :class:`DossierFact` by ``summary.facts_refresh`` (the patients of the months rewritten and of the PPS validated
    since the watermark); no foreign keys."""

    patient_id = models.BigIntegerField(primary_key=True)
    first_day = models.DateField("première présentation (heure locale)")
    first_treatment = models.DateField("premier traitement (PPS)", null=True)

    class Meta:
        verbose_name = "délais d'un patient (table de synthèse)"
        verbose_name_plural = "délais des patients (table de synthèse)"
        indexes = [models.Index(fields=["first_day"], name="dashboards_delayfact_first")]

    def __str__(self) -> str:
        return f"patient {self.patient_id} ({self.first_day})"
