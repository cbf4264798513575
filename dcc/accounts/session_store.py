"""Sessions read from Redis, kept durable in PostgreSQL, written to PostgreSQL at most once a minute when unchanged.

``SESSION_SAVE_EVERY_REQUEST`` (the idle expiry) made every request cost a session SELECT and an UPDATE in its
own transaction: four database round trips out of a page's ten. This store (Django's ``cached_db`` underneath):

- reads from the cache (Redis); on a miss or a Redis failure it reads PostgreSQL, as ``cached_db`` does;
- writes the cache on every save, so the idle expiry there is exact;
- writes PostgreSQL when the session's content changed, and otherwise only when its last write there is older
  than ``DCC_SESSION_DB_REFRESH_SECONDS`` (60): the durable copy's expiry lags by at most that much, which only
  matters if Redis lost the key.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

logger = logging.getLogger(__name__)
DB_SAVED_AT = "_dcc_db_saved_at"


class SessionStore(CachedDbStore):
    def save(self, must_create: bool = False) -> None:
        if self.session_key is None or must_create:
            return self._save_everywhere(must_create)
        data = self._get_session(no_load=must_create)
        saved_at = data.get(DB_SAVED_AT) or 0
        refresh = getattr(settings, "DCC_SESSION_DB_REFRESH_SECONDS", 60)
        if self.modified or time.time() - saved_at >= refresh:
            return self._save_everywhere(must_create)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age())
        except Exception:
            logger.exception("Session : écriture dans le cache impossible, écriture en base.")
            self._save_everywhere(must_create)
        return None

    def _save_everywhere(self, must_create: bool) -> None:
        self._get_session(no_load=must_create)[DB_SAVED_AT] = time.time()
        super().save(must_create)
