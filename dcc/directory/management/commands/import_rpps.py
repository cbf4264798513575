"""`python manage.py import_rpps FILE`: see dcc.directory.importing and docs/directory.md."""

from dcc.directory.importing import import_rpps
from dcc.directory.management.progress import ImportCommand


class Command(ImportCommand):
    help = "Importe l'extraction publique de l'Annuaire Santé (professionnels RPPS et lieux d'exercice)."
    importer = staticmethod(import_rpps)
