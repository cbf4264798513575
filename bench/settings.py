"""Settings of the load benchmark's server: ``make run``'s (demo) plus a minimal view at ``/bench/minimal/``."""

from dcc.settings.demo import *  # noqa: F403

ROOT_URLCONF = "bench.rcp_urls"
