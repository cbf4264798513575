"""`python manage.py import_finess FILE`: see dcc.directory.importing and docs/directory.md."""

from dcc.directory.importing import import_finess
from dcc.directory.management.progress import ImportCommand


class Command(ImportCommand):
    help = "Importe l'extraction FINESS des établissements de santé."
    importer = staticmethod(import_finess)
