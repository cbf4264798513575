"""Issue 16, finding 6: nobody empties the trail — TRUNCATE refused by a trigger, and the application's role
(owner of nothing) may only INSERT and SELECT on it, while working normally elsewhere."""

from __future__ import annotations

import os

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from dcc.dbroles import grant_application_role
from dcc.records.models import AccessTrail

pytestmark = pytest.mark.django_db(transaction=True)


def test_truncate_of_the_trail_is_refused_unless_the_session_asks():
    AccessTrail.objects.create(action="read", detail="à garder")
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL dcc.allow_trail_truncate = off")
        cursor.execute("TRUNCATE records_accesstrail")
    assert AccessTrail.objects.filter(detail="à garder").exists()


@pytest.fixture
def application_role():
    role = f"dcc_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        grant_application_role(cursor, role=role, password="mot-de-passe-de-test")
        grant_application_role(cursor, role=role, password="mot-de-passe-de-test")  # idempotent
    db = settings.DATABASES["default"]
    url = f"postgresql://{role}:mot-de-passe-de-test@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    yield url
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')


def _refused(url: str, statement: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute(statement)
        except psycopg.errors.InsufficientPrivilege:
            return True
    return False


def test_the_application_role_only_adds_and_reads_the_trail(application_role):
    line = AccessTrail.objects.create(action="read", detail="à garder")
    try:
        with psycopg.connect(application_role, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO records_accesstrail (at, user_label, action, object_type, object_id, connection_method, "
                "detail, acting_as_label) VALUES (now(), 'app', 'read', '', '', '', 'ajout', '')"
            )
            assert conn.execute("SELECT count(*) FROM records_accesstrail").fetchone()[0] == 2
            # Elsewhere it works normally (here: a terms acceptance table round trip).
            conn.execute("SELECT count(*) FROM accounts_user").fetchone()
    except psycopg.OperationalError as exc:  # pragma: no cover - pg_hba without password logins
        pytest.skip(f"connexion par mot de passe refusée par ce serveur : {exc}")
    for statement in (
        "TRUNCATE records_accesstrail",
        "DELETE FROM records_accesstrail",
        "UPDATE records_accesstrail SET detail = 'x'",
        "ALTER TABLE records_accesstrail DISABLE TRIGGER ALL",
        "DROP TABLE records_accesstrail",
        "CREATE TABLE intrus (id int)",
    ):
        assert _refused(application_role, statement), statement
    assert AccessTrail.objects.filter(pk=line.pk, detail="à garder").exists()
