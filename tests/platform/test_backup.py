"""Drill: `make backup` then restore, on the seeded demo — same row counts in every table, same files (SHA-256)."""

from __future__ import annotations

import shutil

import psycopg
import pytest
from django.conf import settings

from dcc.backup import create, file_hashes, restore, row_counts
from tests.conftest import _database_url_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]


@pytest.fixture
def restore_database():
    name = f"{settings.DATABASES['default']['NAME']}_restore"
    admin = _database_url_for("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _database_url_for(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_round_trip_on_the_demo(demo, tmp_path, restore_database):
    # A copy of the seed's files: the other test process (xdist) shares the seed's folder and may store a document
    # in it while this one compares the files before and after the backup.
    media = tmp_path / "media"
    shutil.copytree(demo.media, media)
    url = _database_url_for(settings.DATABASES["default"]["NAME"])
    rows, files = row_counts(url), file_hashes(media)
    assert files, "la démonstration doit avoir des documents stockés"
    assert rows["records_accesstrail"] > 0 and rows["identity_patient"] > 0

    archive = tmp_path / "dcc.tar"
    manifest = create(url=url, output=archive, media=media)
    assert manifest["rows"] == rows and manifest["files"] == files

    restored_media = tmp_path / "restored-media"
    restore(url=restore_database, archive_path=archive, media=restored_media)

    assert row_counts(restore_database) == rows
    assert file_hashes(restored_media) == files
    # The trail's protections come back with the data.
    with psycopg.connect(restore_database, autocommit=True) as conn, pytest.raises(psycopg.Error, match="append-only"):
        conn.execute("DELETE FROM records_accesstrail")
