"""Exports: a dashboard table at once (CSV or XLSX), and the large detailed exports the worker writes.

Detailed exports (``DETAIL_EXPORTS``) declare their columns and stream their rows from a server-side cursor;
``write_export`` writes them to a binary file with a progress callback. The column layout of the registry
export is documented in ``docs/dashboards.md``: keep the two together.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from dcc.dashboards import services, writers
from dcc.dashboards.enums import ExportFormat, ExportKind
from dcc.dashboards.tables import Column, Table

TABLE_FORMATS = {"csv", "xlsx"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE, "zip": "application/zip"}


def file_name(stem: str, fmt: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.{fmt}"


def attachment(response, name: str):
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def table_response(table: Table, *, scope, fmt: str, user):
    """A dashboard table as a download, traced as an export (who, which table, which filters)."""
    services.export_record(
        user=user, kind=ExportKind.TABLE, fmt=fmt, target=table.slug, scope=scope, rows=len(table.rows)
    )
    name = file_name(table.slug, fmt)
    if fmt == ExportFormat.CSV:
        response = StreamingHttpResponse(
            writers.csv_lines(table.columns, table.rows), content_type=CONTENT_TYPES["csv"]
        )
    else:
        content = writers.xlsx_bytes(table.columns, table.rows, title=table.title, subtitle=scope.describe())
        response = HttpResponse(content, content_type=XLSX_TYPE)
    return attachment(response, name)


# --- Detailed exports ----------------------------------------------------------------------------


def pseudonym(patient_key: str) -> str:
    """A stable pseudonym of a patient for the registries: HMAC-SHA256 with the region's key, 20 hex digits.

    The key is ``DCC_REGISTRY_PSEUDONYM_KEY`` (derived from the secret key when unset), so the same patient has
    the same pseudonym in every export and nobody without the key can go back to the identity.
    """
    key = getattr(settings, "DCC_REGISTRY_PSEUDONYM_KEY", "") or f"registre:{settings.SECRET_KEY}"
    return hmac.new(key.encode(), patient_key.encode(), hashlib.sha256).hexdigest()[:20]


def _patient_key(row: dict) -> str:
    if row["dossier__patient__ins_matricule"]:
        return f"INS:{row['dossier__patient__ins_matricule']}"
    return "|".join(
        str(row[name])
        for name in (
            "dossier__patient__birth_name",
            "dossier__patient__first_given_name",
            "dossier__patient__birth_date",
            "dossier__patient__sex",
        )
    )


def _treatment_codes(treatments) -> str:
    ranked = sorted(treatments or [], key=lambda item: item.get("rank", 0))
    return "|".join(str(item.get("code", "")) for item in ranked if item.get("code"))


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if isinstance(value, datetime.datetime) else value


def _age(birth: datetime.date, on: datetime.datetime) -> int:
    day = timezone.localtime(on).date()
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


DISEASE_COLUMNS = [
    ("date_diagnostic", "date", lambda r: r["diagnosis_date"]),
    ("topographie_cim10", "text", lambda r: r["topography_code"]),
    ("morphologie_cimo3", "text", lambda r: r["morphology_code"]),
    ("lateralite", "text", lambda r: r["laterality_code"]),
    ("tnm_type", "text", lambda r: r["tnm_kind"]),
    ("tnm_edition", "text", lambda r: r["tnm_edition"]),
    ("tnm_t", "text", lambda r: r["tnm_t"]),
    ("tnm_n", "text", lambda r: r["tnm_n"]),
    ("tnm_m", "text", lambda r: r["tnm_m"]),
    ("stade", "text", lambda r: r["tnm_stage"]),
    ("ecog", "text", lambda r: r["ecog_code"]),
    ("traitements_proposes", "text", lambda r: _treatment_codes(r["treatments"])),
    ("surveillance_seule", "text", lambda r: "oui" if r["surveillance_only"] else "non"),
    ("proposition", "text", lambda r: r["proposition"]),
    ("conforme_referentiel", "text", lambda r: {True: "oui", False: "non"}.get(r["guideline_conform"], "")),
    ("essai_propose", "text", lambda r: "oui" if r["clinical_trial_proposed"] else "non"),
    ("quorum", "text", lambda r: {True: "oui", False: "non"}.get(r["quorum_reached"], "")),
]
SESSION_COLUMNS = [
    ("id_fiche", "int", lambda r: r["pk"]),
    ("version_fiche", "int", lambda r: r["version"]),
    ("date_rcp", "date", lambda r: _local(r["dossier__session__starts_at"]).date()),
    ("rcp", "text", lambda r: r["dossier__session__rcp__title"]),
    ("3c", "text", lambda r: r["dossier__session__rcp__three_c__name"]),
    ("finess_etablissement", "text", lambda r: r["dossier__session__rcp__establishment__finess_geo"]),
    ("motif", "text", lambda r: r["dossier__motive"]),
]
IDENTITY_COLUMNS = [
    ("nom_naissance", "text", lambda r: r["dossier__patient__birth_name"]),
    ("prenoms", "text", lambda r: r["dossier__patient__given_names"] or r["dossier__patient__first_given_name"]),
    ("sexe", "text", lambda r: r["dossier__patient__sex"]),
    ("date_naissance", "date", lambda r: r["dossier__patient__birth_date"]),
    ("lieu_naissance_insee", "text", lambda r: r["dossier__patient__birth_place_code"]),
    ("ins", "text", lambda r: r["dossier__patient__ins_matricule"]),
    ("oid_ins", "text", lambda r: r["dossier__patient__ins_oid"]),
    ("statut_identite", "text", lambda r: r["dossier__patient__rniv_status"]),
    ("code_postal", "text", lambda r: r["dossier__patient__postcode"]),
]
PSEUDONYMISED_COLUMNS = [
    ("pseudonyme", "text", lambda r: pseudonym(_patient_key(r))),
    ("sexe", "text", lambda r: r["dossier__patient__sex"]),
    ("annee_naissance", "int", lambda r: r["dossier__patient__birth_date"].year),
    ("mois_naissance", "int", lambda r: r["dossier__patient__birth_date"].month),
    ("departement", "text", lambda r: (r["dossier__patient__postcode"] or "")[:2]),
]
FICHE_COLUMNS = [
    ("sexe", "text", lambda r: r["dossier__patient__sex"]),
    ("age_a_la_rcp", "int", lambda r: _age(r["dossier__patient__birth_date"], r["dossier__session__starts_at"])),
]
TAIL_COLUMNS = [("date_validation", "date", lambda r: _local(r["validated_at"]).date())]


@dataclass(frozen=True)
class DetailExport:
    kind: str
    label: str
    description: str
    patient_data: bool

    def layout(self, *, pseudonymised: bool) -> list[tuple[str, str, object]]:
        if self.kind == ExportKind.REGISTRY:
            identity = PSEUDONYMISED_COLUMNS if pseudonymised else IDENTITY_COLUMNS
            return [*SESSION_COLUMNS, *identity, *DISEASE_COLUMNS, *TAIL_COLUMNS]
        return [*SESSION_COLUMNS, *FICHE_COLUMNS, *DISEASE_COLUMNS, *TAIL_COLUMNS]

    def columns(self, *, pseudonymised: bool) -> list[Column]:
        return [Column(name, kind) for name, kind, _ in self.layout(pseudonymised=pseudonymised)]

    def count(self, scope) -> int:
        from rcp.dashboard_selectors import validated_fiches

        return validated_fiches(**scope.filters()).count()

    def rows(self, scope, *, pseudonymised: bool):
        from rcp.dashboard_selectors import registry_rows

        getters = [getter for _, _, getter in self.layout(pseudonymised=pseudonymised)]
        for row in registry_rows(**scope.filters()):
            yield [getter(row) for getter in getters]


DETAIL_EXPORTS = {
    ExportKind.REGISTRY: DetailExport(
        ExportKind.REGISTRY,
        "Export pour les registres des cancers",
        "Une ligne par fiche RCP validée des séances de la période : identité et INS (ou pseudonyme), "
        "diagnostic CIM-10 / CIM-O-3, TNM, dates, proposition.",
        patient_data=True,
    ),
    ExportKind.FICHES: DetailExport(
        ExportKind.FICHES,
        "Fiches RCP (détail, sans identité)",
        "Une ligne par fiche RCP validée : séance, RCP, 3C, sexe et âge du patient, diagnostic, proposition.",
        patient_data=False,
    ),
}


def write_export(target, export, scope, *, progress=None) -> int:
    """Write the detailed export ``export`` (a DataExport row) to the binary file ``target``."""
    definition = DETAIL_EXPORTS[export.kind]
    columns = definition.columns(pseudonymised=export.pseudonymised)
    rows = definition.rows(scope, pseudonymised=export.pseudonymised)
    if export.fmt == ExportFormat.XLSX:
        return writers.write_xlsx(
            target, columns, rows, title=definition.label, subtitle=export.filters_label, progress=progress
        )
    return writers.write_csv(target, columns, rows, progress=progress)
