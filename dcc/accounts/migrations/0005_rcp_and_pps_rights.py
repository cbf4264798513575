"""The rights RCP and PPS checks read (issue 16, finding 10): running a session, the RCP reference lists, the
regional PPS library. Frozen copy: ``dcc.accounts.enums.DEFAULT_PERMISSIONS`` is their union with 0003's."""

from django.db import migrations, models

DEFAULTS = {
    "secretaire_3c": ["session_run"],
    "admin_regional": ["rcp_reference", "pps_library"],
}


def load_defaults(apps, schema_editor):
    ProfilePermission = apps.get_model("accounts", "ProfilePermission")
    for profile, permissions in DEFAULTS.items():
        for permission in permissions:
            ProfilePermission.objects.get_or_create(profile=profile, permission=permission)


def unload_defaults(apps, schema_editor):
    ProfilePermission = apps.get_model("accounts", "ProfilePermission")
    for profile, permissions in DEFAULTS.items():
        ProfilePermission.objects.filter(profile=profile, permission__in=permissions).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_login_failures"),
    ]

    operations = [
        migrations.AlterField(
            model_name="profilepermission",
            name="permission",
            field=models.CharField(
                choices=[
                    ("patient_read", "Consulter un dossier patient"),
                    ("dossier_register", "Inscrire un dossier en RCP"),
                    ("fiche_edit", "Rédiger une fiche RCP"),
                    ("fiche_validate", "Valider une fiche RCP"),
                    ("rcp_agenda", "Gérer l'agenda des RCP"),
                    ("pps_author", "Rédiger un PPS"),
                    ("document_send", "Envoyer des documents"),
                    ("data_export", "Exporter des données"),
                    ("stats_read", "Consulter les statistiques"),
                    ("break_glass", "Accès exceptionnel à un dossier (bris de glace)"),
                    ("trail_read", "Voir qui a consulté un dossier"),
                    ("trail_audit", "Consulter la traçabilité régionale"),
                    ("users_admin", "Administrer les utilisateurs"),
                    ("impersonate", "Se connecter en tant qu'un utilisateur (support)"),
                    ("session_run", "Animer une séance RCP (ordre de passage, séance en direct)"),
                    ("rcp_reference", "Gérer les mentions, étiquettes et jeux de valeurs des RCP"),
                    ("pps_library", "Gérer la bibliothèque régionale des PPS"),
                ],
                max_length=32,
                verbose_name="droit",
            ),
        ),
        migrations.RunPython(load_defaults, unload_defaults),
    ]
