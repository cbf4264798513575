"""The database backend of settings read without DATABASE_URL: every use raises one message saying what to do.

Django's own dummy backend does the same with a message about the ENGINE value, which misleads here: the settings
are fine, the environment lacks the database's address.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.dummy import base as dummy

MESSAGE = (
    "DATABASE_URL n'est pas défini : lancez le DCC par `make run`, `python manage.py …` ou `make test`, qui "
    "démarrent PostgreSQL et Redis embarqués, ou définissez DATABASE_URL et REDIS_URL (voir .env.example)."
)


def complain(*args, **kwargs):
    raise ImproperlyConfigured(MESSAGE)


class DatabaseOperations(dummy.DatabaseOperations):
    quote_name = complain


class DatabaseClient(dummy.DatabaseClient):
    runshell = complain


class DatabaseIntrospection(dummy.DatabaseIntrospection):
    get_table_list = complain
    get_table_description = complain
    get_relations = complain
    get_indexes = complain


class DatabaseWrapper(dummy.DatabaseWrapper):
    vendor = "unconfigured"
    display_name = "Base non configurée"
    client_class = DatabaseClient
    ops_class = DatabaseOperations
    introspection_class = DatabaseIntrospection
    _cursor = complain
    ensure_connection = complain
    _commit = complain
    _rollback = dummy.ignore
    _close = dummy.ignore
    _savepoint = dummy.ignore
    _savepoint_commit = complain
    _savepoint_rollback = dummy.ignore
    _set_autocommit = complain
