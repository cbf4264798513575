"""The session store (``dcc/accounts/session_store.py``): read from Redis; an unchanged session written back to Redis
at most every ``DCC_SESSION_CACHE_REFRESH_SECONDS`` and to PostgreSQL at most every ``DCC_SESSION_DB_REFRESH_SECONDS``;
a changed one written to both at once."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse

from dcc.accounts import session_store
from dcc.accounts.session_store import CACHE_SAVED_AT, DB_SAVED_AT

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, monkeypatch, start: float = 1_900_000_000.0):
        self.now = start
        monkeypatch.setattr(session_store.time, "time", lambda: self.now)


@pytest.fixture
def writes(monkeypatch):
    """The session writes to Redis and to PostgreSQL, as they happen."""
    seen = {"cache": 0, "db": 0}
    original_set = type(caches["default"]).set
    original_db_save = session_store.CachedDbStore.__mro__[1].save

    def counting_set(self, key, *args, **kwargs):
        if "session" in str(key):
            seen["cache"] += 1
        return original_set(self, key, *args, **kwargs)

    def counting_db_save(self, *args, **kwargs):
        seen["db"] += 1
        return original_db_save(self, *args, **kwargs)

    monkeypatch.setattr(type(caches["default"]), "set", counting_set)
    monkeypatch.setattr(session_store.CachedDbStore.__mro__[1], "save", counting_db_save)
    return seen


def test_an_unchanged_session_is_written_back_now_and_then(client, personas, settings, monkeypatch, writes):
    settings.DCC_SESSION_CACHE_REFRESH_SECONDS, settings.DCC_SESSION_DB_REFRESH_SECONDS = 30, 60
    clock = Clock(monkeypatch)
    client.force_login(personas["doctor"])
    client.get(reverse("home"))
    writes.update(cache=0, db=0)

    for _ in range(5):  # pages within the window: no session write at all
        clock.now += 5
        assert client.get(reverse("home")).status_code == 200
    assert writes == {"cache": 0, "db": 0}

    clock.now += 10  # 30 s after the last write: Redis again (its idle expiry restarts), not PostgreSQL
    client.get(reverse("home"))
    assert writes == {"cache": 1, "db": 0}
    cached = caches["default"].get(f"django.contrib.sessions.cached_db{client.session.session_key}")
    assert cached[CACHE_SAVED_AT] == clock.now

    clock.now += 31  # 61 s after the last database write: both
    client.get(reverse("home"))
    assert writes == {"cache": 1 + 1, "db": 1}
    stored = Session.objects.get(session_key=client.session.session_key).get_decoded()
    assert stored[DB_SAVED_AT] == clock.now


def test_a_changed_session_is_written_everywhere_at_once(client, personas, monkeypatch, writes):
    clock = Clock(monkeypatch)
    client.force_login(personas["doctor"])
    client.get(reverse("home"))
    writes.update(cache=0, db=0)
    clock.now += 1

    session = client.session
    session["choice"] = "changed"
    session.save()

    assert writes["db"] == 1 and writes["cache"] >= 1
    assert Session.objects.get(session_key=session.session_key).get_decoded()["choice"] == "changed"


def test_a_value_changed_in_place_is_saved(client, personas, monkeypatch, writes):
    """``session["x"]["y"] = …`` does not mark a Django session modified; the store compares what it read."""
    Clock(monkeypatch)
    client.force_login(personas["doctor"])
    session = client.session
    session["pending"] = {"at": 1}
    session.save()
    writes.update(cache=0, db=0)

    session = client.session
    session["pending"]["at"] = 2
    session.save()

    assert writes["db"] == 1
    assert client.session["pending"] == {"at": 2}
