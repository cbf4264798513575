"""Querysets compiled to SQL once per process, then run again with another primary key.

Compiling a query with many ``select_related`` joins costs more Python than PostgreSQL takes to answer it: the
dossier's query (patient, fiche, session, RCP, 3C, requesting doctor…) took about 1.5 ms to compile for a
fraction of that in the database, and compiling was about 30 % of a page's CPU under the load benchmark.
:class:`PreparedGet` compiles its queryset once, with a probe key that no row has, and for each call puts the key in the
compiled SQL's parameters; Django's own iterator then builds the objects, so ``select_related``, annotations and
``prefetch_related`` behave exactly as with ``.get(pk=…)``. The same SQL text each time also lets psycopg keep it
prepared on the connection.

Only for a queryset whose SQL depends on nothing but the key: no date of the day, no user, nothing read when it
is built (it is built once). ``tests/rcp/test_prepared_queries.py`` compares each one with its plain
queryset.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Model, QuerySet

# A key no row has; found back among the compiled parameters to learn where the real key goes.
_PROBE_KEY = -7_364_019_228_551_904_211
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1


class PreparedGet:
    def __init__(self, build: Callable[[], QuerySet]):
        self._build = build
        self._prepared: dict[str | None, tuple] = {}  # by database alias
        self._lock = threading.Lock()

    def _prepare(self, alias: str | None) -> tuple:
        prepared = self._prepared.get(alias)
        if prepared is None:
            with self._lock:
                template = self._build().filter(pk=_PROBE_KEY)
                if alias:
                    template = template.using(alias)
                compiler = template.query.get_compiler(using=template.db)
                sql, params = compiler.as_sql()
                places = [index for index, value in enumerate(params) if value == _PROBE_KEY]
                if len(places) != 1:
                    raise ImproperlyConfigured(f"PreparedGet : la clé apparaît {len(places)} fois dans la requête.")
                prepared = self._prepared[alias] = (template, compiler, sql, tuple(params), places[0])
        return prepared

    def get(self, pk: int, *, using: str | None = None) -> Model:
        """The object with this primary key, as ``queryset.get(pk=pk)`` would return it (``DoesNotExist`` too)."""
        template, compiler, sql, params, place = self._prepare(using)
        key = int(pk)
        if not _BIGINT_MIN <= key <= _BIGINT_MAX:  # as Django's own lookups: no such row, not a database error
            raise template.model.DoesNotExist(f"{template.model._meta.object_name} {pk} introuvable.")
        values = list(params)
        values[place] = key
        queryset = template._chain()
        bound = copy.copy(compiler)
        bound.connection = connections[queryset.db]  # this thread's connection, not the one it was compiled on
        bound.as_sql = lambda *args, **kwargs: (sql, tuple(values))
        queryset.query.get_compiler = lambda *args, **kwargs: bound
        rows = list(queryset)
        if not rows:
            raise queryset.model.DoesNotExist(f"{queryset.model._meta.object_name} {pk} introuvable.")
        return rows[0]
