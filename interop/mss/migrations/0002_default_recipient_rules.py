"""The region's default recipient rules: fiche RCP → GP, requesting doctor, doctors present; PPS/PPAC → GP, référent."""

from django.db import migrations

DEFAULTS = [
    ("rcp.ficheversion", "medecin_traitant"),
    ("rcp.ficheversion", "demandeur"),
    ("rcp.ficheversion", "presents"),
    ("pps.pps", "medecin_traitant"),
    ("pps.pps", "referent"),
    ("pps.ppac", "medecin_traitant"),
    ("pps.ppac", "referent"),
]


def load(apps, schema_editor):
    rule = apps.get_model("mss", "RecipientRule")
    for source_type, role in DEFAULTS:
        rule.objects.get_or_create(source_type=source_type, role=role)


def unload(apps, schema_editor):
    rule = apps.get_model("mss", "RecipientRule")
    for source_type, role in DEFAULTS:
        rule.objects.filter(source_type=source_type, role=role).delete()


class Migration(migrations.Migration):
    dependencies = [("mss", "0001_recipient_rules_and_received_messages")]
    operations = [migrations.RunPython(load, unload)]
