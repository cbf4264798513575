"""Django's PostgreSQL backend, with its per-request health check skipped while the connection is busy, and room
for every statement the application prepares.

``CONN_HEALTH_CHECKS`` sends a ``SELECT 1`` before the first query of every request: a round trip and about 3 % of
a web worker's time under the load benchmark, for a connection that served the previous request a few
milliseconds earlier. Here a connection is checked as before when it has been idle for ``CHECK_AFTER_IDLE``
seconds, after an error, or when it never served a request; otherwise it is used directly. The HL7 listener's
threads get the same: ``interop/hl7/listener.py`` runs Django's checks around each message as around a request.
If PostgreSQL restarted within that second, the request that finds the connection dead fails as one whose
connection dies mid-request does: a French 503 (``dcc/errors.py``), and Django replaces the connection at the
end of that request (its ``errors_occurred`` check).

psycopg prepares a statement on a connection from its second run (``prepare_threshold``, settings) and keeps at
most ``prepared_max`` of them, least recently used out. A web worker serving the mixed workload runs about 115
distinct statements, psycopg's default keeps 100: the statements went round the cache, each evicted one prepared
and planned again on its next run (PostgreSQL plans a prepared statement anew on each of its first five runs). The
connection keeps ``DCC_DB_PREPARED_MAX`` of them (settings; 500 by default).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base

CHECK_AFTER_IDLE = 1.0


def _now() -> float:
    return time.monotonic()


class DatabaseWrapper(base.DatabaseWrapper):
    served_at = 0.0  # when a request that used this connection last ended without an error

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.prepared_max = settings.DCC_DB_PREPARED_MAX
        return connection

    def close_if_unusable_or_obsolete(self) -> None:
        """Django's check at each request's start and end. A connection used by the request that ends (its health
        check done) and still usable afterwards is stamped; the start of the next one finds it unused."""
        used = self.connection is not None and self.health_check_done
        super().close_if_unusable_or_obsolete()
        if used and self.connection is not None and not self.errors_occurred:
            self.served_at = _now()

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and not self.errors_occurred
            and not self.health_check_done
            and _now() - self.served_at < CHECK_AFTER_IDLE
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
