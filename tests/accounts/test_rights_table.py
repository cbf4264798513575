"""One source of truth for the rights — the data migrations — which the enum's defaults, the database and the
table of docs/rights-and-security.md all agree with."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings

from dcc.accounts.enums import DEFAULT_PERMISSIONS, Permission, Profile
from dcc.accounts.models import ProfilePermission

# Every data migration that grants rights (each exposes its grants as DEFAULTS).
MIGRATIONS = [
    "dcc.accounts.migrations.0003_default_profile_permissions",
    "dcc.accounts.migrations.0004_interop_monitor_right",
    "dcc.accounts.migrations.0004_launch_simulate_right",
    "dcc.accounts.migrations.0005_rcp_and_pps_rights",
    "dcc.dashboards.migrations.0002_secretaire_3c_data_export_and_default_rules",
]
# The table's columns, in order.
COLUMNS = [
    Profile.MEDECIN, Profile.SECRETAIRE_MEDICALE, Profile.SECRETAIRE_3C, Profile.ANNONCE_PPS, Profile.LECTURE_SEULE,
    Profile.CRCDC, Profile.REGISTRE, Profile.ARC, Profile.ADMIN_REGIONAL,
]  # fmt: skip


def _from_migrations() -> set[tuple[str, str]]:
    pairs = set()
    for name in MIGRATIONS:
        module = importlib.import_module(name)
        pairs |= {(profile, permission) for profile, held in module.DEFAULTS.items() for permission in held}
    return pairs


def _from_docs() -> set[tuple[str, str]]:
    text = (Path(settings.BASE_DIR) / "docs" / "rights-and-security.md").read_text()
    pairs, rows = set(), 0
    for line in text.splitlines():
        match = re.match(r"^\| .*\(`([a-z_]+)`\) \|(.*)\|$", line)
        if not match or match.group(1) not in Permission.values:
            continue
        rows += 1
        cells = [cell.strip() for cell in match.group(2).split("|")]
        assert len(cells) == len(COLUMNS), line
        pairs |= {(profile, match.group(1)) for profile, cell in zip(COLUMNS, cells, strict=True) if cell == "✔"}
    assert rows == len(Permission.values), "une ligne par droit dans le tableau de docs/rights-and-security.md"
    return pairs


def _from_enum() -> set[tuple[str, str]]:
    return {(profile, permission) for profile, held in DEFAULT_PERMISSIONS.items() for permission in held}


def test_the_docs_table_is_the_data_migrations():
    assert _from_docs() == _from_migrations()


def test_the_enum_defaults_are_the_data_migrations():
    assert _from_enum() == _from_migrations()


@pytest.mark.django_db(transaction=True)
def test_the_migrated_database_holds_the_data_migrations():
    # Transactional tests start from the migrated table (restored by the conftest when flushed).
    assert set(ProfilePermission.objects.values_list("profile", "permission")) == _from_migrations()


def test_rcp_and_pps_rights_name_no_profile():
    for path in ("rcp/perms.py", "pps/perms.py"):
        source = (Path(settings.BASE_DIR) / path).read_text()
        assert "Profile." not in source and "_PROFILES" not in source.replace("REGIONAL_PROFILES", ""), path


@pytest.mark.django_db
def test_rcp_and_pps_checks_follow_the_table(personas):
    from dcc.accounts.perms import rights_cache_clear
    from pps import perms as pps_perms
    from rcp import perms as rcp_perms

    secretary, medical = personas["secretary_3c"], personas["medical_secretary"]
    assert rcp_perms.can_register_dossiers(medical) and not pps_perms.can_author_pps(medical)
    assert pps_perms.can_view_statistics(personas["registry"]) and not pps_perms.can_view_statistics(medical)

    ProfilePermission.objects.filter(profile=Profile.SECRETAIRE_MEDICALE, permission="dossier_register").delete()
    ProfilePermission.objects.create(profile=Profile.SECRETAIRE_MEDICALE, permission="pps_author")
    ProfilePermission.objects.filter(profile=Profile.SECRETAIRE_3C, permission="rcp_agenda").delete()
    rights_cache_clear()
    for user in (secretary, medical):
        for attribute in ("_dcc_profile_permissions", "_rcp_three_cs_with"):
            user.__dict__.pop(attribute, None)

    assert not rcp_perms.can_register_dossiers(medical) and pps_perms.can_author_pps(medical)
    assert not rcp_perms.can_manage_catalogue(secretary)
