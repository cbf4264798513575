import subprocess
import sys

from django.conf import settings

from dcc.preflight import check_postgres, check_redis, problems


def test_reachable_services_give_no_problem():
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    assert problems(url, settings.REDIS_URL) == []


def test_an_unreachable_postgresql_gives_one_clear_line():
    line = check_postgres("postgres://postgres@127.0.0.1:1/dcc")

    assert line.startswith("PostgreSQL injoignable (127.0.0.1:1, base dcc)")
    assert "retirez DATABASE_URL" in line
    assert "\\n" not in line


def test_an_unreachable_redis_gives_one_clear_line():
    line = check_redis("redis://127.0.0.1:1/0")

    assert line.startswith("Redis injoignable (127.0.0.1:1)")
    assert "REDIS_URL" in line


def test_make_run_stops_at_once_with_that_line_when_a_service_is_down():
    result = subprocess.run(
        [sys.executable, "-m", "dcc.launcher"],
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/dcc",
            "REDIS_URL": settings.REDIS_URL,
        },
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )

    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if "ERREUR" in line]
    assert len(errors) == 1
    assert "PostgreSQL injoignable" in errors[0]
