"""The cache is an optimisation: a Redis that is stalled or gone gives misses, fast, and is used again after."""

from __future__ import annotations

import time

import pytest
import redis
from django.conf import settings

from dcc.cache import ResilientRedisCache
from tests.platform.own_services import own_redis, paused

pytestmark = pytest.mark.integration


def _cache(url: str, retry_seconds: float = 0.5) -> ResilientRedisCache:
    return ResilientRedisCache(
        f"{url}/0",
        {"KEY_PREFIX": "unit", "OPTIONS": {"SOCKET_TIMEOUT": 0.2, "RETRY_SECONDS": retry_seconds}},
    )


def test_the_configured_cache_is_the_resilient_one():
    assert settings.CACHES["default"]["BACKEND"] == "dcc.cache.ResilientRedisCache"


def test_a_stalled_redis_gives_fast_misses_and_the_breaker_skips_it(caplog):
    with own_redis() as (url, process):
        cache = _cache(url, retry_seconds=30)
        cache.set("key", "value")
        with paused(process):
            started = time.monotonic()
            assert cache.get("key", "défaut") == "défaut"
            first = time.monotonic() - started
            started = time.monotonic()
            for _ in range(100):
                assert cache.get("key") is None
                cache.set("key", "other")
            rest = time.monotonic() - started
        assert first < 1.0 and rest < 0.2
        assert sum("indisponible" in record.getMessage() for record in caplog.records) == 1


def test_a_deletion_missed_during_the_outage_is_replayed_when_redis_is_back(caplog):
    with own_redis() as (url, process):
        cache = _cache(url)
        cache.set("rights", "old table")
        with paused(process):
            cache.delete("rights")  # an invalidation the outage swallowed
        # Meanwhile the old value is back (another process cached it from an older read).
        redis.Redis.from_url(f"{url}/0").set(cache.make_key("rights"), cache._cache._serializer.dumps("old table"))
        time.sleep(0.6)
        assert cache.get("rights") is None  # not the value cached before the change
        assert any("de nouveau disponible" in record.getMessage() for record in caplog.records)
