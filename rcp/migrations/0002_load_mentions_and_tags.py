from django.db import migrations

from rcp.reference import ensure_reference_data


def load(apps, schema_editor):
    ensure_reference_data(apps.get_model("rcp", "MentionCategory"), apps.get_model("rcp", "SpecialtyTag"))


class Migration(migrations.Migration):
    dependencies = [("rcp", "0001_catalogue_agenda_attendance_code_lists")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
