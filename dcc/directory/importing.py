"""Directory imports: the public Annuaire Santé extraction (RPPS), the FINESS extraction, MSSanté addresses.

Each import reads its file as a stream, upserts in batches (one transaction per batch, so an
interrupted import keeps the batches already done and a rerun finishes the job), and returns an
``ImportReport`` (created, updated, unchanged, ignored, rejected lines with the French reason).
Running the same file twice changes nothing the second time: every line is then "inchangée".

Formats (see ``docs/directory.md``):

- RPPS: ``PS_LibreAcces_Personne_activite_*.txt`` (or the ``PS_LibreAcces_*.zip`` holding it):
  pipe-separated, header row, trailing ``|``, UTF-8 (older files latin-1), one row per professional
  × activity; columns are found by their published names.
- FINESS: ``etalab-cs1100507-stock-*.csv``: ``;``-separated, no header, a first line
  ``finess;etalab;…``, then ``structureet;`` rows (and ``geolocalisation;`` rows, ignored);
  historically ISO-8859-1.
- MSSanté addresses: the DCC's CSV ``rpps;finess;adresse_mss;type_bal;principale`` (``;``, header).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from dcc.directory.enums import (
    Civility,
    EstablishmentType,
    MssAddressAction,
    MssAddressStatus,
    MssMailboxType,
    PracticeRole,
    Profession,
)
from dcc.directory.models import (
    Establishment,
    MssAddress,
    MssAddressEvent,
    PlaceOfPractice,
    Professional,
    Specialty,
)
from dcc.directory.signals import professionals_changed
from dcc.directory.validators import validate_finess, validate_rpps

BATCH_SIZE = 500
MAX_REJECTS_KEPT = 1000

Progress = Callable[[int, int], None]  # (bytes read, total bytes)


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, wrong format); the message is French."""


@dataclass
class ImportReport:
    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored: int = 0
    lines: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    rejected_count: int = 0
    notes: dict[str, int] = field(default_factory=dict)

    def reject(self, line: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REJECTS_KEPT:
            self.rejected.append((line, reason))

    def note(self, text: str, count: int = 1) -> None:
        self.notes[text] = self.notes.get(text, 0) + count

    def render(self) -> str:
        """The French report printed by the management commands."""
        out = [
            f"Import {self.label} : {self.lines} ligne(s) lue(s).",
            f"  créés : {self.created}",
            f"  mis à jour : {self.updated}",
            f"  inchangés : {self.unchanged}",
        ]
        if self.ignored:
            out.append(f"  ignorés (hors champ) : {self.ignored}")
        out.append(f"  lignes rejetées : {self.rejected_count}")
        for text, count in sorted(self.notes.items()):
            out.append(f"  {text} : {count}")
        for line, reason in self.rejected:
            out.append(f"    ligne {line} : {reason}")
        if self.rejected_count > len(self.rejected):
            out.append(f"    … et {self.rejected_count - len(self.rejected)} autre(s) ligne(s) rejetée(s)")
        return "\n".join(out)


# --- Reading -------------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _open_binary(path: Path, member_pattern: str | None = None) -> tuple[io.BufferedIOBase, int]:
    if not path.exists():
        raise ImportFileError(f"Fichier introuvable : {path}")
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if member_pattern and re.search(member_pattern, n)]
        if not names:
            raise ImportFileError(f"L'archive {path.name} ne contient pas le fichier attendu ({member_pattern}).")
        info = archive.getinfo(names[0])
        return archive.open(info), info.file_size
    return path.open("rb"), path.stat().st_size


def _lines(path: Path, progress: Progress | None, member_pattern: str | None = None) -> Iterator[tuple[int, str]]:
    """(line number, decoded line without its end) for each line; reports the bytes read."""
    stream, total = _open_binary(path, member_pattern)
    done = 0
    with stream:
        for number, raw in enumerate(stream, start=1):
            done += len(raw)
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if progress is not None and (number % 200 == 0):
                progress(done, total)
            yield number, _decode(raw).rstrip("\r\n")
    if progress is not None:
        progress(total, total)


def _batches(items: Iterator, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- RPPS (Annuaire Santé) -----------------------------------------------------------------------

RPPS_COLUMNS = {
    "type": "Type d'identifiant PP",
    "id": "Identifiant PP",
    "civility_practice": "Code civilité d'exercice",
    "civility": "Code civilité",
    "last_name": "Nom d'exercice",
    "first_name": "Prénom d'exercice",
    "profession": "Code profession",
    "skill_type": "Code type savoir-faire",
    "skill": "Code savoir-faire",
    "mode": "Code mode exercice",
    "finess_site": "Numéro FINESS site",
}
RPPS_REQUIRED = ("type", "id", "last_name", "first_name", "profession")
RPPS_MEMBER = r"PS_LibreAcces_Personne_activite.*\.txt$"
RPPS_ID_TYPE = "8"
CIVILITIES = {"DR": Civility.DOCTEUR, "PR": Civility.PROFESSEUR, "M": Civility.MONSIEUR, "MME": Civility.MADAME}
LIBERAL_MODE = "L"


@dataclass
class _Person:
    line: int
    rpps: str
    values: dict
    places: set[tuple[str, str]] = field(default_factory=set)  # (FINESS site, role)


def _rpps_row(number: int, cells: list[str], index: dict[str, int], specialties: set[str], report):
    def get(key: str) -> str:
        position = index.get(key)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    if get("type") != RPPS_ID_TYPE:
        report.reject(number, f"type d'identifiant « {get('type')} » : seuls les RPPS (type 8) sont importés")
        return None
    rpps = get("id")
    try:
        validate_rpps(rpps)
    except ValidationError as exc:
        report.reject(number, f"{exc.messages[0]} ({rpps or 'vide'})")
        return None
    last_name, first_name = get("last_name"), get("first_name")
    if not last_name:
        report.reject(number, "nom d'exercice manquant")
        return None
    profession = get("profession")
    profession = profession if profession in Profession.values else Profession.AUTRE
    specialty = None
    if get("skill_type") == "S" and f"G15_{profession}/{get('skill')}" in specialties:
        specialty = f"G15_{profession}/{get('skill')}"
    elif f"G15_{profession}" in specialties and not get("skill"):
        specialty = f"G15_{profession}"
    values = {
        "civility": CIVILITIES.get(get("civility_practice").upper()) or CIVILITIES.get(get("civility").upper(), ""),
        "last_name": last_name[:120],
        "first_name": first_name[:120],
        "profession": profession,
        "is_liberal": get("mode") == LIBERAL_MODE,
        "is_active": True,
    }
    if "skill" in index:  # newer extractions move the savoir-faire to another file: keep ours then
        values["specialty_id"] = specialty
    person = _Person(number, rpps, values)
    finess = get("finess_site")
    if finess:
        person.places.add((finess, PracticeRole.LIBERAL if values["is_liberal"] else PracticeRole.SALARIE))
    return person


def import_rpps(path: Path, *, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> ImportReport:
    """Upsert professionals (by RPPS) and their places of practice (by FINESS site) from the extraction."""
    report = ImportReport(label="RPPS (Annuaire Santé)")
    lines = _lines(Path(path), progress, RPPS_MEMBER)
    try:
        _, header = next(lines)
    except StopIteration:
        raise ImportFileError("Le fichier est vide.") from None
    names = [name.strip() for name in header.split("|")]
    positions = {name.lower(): position for position, name in enumerate(names)}
    index = {key: positions[column.lower()] for key, column in RPPS_COLUMNS.items() if column.lower() in positions}
    missing = [RPPS_COLUMNS[key] for key in RPPS_REQUIRED if key not in index]
    if missing:
        raise ImportFileError(
            "Ce fichier n'est pas une extraction « Personne activité » de l'Annuaire Santé : colonne(s) absente(s) : "
            + ", ".join(f"« {name} »" for name in missing)
        )
    width = len(names)
    specialties = set(Specialty.objects.values_list("code", flat=True))
    outcome: dict[str, int] = {}  # rpps -> 0 unchanged, 1 updated, 2 created (the strongest wins)

    def rows():
        for number, text in lines:
            if not text.strip():
                continue
            report.lines += 1
            cells = text.split("|")
            if len(cells) != width:
                report.reject(number, f"nombre de colonnes incorrect ({len(cells)} au lieu de {width})")
                continue
            person = _rpps_row(number, cells, index, specialties, report)
            if person is not None:
                yield person

    for batch in _batches(rows(), batch_size):
        people: dict[str, _Person] = {}
        for person in batch:
            if person.rpps in people:
                people[person.rpps].places |= person.places
            else:
                people[person.rpps] = person
        _rpps_upsert(people, outcome, report)
    for value in outcome.values():
        if value == 2:
            report.created += 1
        elif value == 1:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


@transaction.atomic
def _rpps_upsert(people: dict[str, _Person], outcome: dict[str, int], report: ImportReport) -> None:
    existing = {p.rpps: p for p in Professional.objects.filter(rpps__in=list(people))}
    to_create, to_update, changed_fields = [], [], set()
    for rpps, person in people.items():
        professional = existing.get(rpps)
        if professional is None:
            to_create.append(Professional(rpps=rpps, **person.values))
            outcome[rpps] = 2
            continue
        changes = {name: value for name, value in person.values.items() if getattr(professional, name) != value}
        for name, value in changes.items():
            setattr(professional, name, value)
        if changes:
            to_update.append(professional)
            changed_fields |= set(changes)
        outcome[rpps] = max(outcome.get(rpps, 0), 1 if changes else 0)
    Professional.objects.bulk_create(to_create)
    if to_update:
        Professional.objects.bulk_update(to_update, sorted(changed_fields))
        professionals_changed.send(sender=Professional)
    ids = dict(Professional.objects.filter(rpps__in=list(people)).values_list("rpps", "pk"))
    sites = {finess for person in people.values() for finess, _ in person.places}
    establishments = dict(Establishment.objects.filter(finess_geo__in=sites).values_list("finess_geo", "pk"))
    known = set(
        PlaceOfPractice.objects.filter(professional_id__in=ids.values()).values_list(
            "professional_id", "establishment_id"
        )
    )
    places = []
    for rpps, person in people.items():
        for finess, role in sorted(person.places):
            establishment_id = establishments.get(finess)
            if establishment_id is None:
                report.note("lieux d'exercice non rattachés (FINESS site absent du DCC)")
                continue
            if (ids[rpps], establishment_id) in known:
                continue
            known.add((ids[rpps], establishment_id))
            places.append(PlaceOfPractice(professional_id=ids[rpps], establishment_id=establishment_id, role=role))
            outcome[rpps] = max(outcome.get(rpps, 0), 1)
    PlaceOfPractice.objects.bulk_create(places, ignore_conflicts=True)


# --- FINESS --------------------------------------------------------------------------------------

FINESS_RECORD = "structureet"
FINESS_MIN_FIELDS = 22
# categetab (FINESS establishment category) → the DCC's establishment type; other categories are out of scope.
FINESS_CATEGORIES = {
    "101": EstablishmentType.CHU,  # Centre Hospitalier Régional (C.H.R.)
    "106": EstablishmentType.CH,  # Centre hospitalier, ex Hôpital local
    "355": EstablishmentType.CH,  # Centre Hospitalier (C.H.)
    "131": EstablishmentType.CLCC,  # Centre de Lutte Contre Cancer
    "122": EstablishmentType.CLINIQUE,  # Établissement de soins obstétriques, chirurgicaux…
    "128": EstablishmentType.CLINIQUE,  # Établissement de soins chirurgicaux
    "129": EstablishmentType.CLINIQUE,  # Établissement de soins médicaux
    "365": EstablishmentType.CLINIQUE,  # Établissement de soins pluridisciplinaire
    "603": EstablishmentType.CABINET,  # Maison de santé (L.6223-3)
}
ESPIC_MARK = "intérêt collectif"


def _finess_values(cells: list[str]) -> dict:
    category = cells[18].strip()
    kind = FINESS_CATEGORIES[category]
    if kind == EstablishmentType.CLINIQUE and len(cells) > 27 and ESPIC_MARK in cells[27].lower():
        kind = EstablishmentType.ESPIC
    routing = cells[15].strip()  # "86021 POITIERS CEDEX"
    match = re.match(r"(\d{5})\s+(.*)$", routing)
    postcode, town = (match.group(1), match.group(2)) if match else ("", routing)
    town = re.sub(r"\s+CEDEX(\s+\d+)?$", "", town).strip()
    legal = cells[2].strip()
    return {
        "finess_legal": legal,
        "name": (cells[3].strip() or cells[4].strip())[:200],
        "kind": kind,
        "town": town[:120],
        "postcode": postcode,
        "phone": cells[16].strip()[:30],
        "is_active": True,
    }


def import_finess(path: Path, *, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> ImportReport:
    """Upsert the health establishments (by FINESS géographique) of the FINESS extraction."""
    report = ImportReport(label="FINESS (établissements)")
    lines = _lines(Path(path), progress, r"\.csv$")
    try:
        _, first = next(lines)
    except StopIteration:
        raise ImportFileError("Le fichier est vide.") from None
    if not first.startswith("finess;"):
        raise ImportFileError(
            "Ce fichier n'est pas une extraction FINESS : la première ligne doit commencer par « finess; »."
        )

    def rows():
        for number, text in lines:
            if not text.strip():
                continue
            cells = next(csv.reader([text], delimiter=";"))
            if cells[0] != FINESS_RECORD:
                continue  # geolocalisation rows and others
            report.lines += 1
            if len(cells) < FINESS_MIN_FIELDS:
                report.reject(number, f"ligne incomplète ({len(cells)} champs au lieu d'au moins {FINESS_MIN_FIELDS})")
                continue
            finess = cells[1].strip()
            try:
                validate_finess(finess)
                if cells[2].strip():
                    validate_finess(cells[2].strip())
            except ValidationError as exc:
                report.reject(number, f"{exc.messages[0]} ({finess or 'vide'})")
                continue
            if cells[18].strip() not in FINESS_CATEGORIES:
                report.ignored += 1
                continue
            values = _finess_values(cells)
            if not values["name"]:
                report.reject(number, "raison sociale manquante")
                continue
            yield number, finess, values

    for batch in _batches(rows(), batch_size):
        _finess_upsert(batch, report)
    return report


@transaction.atomic
def _finess_upsert(batch: list[tuple[int, str, dict]], report: ImportReport) -> None:
    existing = {e.finess_geo: e for e in Establishment.objects.filter(finess_geo__in=[f for _, f, _ in batch])}
    to_create, to_update, changed_fields, seen = [], [], set(), set()
    for _, finess, values in batch:
        if finess in seen:
            continue
        seen.add(finess)
        establishment = existing.get(finess)
        if establishment is None:
            to_create.append(Establishment(finess_geo=finess, **values))
            report.created += 1
            continue
        changes = {name: value for name, value in values.items() if getattr(establishment, name) != value}
        for name, value in changes.items():
            setattr(establishment, name, value)
        if changes:
            to_update.append(establishment)
            changed_fields |= set(changes)
            report.updated += 1
        else:
            report.unchanged += 1
    Establishment.objects.bulk_create(to_create)
    if to_update:
        Establishment.objects.bulk_update(to_update, sorted(changed_fields))


# --- MSSanté addresses ---------------------------------------------------------------------------

MSS_COLUMNS = ("rpps", "finess", "adresse_mss", "type_bal", "principale")
YES = {"oui", "o", "1", "vrai", "true", "x"}


def import_mss_addresses(path: Path, *, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> ImportReport:
    """Upsert MSSanté addresses (by address) with their professional and/or establishment.

    An address marked invalid in the DCC (after permanent failures) is not brought back: the line is
    rejected with that reason. The professional's sending address (``Professional.mss_address``)
    becomes the line marked ``principale``, or the professional's only personal address when he had none.
    """
    report = ImportReport(label="adresses MSSanté")
    lines = _lines(Path(path), progress, r"\.csv$")
    try:
        _, header = next(lines)
    except StopIteration:
        raise ImportFileError("Le fichier est vide.") from None
    names = [name.strip().lower() for name in next(csv.reader([header], delimiter=";"))]
    missing = [name for name in MSS_COLUMNS[:4] if name not in names]
    if missing:
        raise ImportFileError(
            "En-tête attendu : rpps;finess;adresse_mss;type_bal;principale — colonne(s) absente(s) : "
            + ", ".join(missing)
        )

    def rows():
        for number, text in lines:
            if not text.strip():
                continue
            report.lines += 1
            cells = next(csv.reader([text], delimiter=";"))
            if len(cells) < len(MSS_COLUMNS) - 1:
                report.reject(number, f"ligne incomplète ({len(cells)} champs, {len(MSS_COLUMNS)} attendus)")
                continue
            row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names)}
            address = row["adresse_mss"].lower()
            try:
                validate_email(address)
            except ValidationError:
                report.reject(number, f"adresse MSSanté invalide (« {row['adresse_mss']} »)")
                continue
            kind = row["type_bal"].upper()
            if kind not in MssMailboxType.values:
                report.reject(number, f"type de boîte « {row['type_bal']} » inconnu (PER, ORG, APP ou CAB)")
                continue
            if not row["rpps"] and not row["finess"]:
                report.reject(number, "ni RPPS ni FINESS : l'adresse n'est rattachée à personne")
                continue
            if kind == MssMailboxType.PER and not row["rpps"]:
                report.reject(number, "une boîte personnelle (PER) doit avoir un RPPS")
                continue
            yield number, address, kind, row["rpps"], row["finess"], row.get("principale", "").lower() in YES

    for batch in _batches(rows(), batch_size):
        _mss_upsert(batch, report)
    return report


@transaction.atomic
def _mss_upsert(batch: list, report: ImportReport) -> None:
    professionals = {p.rpps: p for p in Professional.objects.filter(rpps__in=[row[3] for row in batch if row[3]])}
    establishments = {
        e.finess_geo: e for e in Establishment.objects.filter(finess_geo__in=[row[4] for row in batch if row[4]])
    }
    existing = {a.address: a for a in MssAddress.objects.filter(address__in=[row[1] for row in batch])}
    for number, address, kind, rpps, finess, primary in batch:
        professional = professionals.get(rpps) if rpps else None
        establishment = establishments.get(finess) if finess else None
        if rpps and professional is None:
            report.reject(number, f"RPPS {rpps} absent de l'annuaire du DCC (importez d'abord le fichier RPPS)")
            continue
        if finess and establishment is None:
            report.reject(number, f"FINESS {finess} absent de l'annuaire du DCC (importez d'abord le fichier FINESS)")
            continue
        record = existing.get(address)
        if record is not None and record.status != MssAddressStatus.ACTIVE:
            when = f" le {timezone.localtime(record.status_changed_at):%d/%m/%Y}" if record.status_changed_at else ""
            report.reject(
                number, f"{address} a été {record.get_status_display().lower()}{when} dans le DCC : non réimportée"
            )
            continue
        values = {"mailbox_type": kind, "professional": professional, "establishment": establishment}
        is_new = record is None
        if is_new:
            record = MssAddress.objects.create(address=address, **values)
            existing[address] = record
            MssAddressEvent.objects.create(mss_address=record, action=MssAddressAction.IMPORTED)
            changed = True
        else:
            changes = {name: value for name, value in values.items() if getattr(record, name) != value}
            for name, value in changes.items():
                setattr(record, name, value)
            if changes:
                record.save()
            changed = bool(changes)
        sends_here = professional is not None and kind in (MssMailboxType.PER, MssMailboxType.CAB)
        if sends_here and professional.mss_address.lower() != address and (primary or not professional.mss_address):
            professional.mss_address = address
            professional.save(update_fields=["mss_address"])
            changed = True
        if is_new:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
