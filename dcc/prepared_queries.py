"""Querysets compiled to SQL once per process, then run again with another primary key.

Compiling a query with many ``select_related`` joins costs more Python than PostgreSQL takes to answer it: the
dossier's query (patient, fiche, session, RCP, 3C, requesting doctor…) took about 1.5 ms to compile for a
fraction of that in the database, and compiling was about 30 % of a page's CPU under the load benchmark.
:class:`PreparedGet` compiles its queryset once, with a probe key that no row has, and for each call puts the key in the
compiled SQL's parameters; Django's own iterator then builds the objects, so ``select_related`` and annotations
behave exactly as with ``.get(pk=…)``. The same SQL text each time also lets psycopg keep it prepared on the
connection.

Its ``prefetch_related`` lookups that end in a reverse foreign key (``"transitions"``, ``Prefetch("fiche__versions",
queryset=…)``: the children of the object, or of an object it reaches through single-valued relations) are compiled
once the same way, the parent's key in place of the probe, and their rows are put where Django's prefetch puts them
(the related manager's prefetched queryset, each child's foreign key pointing back at its parent): prefetching
compiled one query per lookup on every call, a quarter of the dossier page. Any other lookup (nested through a
many-valued relation, ``to_attr``) is left to Django's prefetch.

Only for a queryset whose SQL depends on nothing but the key: no date of the day, no user, nothing read when it
is built (it is built once). ``tests/rcp/test_prepared_queries.py`` compares each one with its plain
queryset.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import connections
from django.db.models import ForeignKey, Model, Prefetch, QuerySet
from django.db.models.fields.reverse_related import ManyToOneRel
from django.db.models.sql.compiler import SQLCompiler

# A key no row has; found back among the compiled parameters to learn where the real key goes.
_PROBE_KEY = -7_364_019_228_551_904_211
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class _Compiled:
    """A queryset filtered on a probe key, compiled; the index of the key among its parameters."""

    template: QuerySet
    compiler: SQLCompiler
    sql: str
    params: tuple
    place: int

    @classmethod
    def of(cls, queryset: QuerySet, lookup: str, alias: str | None) -> _Compiled:
        template = queryset.filter(**{lookup: _PROBE_KEY})
        if alias:
            template = template.using(alias)
        compiler = template.query.get_compiler(using=template.db)
        sql, params = compiler.as_sql()
        places = [index for index, value in enumerate(params) if value == _PROBE_KEY]
        if len(places) != 1:
            raise ImproperlyConfigured(f"PreparedGet : la clé apparaît {len(places)} fois dans la requête.")
        return cls(template, compiler, sql, tuple(params), places[0])

    def rows(self, key: int) -> list[Model]:
        """The rows for this key, built by Django's iterator from the compiled SQL."""
        values = list(self.params)
        values[self.place] = key
        queryset = self.template._chain()
        bound = copy.copy(self.compiler)
        bound.connection = connections[queryset.db]  # this thread's connection, not the one it was compiled on
        bound.as_sql = lambda *args, **kwargs: (self.sql, tuple(values))
        queryset.query.get_compiler = lambda *args, **kwargs: bound
        return list(queryset)


@dataclass(frozen=True)
class _Children:
    """A prefetch lookup ending in a reverse foreign key: the path to the parent, its children's query."""

    path: tuple[str, ...]  # single-valued relations from the object to the parent ((): the object itself)
    field: ForeignKey  # the children's foreign key to the parent
    queryset: QuerySet  # what the related manager filters (the Prefetch's queryset, or the default manager's)
    compiled: _Compiled

    @classmethod
    def of(cls, model: type[Model], lookup: str | Prefetch, alias: str | None) -> _Children | None:
        prefetch = lookup if isinstance(lookup, Prefetch) else Prefetch(lookup)
        if prefetch.to_attr:
            return None
        *path, last = prefetch.prefetch_through.split("__")
        owner = model
        for name in path:
            relation = owner._meta.get_field(name)
            if not (relation.is_relation and (relation.many_to_one or relation.one_to_one)):
                return None
            owner = relation.related_model
        relation = owner._meta.get_field(last)
        if type(relation) is not ManyToOneRel or relation.field.target_field != owner._meta.pk:
            return None
        queryset = prefetch.queryset if prefetch.queryset is not None else relation.related_model._default_manager.all()
        return cls(tuple(path), relation.field, queryset, _Compiled.of(queryset, relation.field.name, alias))

    def attach(self, obj: Model) -> None:
        """Fetch the children of ``obj``'s parent and cache them as Django's prefetch does."""
        parent = obj
        try:
            for name in self.path:
                parent = getattr(parent, name)
        except ObjectDoesNotExist:  # a reverse one-to-one without a row
            return
        if parent is None:
            return
        children = self.compiled.rows(parent.pk)
        for child in children:
            self.field.set_cached_value(child, parent)
        manager = getattr(parent, self.field.remote_field.accessor_name)
        queryset = manager._apply_rel_filters(self.queryset.all())  # it filters the queryset it is given in place
        queryset._result_cache, queryset._prefetch_done = children, True
        parent.__dict__.setdefault("_prefetched_objects_cache", {})[self.field.remote_field.cache_name] = queryset


class PreparedGet:
    def __init__(self, build: Callable[[], QuerySet]):
        self._build = build
        self._prepared: dict[str | None, tuple[_Compiled, tuple[_Children, ...]]] = {}  # by database alias
        self._lock = threading.Lock()

    def _prepare(self, alias: str | None) -> tuple[_Compiled, tuple[_Children, ...]]:
        prepared = self._prepared.get(alias)
        if prepared is None:
            with self._lock:
                queryset = self._build()
                children, others = [], []
                for lookup in queryset._prefetch_related_lookups:
                    plan = _Children.of(queryset.model, lookup, alias)
                    if plan is None:
                        others.append(lookup)
                    else:
                        children.append(plan)
                queryset = queryset.prefetch_related(None).prefetch_related(*others)
                prepared = self._prepared[alias] = (_Compiled.of(queryset, "pk", alias), tuple(children))
        return prepared

    def get(self, pk: int, *, using: str | None = None) -> Model:
        """The object with this primary key, as ``queryset.get(pk=pk)`` would return it (``DoesNotExist`` too)."""
        main, children = self._prepare(using)
        model = main.template.model
        key = int(pk)
        if not _BIGINT_MIN <= key <= _BIGINT_MAX:  # as Django's own lookups: no such row, not a database error
            raise model.DoesNotExist(f"{model._meta.object_name} {pk} introuvable.")
        rows = main.rows(key)
        if not rows:
            raise model.DoesNotExist(f"{model._meta.object_name} {pk} introuvable.")
        for plan in children:
            plan.attach(rows[0])
        return rows[0]
