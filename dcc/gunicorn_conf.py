"""Gunicorn settings of the DCC (``gunicorn -c python:dcc.gunicorn_conf dcc.wsgi``): `make run` and compose."""

worker_class = "dcc.gunicorn.FrenchSyncWorker"
# An address longer than this gets the French 414 page (dcc/gunicorn.py), headers beyond these limits a French 431.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
graceful_timeout = 5
timeout = 60
accesslog = "-"
