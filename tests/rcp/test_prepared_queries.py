"""``PreparedGet``: a queryset compiled once answers exactly as the plain queryset, with its key, on any thread."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.db.models.sql.compiler import SQLCompiler

from pps.selectors import _pps_detail, _pps_detail_queryset
from rcp.models import Dossier, Session
from rcp.selectors import _dossier_detail, _dossier_detail_queryset
from rcp.views.live import _session_with_rcp
from tests.pps.factories import PpsFactory
from tests.rcp.factories import register_dossier

pytestmark = pytest.mark.django_db(transaction=True)

DOSSIER_RELATIONS = ("patient", "fiche", "session", "requesting_doctor", "created_by")


def _state(obj, relations: tuple[str, ...]) -> dict:
    fields = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    cached = {name: obj._meta.get_field(name).is_cached(obj) for name in relations}
    prefetched = {name: [item.pk for item in items] for name, items in obj._prefetched_objects_cache.items()}
    return {"fields": fields, "cached": cached, "prefetched": prefetched}


@pytest.fixture
def dossiers(world, personas):
    return [register_dossier(world["session"], personas["doctor"]) for _ in range(2)]


def test_a_prepared_dossier_is_the_plain_querysets_dossier(dossiers):
    for dossier in dossiers:  # the second one runs the SQL compiled for the first
        prepared = _dossier_detail.get(dossier.pk)
        plain = _dossier_detail_queryset().get(pk=dossier.pk)
        assert _state(prepared, DOSSIER_RELATIONS) == _state(plain, DOSSIER_RELATIONS)
        assert prepared.session.rcp.three_c == plain.session.rcp.three_c
        assert list(prepared.fiche.versions.all()) == list(plain.fiche.versions.all())


def test_a_prepared_pps_and_session_are_the_plain_ones(world, personas):
    for _ in range(2):
        pps = PpsFactory(author=personas["annonce_nurse"])
        relations = ("patient", "author", "establishment")
        assert _state(_pps_detail.get(pps.pk), relations) == _state(_pps_detail_queryset().get(pk=pps.pk), relations)
    session = world["session"]
    prepared = _session_with_rcp.get(session.pk)
    assert (prepared.pk, prepared.rcp.title, prepared.rcp.establishment_id) == (
        session.pk,
        session.rcp.title,
        session.rcp.establishment_id,
    )


def test_an_unknown_key_raises_does_not_exist(dossiers):
    _dossier_detail.get(dossiers[0].pk)
    with pytest.raises(Dossier.DoesNotExist):
        _dossier_detail.get(0)
    with pytest.raises(Session.DoesNotExist):
        _session_with_rcp.get(0)
    with pytest.raises(Dossier.DoesNotExist):  # beyond bigint: no row, as Django's lookups say, not a 500
        _dossier_detail.get(2**70)


def test_the_main_query_is_compiled_once(dossiers, monkeypatch):
    _dossier_detail.get(dossiers[0].pk)
    compiled: list[type] = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    _dossier_detail.get(dossiers[1].pk)
    assert compiled == []  # neither the dossier's query nor its prefetches (attachments, transitions, versions)


def test_prefetched_children_are_read_without_a_query(dossiers, personas, django_assert_num_queries):
    from django.utils import timezone

    from rcp.models import FicheVersion

    dossier = dossiers[1]
    FicheVersion.objects.create(
        fiche=dossier.fiche, version=1, content={}, signed_by=personas["doctor"], signed_at=timezone.now()
    )
    _dossier_detail.get(dossiers[0].pk)
    with django_assert_num_queries(4):  # the dossier, its attachments, its transitions, its fiche's versions
        prepared = _dossier_detail.get(dossier.pk)
    plain = _dossier_detail_queryset().get(pk=dossier.pk)
    with django_assert_num_queries(0):
        transitions = list(prepared.transitions.all())
        assert list(prepared.attached_documents.all()) == []
        versions = list(prepared.fiche.versions.all())
        assert all(t.dossier is prepared for t in transitions)
        assert [t.by for t in transitions] == [t.by for t in plain.transitions.all()]  # select_related kept
        assert all(v.fiche is prepared.fiche and v.signed_by == personas["doctor"] for v in versions)
    assert transitions == list(plain.transitions.all()) and len(transitions) >= 1
    assert versions == list(plain.fiche.versions.all()) and len(versions) == 1
    # A filter on a prefetched relation still asks the database, for this parent's children only (the first
    # dossier's get must not have left its key in the shared queryset).
    assert list(prepared.transitions.filter(pk__in=[t.pk for t in transitions])) == transitions
    other = _dossier_detail.get(dossiers[0].pk)
    assert list(other.transitions.filter(pk__gt=0)) == list(other.transitions.all())


def test_another_thread_uses_its_own_connection(dossiers):
    _dossier_detail.get(dossiers[0].pk)  # compiled on this thread's connection
    main = connections["default"]
    found: list = []

    def other():
        try:
            found.append((_dossier_detail.get(dossiers[1].pk).pk, connections["default"] is not main))
        finally:
            connections["default"].close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert found == [(dossiers[1].pk, True)]
