"""Copy every stored file (documents, quarantine) from one storage backend to another, checking SHA-256.

    python manage.py storage_migrate --from local --to s3 [--dry-run]

Backends are the ``STORAGES`` aliases (``local``, ``s3``). Each file referenced by a ``FileField`` is read from
the source, its SHA-256 compared with the one recorded on the row when there is one, written under the same
name to the target unless already there with the same content, read back from the target and checked again.
Rows are not modified: the names stay the same, so switching ``DCC_STORAGE_BACKEND`` afterwards is enough.
Re-running is safe (files already copied are verified and skipped). Exit status 1 if any file failed.
"""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import models

# FileField name → field holding its recorded SHA-256, per model label.
RECORDED_SHA = {
    "records.Document": {"pdf_file": "pdf_sha256", "cda_file": "cda_sha256"},
    "records.QuarantinedDocument": {"file": "sha256"},
}


def sha256_of(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


class Command(BaseCommand):
    help = "Copie les fichiers stockés d'un stockage à l'autre (local, s3) en vérifiant leur SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, help="stockage source (local, s3)")
        parser.add_argument("--to", dest="target", required=True, help="stockage cible (local, s3)")
        parser.add_argument("--dry-run", action="store_true", help="vérifie la source sans rien copier")

    def handle(self, *args, source: str, target: str, dry_run: bool, **options):
        for alias in (source, target):
            if alias not in ("local", "s3") or alias not in storages.backends:
                raise CommandError(f"Stockage inconnu ou non configuré : {alias} (local, ou s3 avec DCC_S3_BUCKET).")
        if source == target:
            raise CommandError("La source et la cible doivent être différentes.")
        origin, destination = storages[source], storages[target]
        copied = skipped = failed = 0
        for model, field in file_fields():
            recorded = RECORDED_SHA.get(model._meta.label, {}).get(field.name)
            columns = ["pk", field.name] + ([recorded] if recorded else [])
            rows = model._default_manager.exclude(**{field.name: ""}).values_list(*columns).order_by("pk")
            for row in rows.iterator(chunk_size=500):
                name = row[1]
                expected = row[2] if recorded else ""
                try:
                    with origin.open(name, "rb") as handle:
                        content = handle.read()
                    digest = hashlib.sha256(content).hexdigest()
                    if expected and digest != expected:
                        raise ValueError(f"empreinte à la source {digest[:12]}… ≠ enregistrée {expected[:12]}…")
                    if dry_run:
                        skipped += 1
                        continue
                    if destination.exists(name) and sha256_of(destination, name) == digest:
                        skipped += 1
                        continue
                    if destination.exists(name):
                        destination.delete(name)
                    saved = destination.save(name, ContentFile(content))
                    if saved != name:
                        raise ValueError(f"la cible a enregistré le fichier sous un autre nom : {saved}")
                    if sha256_of(destination, name) != digest:
                        raise ValueError("empreinte relue dans la cible différente")
                    copied += 1
                except Exception as exc:
                    failed += 1
                    self.stderr.write(f"ÉCHEC {model._meta.label} #{row[0]} {name} : {exc}")
        verb = "vérifié(s)" if dry_run else "déjà présent(s) et vérifié(s)"
        self.stdout.write(f"{copied} fichier(s) copié(s), {skipped} {verb}, {failed} en échec ({source} → {target}).")
        if failed:
            raise SystemExit(1)
