"""``python manage.py mss_ingest FILE.eml…``: feed raw messages through the poller's code, print the outcome."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from interop.mss.conf import mss_settings
from interop.mss.receipts import ingest


class Command(BaseCommand):
    help = "Traite des fichiers .eml (DSN, MDN, réponses) comme la relève IMAP et affiche le résultat."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="fichiers .eml")

    def handle(self, *args, **options):
        own = mss_settings().address
        for name in options["files"]:
            path = Path(name)
            try:
                raw = path.read_bytes()
            except OSError as error:
                self.stdout.write(f"{name} : fichier illisible ({error.strerror or error})")
                continue
            result = ingest(raw, origin=f"fichier:{path.name}", own_address=own)
            self.stdout.write(f"{name} : {result.describe()}")
