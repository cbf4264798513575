from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rcp", "0008_fiche_dossier_complete_not_assumed"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["status", "session"], name="rcp_dossier_status_db53d2_idx"),
        ),
    ]
