"""Link each PPS (and PPAC) to the validated fiche RCP whose proposition it follows.

``rcp_proposition_id`` was a bare id kept until the RCP app existed. An id that names a validated fiche of
the same patient becomes the link; any other is dropped, and a validated programme that loses it records why
(every validated programme has a fiche or a stated reason).
"""

import django.db.models.deletion
from django.db import migrations, models

LOST = "Proposition RCP n° {id} non retrouvée lors du rattachement aux fiches RCP."


def link_existing_ids(apps, schema_editor):
    Pps = apps.get_model("pps", "Pps")
    Fiche = apps.get_model("rcp", "Fiche")
    for pps in Pps.objects.exclude(rcp_proposition_id__isnull=True).iterator():
        fiche = Fiche.objects.filter(
            pk=pps.rcp_proposition_id, dossier__patient_id=pps.patient_id, validated_at__isnull=False
        ).first()
        if fiche is not None:
            pps.rcp_fiche_id = fiche.pk
        elif pps.status != "draft" and not pps.no_rcp_reason:
            pps.no_rcp_reason = LOST.format(id=pps.rcp_proposition_id)
        pps.save(update_fields=["rcp_fiche", "no_rcp_reason"])


def unlink(apps, schema_editor):
    Pps = apps.get_model("pps", "Pps")
    for pps in Pps.objects.exclude(rcp_fiche__isnull=True).iterator():
        pps.rcp_proposition_id = pps.rcp_fiche_id
        pps.save(update_fields=["rcp_proposition_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("pps", "0002_ppac_follow_up_plans_templates_and_advice"),
        ("rcp", "0005_fiche_transversal_treatment_care"),
    ]

    operations = [
        migrations.AddField(
            model_name="pps",
            name="rcp_fiche",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rcp.fiche",
                verbose_name="fiche RCP (proposition suivie)",
            ),
        ),
        migrations.RunPython(link_existing_ids, unlink),
    ]
