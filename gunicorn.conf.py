"""gunicorn reads ./gunicorn.conf.py when started without ``-c``: the same settings as dcc/gunicorn_conf.py."""

from dcc.gunicorn_conf import *  # noqa: F403
