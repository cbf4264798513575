"""The regional protocol base from a CSV file, all or nothing (the admin's upload and ``import_protocols``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from pps.enums import ProtocolKind
from pps.models import Protocol, protocol_errors

CSV_COLUMNS = ("nom", "medicaments", "duree_cycle_jours", "nombre_cycles", "jours_administration")


@dataclass
class ImportResult:
    created: int
    updated: int


def protocols_import_csv(*, text: str) -> ImportResult:
    """Create or update protocols from CSV (``;`` or ``,`` separated, header required), all or nothing.

    Columns: nom, medicaments, duree_cycle_jours, nombre_cycles, jours_administration and
    optionally type (chimiotherapie, immunotherapie, therapie_ciblee, hormonotherapie) and
    commentaire. Raises ``ValidationError`` listing every bad row ("Ligne N : …").
    """
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [column.strip().lower() for column in (reader.fieldnames or [])]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise ValidationError(f"Colonnes manquantes dans l'en-tête : {', '.join(missing)}.")
    reader.fieldnames = header
    errors: list[str] = []
    rows: list[dict] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(row.values()):
            continue
        messages = []
        name = row.get("nom", "")
        if not name:
            messages.append("le nom est obligatoire")
        elif name.upper() in seen:
            messages.append(f"le protocole « {name} » apparaît deux fois")
        seen.add(name.upper())
        if not row.get("medicaments"):
            messages.append("au moins un médicament est obligatoire")
        numbers = {}
        for column, label in (("duree_cycle_jours", "durée du cycle"), ("nombre_cycles", "nombre de cycles")):
            try:
                numbers[column] = int(row.get(column, ""))
            except ValueError:
                messages.append(f"{label} : « {row.get(column, '')} » n'est pas un nombre entier")
        kind = row.get("type") or ProtocolKind.CHIMIOTHERAPIE
        if kind not in ProtocolKind.values:
            messages.append(f"type « {kind} » inconnu (attendu : {', '.join(ProtocolKind.values)})")
        if len(numbers) == 2:
            problems = protocol_errors(
                cycles=numbers["nombre_cycles"],
                cycle_length_days=numbers["duree_cycle_jours"],
                administration_days=row.get("jours_administration", ""),
            )
            messages.extend(message[0].lower() + message[1:] for message in problems.values())
        if messages:
            errors.append(f"Ligne {line} : " + " ; ".join(messages) + ".")
        else:
            rows.append(
                {
                    "name": name,
                    "kind": kind,
                    "drugs": row["medicaments"],
                    "cycle_length_days": numbers["duree_cycle_jours"],
                    "cycles": numbers["nombre_cycles"],
                    "administration_days": row["jours_administration"],
                    "comment": row.get("commentaire", ""),
                }
            )
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError("Le fichier ne contient aucun protocole.")
    created = updated = 0
    with transaction.atomic():
        for data in rows:
            name = data.pop("name")
            existing = Protocol.objects.filter(name__iexact=name).first()
            if existing:
                for key, value in data.items():
                    setattr(existing, key, value)
                existing.is_active = True
                existing.save()
                updated += 1
            else:
                Protocol.objects.create(name=name, **data)
                created += 1
    return ImportResult(created=created, updated=updated)
