"""Sessions read from Redis, kept durable in PostgreSQL; an unchanged session is written back only now and then.

``SESSION_SAVE_EVERY_REQUEST`` (the idle expiry) made every request cost a session SELECT and an UPDATE in its
own transaction: four database round trips out of a page's ten. This store (Django's ``cached_db`` underneath):

- reads from the cache (Redis); on a miss or a Redis failure it reads PostgreSQL, as ``cached_db`` does;
- writes both when the session's content changed, including a value changed in place
  (``session["x"]["y"] = …``, which Django does not mark modified): its content is compared with what was read;
- otherwise writes the cache again (which restarts its idle expiry) only when its last write there is older than
  ``DCC_SESSION_CACHE_REFRESH_SECONDS`` (30), and PostgreSQL only when its last write there is older than
  ``DCC_SESSION_DB_REFRESH_SECONDS`` (60). A session idle for the whole ``SESSION_COOKIE_AGE`` therefore ends at
  most that much early (the safe side), and a page costs no session write at all most of the time.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

logger = logging.getLogger(__name__)
DB_SAVED_AT = "_dcc_db_saved_at"
CACHE_SAVED_AT = "_dcc_cache_saved_at"


def _digest(data: dict) -> bytes:
    return hashlib.blake2b(pickle.dumps(data, pickle.HIGHEST_PROTOCOL), digest_size=16).digest()


class SessionStore(CachedDbStore):
    _read_digest: bytes | None = None

    def load(self) -> dict:
        data = super().load()
        self._read_digest = _digest(data)
        return data

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None or must_create:
            return self._save_everywhere(must_create)
        data = self._get_session(no_load=must_create)
        now = time.time()
        changed = self.modified or self._read_digest != _digest(data)
        if changed or now - (data.get(DB_SAVED_AT) or 0) >= settings.DCC_SESSION_DB_REFRESH_SECONDS:
            return self._save_everywhere(must_create)
        if now - (data.get(CACHE_SAVED_AT) or 0) < settings.DCC_SESSION_CACHE_REFRESH_SECONDS:
            return None
        data[CACHE_SAVED_AT] = now
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age())
        except Exception:
            logger.exception("Session : écriture dans le cache impossible, écriture en base.")
            self._save_everywhere(must_create)
        return None

    def _save_everywhere(self, must_create: bool) -> None:
        data = self._get_session(no_load=must_create)
        data[DB_SAVED_AT] = data[CACHE_SAVED_AT] = time.time()
        super().save(must_create)
