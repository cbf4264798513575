"""Revalidate the CDA stored in the records (XSD + the six ANS schematrons)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dcc.records.documents_services import document_file_bytes, document_validation_update
from dcc.records.models import Document
from interop.cda.validation import validate_cda


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Date invalide : {value!r} (attendu AAAA-MM-JJ).") from error


class Command(BaseCommand):
    help = "Revalide les CDA enregistrés dans les dossiers et affiche « N valides, M invalides »."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=_date, help="Uniquement les documents enregistrés depuis cette date.")

    def handle(self, *args, since=None, **options):
        documents = Document.objects.exclude(cda_file="").order_by("pk")
        if since:
            documents = documents.filter(created_at__gte=timezone.make_aware(dt.datetime.combine(since, dt.time())))
        valid = invalid = 0
        for document in documents.iterator(chunk_size=200):
            try:
                result = validate_cda(document_file_bytes(document, "cda"))
            except OSError as error:
                invalid += 1
                self.stdout.write(f"Document {document.pk} ({document.title}) : fichier illisible ({error}).")
                continue
            document_validation_update(document=document, valid=result.valid, report=result.summary_fr())
            if result.valid:
                valid += 1
            else:
                invalid += 1
                self.stdout.write(f"Document {document.pk} ({document.title}) :\n{result.summary_fr(limit=5)}")
        self.stdout.write(f"{valid} valide{'s' if valid > 1 else ''}, {invalid} invalide{'s' if invalid > 1 else ''}")
        if invalid:
            raise SystemExit(1)
