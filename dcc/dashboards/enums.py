from django.db import models


class ExportStatus(models.TextChoices):
    PENDING = "en_attente", "En attente"
    RUNNING = "en_cours", "En cours"
    READY = "pret", "Prêt"
    FAILED = "echec", "Échec"


EXPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ExportStatus.PENDING: frozenset({ExportStatus.RUNNING, ExportStatus.FAILED}),
    ExportStatus.RUNNING: frozenset({ExportStatus.READY, ExportStatus.FAILED}),
    ExportStatus.READY: frozenset(),
    ExportStatus.FAILED: frozenset(),
}


class ExportKind(models.TextChoices):
    TABLE = "tableau", "Tableau de bord"
    FICHES = "fiches", "Fiches RCP (détail, sans identité)"
    REGISTRY = "registre", "Export pour les registres des cancers"
    INDEMNITY = "indemnisation", "Indemnisation des médecins libéraux"
    QUERY = "requete", "Requête prédéfinie"
    CERTIFICATES = "attestations", "Attestations de présence"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV (Excel, séparateur « ; »)"
    XLSX = "xlsx", "Classeur Excel (XLSX)"
    ZIP = "zip", "Archive ZIP"
