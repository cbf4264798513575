"""Bulk import (migration) of external documents: folders of CDA and/or PDF files with a CSV manifest.

Manifest ``manifest.csv`` (``;`` or ``,`` separated, UTF-8) with the columns
``fichier`` (required), ``type`` (LOINC code), ``date`` (AAAA-MM-JJ), ``titre``, ``ins``, ``ipp``, ``finess``.
CDA files not listed are imported on their own header. A PDF must be listed with its type, date and patient.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dcc.records import documents_services
from dcc.records.enums import DocumentOrigin
from identity.models import LocalIdentifier, Patient
from interop.importing import MAX_IMPORT_BYTES, ImportRefused, document_import

MANIFEST = "manifest.csv"


def _manifest(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / MANIFEST
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
    rows = csv.DictReader(text.splitlines(), dialect=dialect)
    return {row["fichier"].strip(): {k.strip(): (v or "").strip() for k, v in row.items()} for row in rows}


def _patient(row: dict[str, str]) -> Patient | None:
    if row.get("ins"):
        return Patient.objects.current().filter(ins_matricule=row["ins"]).first()
    if row.get("ipp") and row.get("finess"):
        local = LocalIdentifier.objects.filter(value=row["ipp"], establishment__finess_geo=row["finess"]).first()
        return local.patient if local else None
    return None


class Command(BaseCommand):
    help = "Importe des documents externes (CDA, PDF) depuis des dossiers avec un manifeste CSV."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Dossiers (avec manifest.csv) ou fichiers.")

    def handle(self, *args, paths, **options):
        files: list[tuple[Path, dict[str, str]]] = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                manifest = _manifest(path)
                for item in sorted(path.iterdir()):
                    if item.is_file() and item.name != MANIFEST:
                        files.append((item, manifest.get(item.name, {})))
            elif path.is_file():
                files.append((path, {}))
            else:
                raise CommandError(f"Chemin introuvable : {raw}")
        imported = quarantined = refused = 0
        for path, row in files:
            try:
                outcome = self._import(path, row)
            except ImportRefused as refusal:
                refused += 1
                self.stdout.write(f"REFUSÉ {path.name} : {refusal}")
                continue
            if outcome is None or outcome.document is None:
                quarantined += 1
                reason = outcome.quarantined.reason if outcome else "patient introuvable"
                self.stdout.write(f"QUARANTAINE {path.name} : {reason}")
            else:
                imported += 1
                self.stdout.write(f"IMPORTÉ {path.name} : {outcome.message_fr}")
        self.stdout.write(f"{imported} importé(s), {quarantined} en quarantaine, {refused} refusé(s)")
        if refused:
            raise SystemExit(1)

    def _import(self, path: Path, row: dict[str, str]):
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise ImportRefused(f"« {path.name} » dépasse la limite de {MAX_IMPORT_BYTES // (1024 * 1024)} Mo.")
        data = path.read_bytes()
        try:
            act_date = dt.date.fromisoformat(row["date"]) if row.get("date") else None
        except ValueError as error:
            raise ImportRefused(f"« {path.name} » : date invalide dans le manifeste ({row['date']}).") from error
        patient = _patient(row)
        if data.startswith(b"%PDF-") and patient is None:
            item = documents_services.quarantine_add(
                data=data,
                filename=path.name,
                file_kind="pdf",
                origin=DocumentOrigin.MIGRATION,
                reason="Le manifeste ne désigne aucun patient connu (INS, ou IPP et FINESS) pour ce PDF.",
                type_code=row.get("type", ""),
                title=row.get("titre", ""),
                traits={"ins": row.get("ins", ""), "ipp": row.get("ipp", "")},
            )
            from interop.importing import ImportOutcome

            return ImportOutcome(quarantined=item)
        return document_import(
            data=data,
            filename=path.name,
            origin=DocumentOrigin.MIGRATION,
            patient=patient,
            type_code=row.get("type", ""),
            act_date=act_date,
            title=row.get("titre", ""),
        )
