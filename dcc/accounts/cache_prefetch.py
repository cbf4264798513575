"""Read the cache keys every page needs in one round trip, before the session and the rights are asked for.

A signed-in page read the session, the terms of use in force, the rights table and the rights generation from
Redis one after the other (plus the generation a second time for the menu): five round trips. This middleware,
placed before the session middleware, reads them with one MGET (``ResilientRedisCache.prefetch``); the code
that asks for them is unchanged and answers from that read, and a write of one of these keys during the
request (a login, a rights change) drops it from the read-ahead.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_KEY_PREFIX
from django.core.cache import caches

from dcc.accounts.perms import PERMISSIONS_CACHE_KEY
from dcc.accounts.rights_cache import GENERATION_KEY
from dcc.accounts.services import TERMS_CACHE_KEY

PAGE_KEYS = (TERMS_CACHE_KEY, PERMISSIONS_CACHE_KEY, GENERATION_KEY)


class CachePrefetchMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.cache = caches["default"]
        self.session_in_same_cache = settings.SESSION_CACHE_ALIAS == "default"

    def __call__(self, request):
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not session_key or not hasattr(self.cache, "prefetch"):
            return self.get_response(request)  # anonymous: nothing to read ahead
        keys = list(PAGE_KEYS)
        if self.session_in_same_cache:
            keys.append(SESSION_KEY_PREFIX + session_key)
        token = self.cache.prefetch(keys)
        try:
            return self.get_response(request)
        finally:
            self.cache.end_prefetch(token)
