"""Signals of the accounts app.

``security_event`` is sent, inside the transaction of the action, for every security-relevant
event (login, failed login, impersonation, tampering). ``dcc.records`` turns each into a line
of the access trail (accounts cannot import records: dependencies point one way).
"""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: user, action (a ``dcc.records.enums.TrailAction`` value), request, detail, acting_as
security_event = Signal()
