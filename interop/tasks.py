"""Celery tasks of the interop app, for the worker's discovery: they are defined in ``interop.queueing``, beside
the functions that queue them (a task and its queueing would otherwise import each other)."""

from interop.queueing import generate_document, requeue_pending_generations

__all__ = ["generate_document", "requeue_pending_generations"]
