"""The DCC platform: settings, URLs, Celery and the platform apps (accounts, directory, records)."""

from dcc.celery import app as celery_app

__all__ = ("celery_app",)
