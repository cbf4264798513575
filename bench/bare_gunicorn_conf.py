"""The DCC's gunicorn settings (workers, threads, worker class, logs) for the bare Django reference, no warm-up."""

from dcc.gunicorn_conf import *  # noqa: F403


def when_ready(server):
    """Nothing to warm up: one view, no templates."""
