"""``python manage.py load_value_sets``: the fiche RCP's code lists from the official JDV files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rcp.services.catalogue import value_set_load
from rcp.value_sets import DATA_DIR, FICHE_VALUE_SETS, ValueSetError


class Command(BaseCommand):
    help = "Charge (ou met à jour) les jeux de valeurs nationaux utilisés par la fiche RCP (CIM-10, CIM-O-3…)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", default=str(DATA_DIR), help="Dossier des fichiers JDV (par défaut : rcp/data/value_sets)."
        )

    @transaction.atomic
    def handle(self, *args, **options):
        directory = Path(options["dir"])
        for value_set in FICHE_VALUE_SETS.values():
            path = directory / value_set.filename
            if not path.exists():
                raise CommandError(f"Fichier introuvable : {path}")
            try:
                name, count = value_set_load(path=path)
            except ValueSetError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"  {name} : {count} codes ({value_set.purpose})")
        self.stdout.write(self.style.SUCCESS(f"{len(FICHE_VALUE_SETS)} jeux de valeurs chargés."))
