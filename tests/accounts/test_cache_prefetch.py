"""One Redis read per page for the session, the terms of use and the rights (``CachePrefetchMiddleware``)."""

from __future__ import annotations

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from dcc.accounts.cache_prefetch import PAGE_KEYS

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_commands(monkeypatch):
    """The Redis commands sent while the test runs, as (command, first argument)."""
    sent: list[tuple[str, str]] = []
    original = redis.Redis.execute_command

    def recording(self, *args, **options):
        sent.append((str(args[0]).upper(), str(args[1]) if len(args) > 1 else ""))
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", recording)
    return sent


def _raw_set(key: str, value) -> None:
    """Write a key behind the cache's back, as another process would."""
    client = cache._cache.get_client(key, write=True)
    client.set(cache.make_and_validate_key(key), cache._cache._serializer.dumps(value))


def test_a_prefetched_key_answers_from_the_read_ahead_until_the_request_writes_it():
    cache.set("prefetch:a", "first")
    cache.delete("prefetch:missing")
    token = cache.prefetch(["prefetch:a", "prefetch:missing"])
    try:
        _raw_set("prefetch:a", "changed elsewhere")
        assert cache.get("prefetch:a") == "first"  # one snapshot for the request
        assert cache.get("prefetch:missing", "défaut") == "défaut"  # known absent: no round trip

        cache.set("prefetch:a", "written here")
        assert cache.get("prefetch:a") == "written here"  # the request sees its own write
        cache.delete("prefetch:a")
        assert cache.get("prefetch:a") is None
        cache.add("prefetch:missing", "added")
        assert cache.get("prefetch:missing") == "added"
    finally:
        cache.end_prefetch(token)
    _raw_set("prefetch:a", "after the request")
    assert cache.get("prefetch:a") == "after the request"  # no read-ahead outside a request


def test_a_signed_in_page_reads_its_common_keys_in_one_round_trip(client, personas, redis_commands):
    client.force_login(personas["annonce_nurse"])
    client.get(reverse("pps:home"))
    redis_commands.clear()

    assert client.get(reverse("pps:home")).status_code == 200

    reads = [(command, key) for command, key in redis_commands if command in {"GET", "MGET"}]
    assert [command for command, _ in reads].count("MGET") == 1
    single_reads = [key for command, key in reads if command == "GET"]
    for key in (*PAGE_KEYS, "django.contrib.sessions"):
        assert not any(key in read for read in single_reads), (key, single_reads)


def test_a_rights_change_made_during_a_request_is_not_hidden_by_the_read_ahead(client, personas):
    from dcc.accounts.rights_cache import GENERATION_KEY, rights_generation

    before = rights_generation()
    token = cache.prefetch([GENERATION_KEY])
    try:
        assert rights_generation() == before
        cache.delete(GENERATION_KEY)  # what a grant's change does (rights_changed)
        assert rights_generation() != before
    finally:
        cache.end_prefetch(token)
