"""The application's PostgreSQL role: it owns nothing, and may only INSERT and SELECT on the access trail.

Migrations run as the owner of the database (``DATABASE_URL`` of the ``migrate`` step); web, worker and beat
connect as this role. Being no owner, it cannot drop or alter a table, disable the trail's triggers or TRUNCATE
it; on ``records_accesstrail`` it holds SELECT and INSERT only. ``grant_application_role`` is idempotent: run it
after every ``migrate`` (``manage.py db_application_role``); default privileges cover tables created later by
the owner, and the trail's restriction is reapplied each time.
"""

from __future__ import annotations

from psycopg import sql

TRAIL = "records_accesstrail"


def grant_application_role(cursor, *, role: str, password: str | None = None) -> None:
    """As the owner, on the application's database: create ``role`` if missing and set its privileges."""
    cursor.execute("SELECT current_user, current_database()")
    owner, database = cursor.fetchone()
    ident = sql.Identifier(role)
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT").format(ident))
    if password:
        cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(password)))
    statements = [
        "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}",
        "GRANT USAGE ON SCHEMA public TO {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES "
        "TO {role}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
        "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {trail} FROM {role}",
    ]
    names = {
        "db": sql.Identifier(database),
        "role": ident,
        "owner": sql.Identifier(owner),
        "trail": sql.Identifier(TRAIL),
    }
    for statement in statements:
        cursor.execute(sql.SQL(statement).format(**names))
