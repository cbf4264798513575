"""The 3C secretary answers her 3C's data requests: she gets ``data_export`` (within her 3C), and the region
gets a first indemnification rule and delay thresholds, which the administrator edits."""

import datetime
from decimal import Decimal

from django.db import migrations

# The grants of this migration, read by tests/accounts/test_rights_table.py.
DEFAULTS = {"secretaire_3c": ["data_export"]}


def forward(apps, schema_editor):
    ProfilePermission = apps.get_model("accounts", "ProfilePermission")
    for profile, held in DEFAULTS.items():
        for permission in held:
            ProfilePermission.objects.get_or_create(profile=profile, permission=permission)
    IndemnityRule = apps.get_model("dashboards", "IndemnityRule")
    IndemnityRule.objects.get_or_create(
        valid_from=datetime.date(2000, 1, 1),
        defaults={
            "amount_per_session": Decimal("100.00"),
            "count_video": True,
            "max_sessions_per_month": 4,
            "max_amount_per_year": Decimal("3000.00"),
        },
    )
    DelayRule = apps.get_model("dashboards", "DelayRule")
    DelayRule.objects.get_or_create(
        valid_from=datetime.date(2000, 1, 1), defaults={"diagnosis_to_rcp_days": 30, "rcp_to_treatment_days": 30}
    )


def backward(apps, schema_editor):
    ProfilePermission = apps.get_model("accounts", "ProfilePermission")
    ProfilePermission.objects.filter(profile="secretaire_3c", permission="data_export").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_default_profile_permissions"),
        ("dashboards", "0001_exports_rules_and_query_runs"),
    ]

    operations = [migrations.RunPython(forward, backward)]
