"""Gunicorn settings of the DCC (``gunicorn -c python:dcc.gunicorn_conf dcc.wsgi``): `make run`, compose, `make bench`.

Workers and threads come from ``DCC_WEB_WORKERS`` / ``DCC_WEB_THREADS``; the defaults were chosen with
``make bench`` (see the README's configuration section). The application is loaded once in the master and
warmed up (``dcc/warmup.py``), then forked: workers start ready and share that memory.
"""

import os

workers = int(os.environ.get("DCC_WEB_WORKERS", "2"))
threads = int(os.environ.get("DCC_WEB_THREADS", "1"))
# The sync worker with French 414/431 pages (dcc/gunicorn.py); gthread when threads are asked for.
worker_class = "dcc.gunicorn.FrenchSyncWorker" if threads == 1 else "gthread"
# An address longer than this gets the French 414 page (dcc/gunicorn.py), headers beyond these limits a French 431.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
timeout = int(os.environ.get("DCC_WEB_TIMEOUT", "60"))
graceful_timeout = 5
accesslog = "-"
preload_app = True


def when_ready(server):
    from dcc.warmup import warm_up

    warm_up()
