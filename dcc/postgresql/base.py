"""Django's PostgreSQL backend, with its per-request health check skipped while the connection is busy.

``CONN_HEALTH_CHECKS`` sends a ``SELECT 1`` before the first query of every request: a round trip and about 3 % of
a web worker's time under the load benchmark, for a connection that served the previous request a few
milliseconds earlier. Here a connection is checked as before when it has been idle for ``CHECK_AFTER_IDLE``
seconds, after an error, or when it never served a request; otherwise it is used directly (the HL7 listener does
the same: ``interop/hl7/listener.py``). If PostgreSQL restarted within that second, the request that finds the
connection dead fails as one whose connection dies mid-request does: a French 503 (``dcc/errors.py``), and Django
replaces the connection at the end of that request (its ``errors_occurred`` check).
"""

from __future__ import annotations

import time

from django.core.signals import request_finished
from django.db import connections
from django.db.backends.postgresql import base

CHECK_AFTER_IDLE = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    served_at = 0.0  # when a request last finished on this connection without an error (time.monotonic)

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and not self.errors_occurred
            and time.monotonic() - self.served_at < CHECK_AFTER_IDLE
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def _served(**_kwargs) -> None:
    """After Django's own end-of-request check (connected earlier): stamp the connections left usable."""
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        if isinstance(connection, DatabaseWrapper) and connection.connection is not None:
            connection.served_at = 0.0 if connection.errors_occurred else now


request_finished.connect(_served, dispatch_uid="dcc.postgresql.served")
