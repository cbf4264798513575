"""Settings of the worker-kill drill's workers (tests/interop/test_drill_worker_kill.py): the test settings, the PPS
producer made slow on its first run (tests/interop/slow_producer.py), and unacknowledged tasks swept every second."""

from dcc.settings.test import *  # noqa: F403
from dcc.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS, DCC_DOCUMENT_PRODUCERS

DCC_DOCUMENT_PRODUCERS = {**DCC_DOCUMENT_PRODUCERS, "pps.pps": "tests.interop.slow_producer"}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
