"""Start-up checks: one clear French line per unreachable service, saying how to fix it."""

from __future__ import annotations

from urllib.parse import urlparse

import psycopg
import redis


def check_postgres(url: str) -> str | None:
    parsed = urlparse(url)
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return (
            f"PostgreSQL injoignable ({parsed.hostname}:{parsed.port or 5432}, base {parsed.path.lstrip('/')}) : "
            f"{reason}. Démarrez le serveur, corrigez DATABASE_URL, ou retirez DATABASE_URL pour utiliser "
            "le PostgreSQL embarqué."
        )
    return None


def check_redis(url: str) -> str | None:
    parsed = urlparse(url)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as exc:
        return (
            f"Redis injoignable ({parsed.hostname}:{parsed.port or 6379}) : {exc.__class__.__name__}. "
            "Démarrez le serveur, corrigez REDIS_URL, ou retirez REDIS_URL pour utiliser le Redis embarqué."
        )
    return None


def problems(database_url: str, redis_url: str) -> list[str]:
    return [line for line in (check_postgres(database_url), check_redis(redis_url)) if line]
