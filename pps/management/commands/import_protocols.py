"""``python manage.py import_protocols protocoles.csv``: the regional protocol base, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pps.protocol_import import protocols_import_csv


class Command(BaseCommand):
    help = "Importe (crée ou met à jour) les protocoles thérapeutiques depuis un fichier CSV."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fichier CSV (en-tête : nom;medicaments;duree_cycle_jours;…)")

    def handle(self, *args, path: str, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        raw = file.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        try:
            result = protocols_import_csv(text=text)
        except ValidationError as error:
            raise CommandError("Import refusé, rien n'a été importé :\n" + "\n".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{result.created} protocole(s) créé(s), {result.updated} mis à jour."))
