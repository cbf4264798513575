"""Indexes on the dates the dashboards filter by (signature, validation, creation), created from this app so the
other apps' migration histories stay untouched. ``IF NOT EXISTS``: an app that later declares the same index under
this name in its own model keeps working."""

from django.db import migrations

INDEXES = [
    ("dashboards_ficheversion_signed_at", "rcp_ficheversion", "signed_at"),
    ("dashboards_fiche_validated_at", "rcp_fiche", "validated_at"),
    ("dashboards_concertation_signed_at", "rcp_concertation", "signed_at"),
    ("dashboards_pps_validated_at", "pps_pps", "validated_at"),
    ("dashboards_document_created_at", "records_document", "created_at"),
    ("dashboards_patient_created_at", "identity_patient", "created_at"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_secretaire_3c_data_export_and_default_rules"),
        ("rcp", "0007_drop_unused_title_and_code_label_trigram_indexes"),
        ("pps", "0004_drop_rcp_proposition_id"),
        ("identity", "0004_patient_birth_name_prefix_index"),
        ("records", "0005_add_document_quarantine"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})", f"DROP INDEX IF EXISTS {name}")
        for name, table, column in INDEXES
    ]
