"""Load the author specialties of the national value set JDV_J01 (shipped in directory/data)."""

from django.db import migrations


def load(apps, schema_editor):
    from dcc.directory.value_sets import load_specialties

    load_specialties(apps.get_model("directory", "Specialty"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_directory_with_trigram_search")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
