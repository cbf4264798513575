"""Project-wide fixtures: personas, a real Celery worker, and the browser."""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.demo_snapshot import DemoSeed, stop_run
from tests.personas import Personas, build_personas

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
DEMO_SEED = pytest.StashKey[DemoSeed]()
IN_CI = os.environ.get("CI", "").lower() == "true"
DATA = Path(settings.BASE_DIR) / ".data"


@pytest.fixture(autouse=True)
def national_value_sets(request):
    """Data loaded by migrations (value sets, default rights, recipient and indemnity rules), there for every test.

    Loaded once per session outside any test's transaction, and again after each flush of a transactional test
    (``post_migrate``, which the flush sends): without that, every later test reloaded them in its own
    transaction, about 45 ms each. A test still finds them when something else emptied a table.
    """
    marker = request.node.get_closest_marker("django_db")
    wanted = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if marker is None and not wanted:
        return
    request.getfixturevalue("reference_data")
    transactional = (marker and marker.kwargs.get("transaction")) or wanted - {"db"}
    request.getfixturevalue("transactional_db" if transactional else "db")
    load_reference_data()


@pytest.fixture(scope="session")
def reference_data(django_db_setup, django_db_blocker):
    from django.db.models.signals import post_migrate

    with django_db_blocker.unblock():
        load_reference_data()
    post_migrate.connect(_reload_after_flush, dispatch_uid="tests-reference-data")
    yield
    post_migrate.disconnect(dispatch_uid="tests-reference-data")


def _reload_after_flush(sender, **_kwargs) -> None:
    if sender.label == "accounts":  # sent once per app after the flush: once is enough
        load_reference_data()


def load_reference_data() -> None:
    """Load what the data migrations put in the tables that are empty."""
    from django.apps import apps

    from dcc.accounts.models import ProfilePermission
    from dcc.accounts.services import profile_permissions_load_defaults
    from dcc.directory.models import Specialty
    from dcc.directory.value_sets import load_specialties

    if not Specialty.objects.exists():
        load_specialties(Specialty)
    if not ProfilePermission.objects.exists():
        profile_permissions_load_defaults()
    for label, module, function in MIGRATION_DATA:
        if not apps.get_model(label).objects.exists():
            getattr(importlib.import_module(module), function)(apps, None)


# Reference rows loaded by data migrations (module, function), run again when their table is empty.
MIGRATION_DATA = [
    ("mss.RecipientRule", "interop.mss.migrations.0002_default_recipient_rules", "load"),
    (
        "dashboards.IndemnityRule",
        "dcc.dashboards.migrations.0002_secretaire_3c_data_export_and_default_rules",
        "forward",
    ),
]


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits and cached figures must not leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def personas(db) -> Personas:
    return build_personas()


def pytest_collection_finish(session):
    """Start seeding the demo in the background as soon as a selected test needs it (see tests/demo_snapshot.py)."""
    if session.config.option.collectonly or not any("demo" in item.fixturenames for item in session.items):
        return
    db = settings.DATABASES["default"]
    name = f"{db.get('TEST', {}).get('NAME') or 'test_' + db['NAME']}_demo"
    seed = DemoSeed(database_url=_database_url_for(name), media=DATA / "test-demo-media", run_files=_run_files())
    if seed.claim():
        seed.start(admin_url=_database_url_for("postgres"), name=name, redis_url=settings.REDIS_URL)
    session.config.stash[DEMO_SEED] = seed


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):  # the run's controlling process (or the only one)
        stop_run(_run_files())


def _run_files() -> Path:
    DATA.mkdir(exist_ok=True)
    return DATA / f"test-demo-{os.environ['DCC_TEST_RUN']}"


@pytest.fixture
def demo(request, settings) -> DemoSeed:
    """The seeded demo region, copied into the test database; stored files in the seed's own folder."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connection, transaction

    seed = request.config.stash.get(DEMO_SEED, None)
    if seed is None:
        pytest.fail("la démonstration n'a pas été lancée (fixture demo demandée hors collecte)")
    seed.wait()
    with transaction.atomic(), connection.cursor() as cursor:
        seed.restore(cursor)
    ContentType.objects.clear_cache()
    cache.clear()
    location = {"location": str(seed.media)}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": location},
        "local": {**settings.STORAGES["local"], "OPTIONS": location},
    }
    return seed


def _database_url_for(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{name}"


@pytest.fixture(scope="session")
def celery_queue(django_db_setup, django_db_blocker) -> str:
    """A real Celery worker (solo pool) on the test database, consuming a queue of its own."""
    queue = f"test-{os.getpid()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dcc.settings.test",
        "DATABASE_URL": _database_url_for(settings.DATABASES["default"]["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
    }
    log = DATA / f"celery-{queue}.log"
    log.parent.mkdir(exist_ok=True)
    with celery_worker(queue=queue, queues=queue, env=env, log=log, ready_within=300):
        yield queue


@contextlib.contextmanager
def celery_worker(*, queue: str, queues: str, env: dict, log: Path, ready_within: float):
    """A real Celery worker (solo pool) consuming ``queues``, started and pinged on ``queue``, stopped on exit."""
    log_handle = log.open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"), "-A", "dcc", "worker", "--pool", "solo",
            "--queues", queues, "--hostname", f"{queue}@%h", "--loglevel", "INFO",
            "--without-mingle", "--without-gossip",
        ],
        env=env, stdout=log_handle, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR,
    )  # fmt: skip
    from dcc.tasks import ping

    # The worker compiles the CDA rules before it takes a task (interop warm-up): minutes on a loaded machine.
    deadline = time.monotonic() + ready_within
    try:
        while True:
            try:
                if ping.apply_async(args=["ready"], queue=queue).get(timeout=5) == "ready":
                    break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"le worker Celery de test n'a pas démarré : voir {log}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_handle.close()


@pytest.fixture
def route_to_worker(celery_queue, monkeypatch):
    """Send a task's ``delay``/``delay_on_commit`` calls to the test worker's queue for one test.

    Celery caches a task's routing options on first use (``Task._exec_options``): reset it too,
    or a call made earlier in the session would keep sending the task to the default queue.
    """

    def route(task) -> None:
        monkeypatch.setattr(task, "queue", celery_queue, raising=False)
        monkeypatch.setattr(task, "_exec_options", None, raising=False)

    return route


# --- Browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """The system Chromium driven by Playwright (``playwright install`` cannot download here)."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium introuvable ({CHROMIUM}) : apt-get install chromium"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--disable-quic",
            ],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def live_server_drained(request):
    """Let the live server finish the requests a browser test left in flight before the database is flushed.

    The live server outlives the test (session scope) and answers each request in a thread of its own; a
    request still running when the test ends (a page the browser was still loading when the context closed)
    holds locks that make the flush's TRUNCATE deadlock, and the test errors at teardown. Set up after the
    database fixture, so it is torn down before the flush (and after ``page``, which closes the browser).
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    request.getfixturevalue("live_server")
    yield
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(
        thread.name.endswith("(process_request_thread)") for thread in threading.enumerate()
    ):
        time.sleep(0.05)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.hookimpl(tryfirst=True)
def pytest_itemcollected(item):
    """Mark before ``-m`` selects (``make test-fast`` leaves both out): the tests of the seeded demo ``demo``, and
    the tests of the real Celery worker ``integration`` (a process of their own)."""
    fixtures = getattr(item, "fixturenames", ())
    if "demo" in fixtures:
        item.add_marker(pytest.mark.demo)
    if "celery_queue" in fixtures:
        item.add_marker(pytest.mark.integration)


# Last: after pytest-randomly's shuffle (its hook wraps every plain one) and pytest-django's sort.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The tests of the seeded demo come last: under pytest-xdist the background seed is done by then.

    (pytest-xdist's ``--dist loadgroup`` would send the real Celery worker's tests to one worker, but with
    pytest 9.2 it no longer changes the node ids its scheduler reads: each xdist worker that runs such a test
    starts its own Celery worker.)"""
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.timeout(600))  # a journey may seed the whole demo first
    items.sort(key=lambda item: "demo" in item.fixturenames)


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # names the run's files; the xdist workers inherit it
        os.environ["DCC_TEST_RUN"] = uuid.uuid4().hex[:12]
    if IN_CI and not shutil.which("chromium") and not Path(CHROMIUM).exists():
        raise pytest.UsageError("CI=true mais Chromium est absent : les tests navigateur ne peuvent pas tourner.")
