"""The local INSi teleservice, started as a real process on a free port for the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def insi_standin_url() -> str:
    port = _free_port()
    env = {**os.environ, "DCC_INSI_STANDIN_DELAY": "3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "identity.insi.standin", "--port", str(port)],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("le téléservice INSi local n'a pas démarré")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/insi"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def insi(settings, insi_standin_url) -> str:
    """Point the INSi client to the local teleservice."""
    settings.INSI_URL = insi_standin_url
    settings.INSI_TIMEOUT = 2
    return insi_standin_url
