"""A Redis cache that is an optimisation only: when Redis is slow or down, pages still work.

Every cache call has short socket timeouts (``DCC_CACHE_SOCKET_TIMEOUT_MS``) and no retry. A call that fails
(timeout, refused connection, reset) opens a breaker for ``DCC_CACHE_RETRY_SECONDS``: meanwhile every call
returns at once as a miss (``get`` → default, ``set`` → nothing…), so the callers fall back to
the database. The outage is logged once when it starts and once when Redis answers again. Keys whose deletion
failed during the outage (an invalidation: rights table, terms of use) are deleted again when Redis is back,
so a value cached before the outage never outlives a change made during it in this process.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Iterable

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("dcc.cache")

# Values read ahead for the current request (``ResilientRedisCache.prefetch``): key → value, or _MISSING.
_prefetched: contextvars.ContextVar[dict | None] = contextvars.ContextVar("dcc_cache_prefetched", default=None)
_MISSING = object()


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a ``redis.Redis`` for every cache call (copying its ~170 response callbacks);
    a ``redis.Redis`` is thread-safe and one per connection pool serves every call (a page makes about five)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5.0))
        timeout = float(options.pop("SOCKET_TIMEOUT", 0.25))
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        options.setdefault("socket_timeout", timeout)
        options.setdefault("socket_connect_timeout", timeout)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusingRedisCacheClient
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._down_since: float | None = None
        self._stale_keys: set[str] = set()

    # --- breaker ------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, operation: str, exc: Exception) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_seconds
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
        if first:
            logger.warning(
                "Cache Redis indisponible (%s : %s) : les pages lisent la base de données jusqu'à son retour.",
                operation,
                exc.__class__.__name__,
            )

    def _recover(self) -> None:
        """First call after an outage: replay the missed invalidations before answering anything."""
        stale = set(self._stale_keys)
        for key in stale:
            self._cache.delete(key)
        with self._lock:
            self._stale_keys -= stale
            since, self._down_since = self._down_since, None
        if since is not None:
            logger.warning("Cache Redis de nouveau disponible après %.1f s.", time.monotonic() - since)

    def _call(self, operation: str, function, fallback):
        import redis

        if not self.available:
            return fallback
        try:
            if self._down_since is not None:
                self._recover()
            return function()
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            self._failed(operation, exc)
            return fallback

    # --- reading ahead ------------------------------------------------------------------------

    def prefetch(self, keys: Iterable[str]) -> contextvars.Token:
        """Read ``keys`` in one round trip; until ``end_prefetch`` their ``get`` answers from that read.

        A page reads the same few keys every time (session, rights, terms of use): one MGET instead of one GET
        each. A write of a key through this cache (set, add, delete…) drops it from the read-ahead, so the
        request then sees its own change."""
        keys = list(keys)
        found = self.get_many(keys)
        return _prefetched.set({key: found.get(key, _MISSING) for key in keys})

    @staticmethod
    def end_prefetch(token: contextvars.Token) -> None:
        _prefetched.reset(token)

    @staticmethod
    def _forget_prefetched(*keys) -> None:
        memo = _prefetched.get()
        if memo:
            for key in keys:
                memo.pop(key, None)

    # --- cache API ----------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True while Redis is away: the only callers are allauth's rate-limit locks, which would otherwise wait
        # and refuse every login. Rate limits then pause; the per-account lockout (database) still holds.
        self._forget_prefetched(key)
        return self._call("add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), True)

    def get(self, key, default=None, version=None):
        memo = _prefetched.get()
        if memo is not None and version is None and key in memo:
            value = memo[key]
            return default if value is _MISSING else value
        return self._call("get", lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget_prefetched(key)
        return self._call("set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget_prefetched(key)
        return self._call("touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        self._forget_prefetched(key)
        full_key = self.make_and_validate_key(key, version=version)
        if not self.available:
            self._stale_keys.add(full_key)
            return False
        result = self._call("delete", lambda: super(ResilientRedisCache, self).delete(key, version), None)
        if result is None:
            self._stale_keys.add(full_key)
            return False
        return result

    def get_many(self, keys, version=None):
        return self._call("get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        self._forget_prefetched(key)
        return self._call("incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget_prefetched(*data)
        return self._call(
            "set_many", lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._forget_prefetched(*keys)
        return self._call("delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        memo = _prefetched.get()
        if memo:
            memo.clear()
        return self._call("clear", lambda: super(ResilientRedisCache, self).clear(), False)
