"""gunicorn settings read by every web process (``make run``, docker compose, ``make bench``).

gunicorn loads ``./gunicorn.conf.py`` from its working directory. Workers and threads come from
``DCC_WEB_WORKERS`` / ``DCC_WEB_THREADS``; the defaults were chosen with ``make bench`` (see the README's
configuration section). The application is loaded once in the master and warmed up (``dcc/warmup.py``), then
forked: workers start ready and share that memory.
"""

import os

workers = int(os.environ.get("DCC_WEB_WORKERS", "2"))
threads = int(os.environ.get("DCC_WEB_THREADS", "1"))
timeout = int(os.environ.get("DCC_WEB_TIMEOUT", "60"))
graceful_timeout = 5
preload_app = True


def when_ready(server):
    from dcc.warmup import warm_up

    warm_up()
