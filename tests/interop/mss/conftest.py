"""The local MSSanté operator (a real process, real SMTP/IMAP sockets) for the MSSanté tests."""

from __future__ import annotations

import pytest

from tests.interop.mss.operator_process import DIRECTORY, Operator


@pytest.fixture(scope="session")
def mss_operator(tmp_path_factory):
    state = tmp_path_factory.mktemp("mss-operator")
    directory = state / "annuaire.txt"
    directory.write_text(DIRECTORY, encoding="utf-8")
    operator = Operator(state_dir=state / "etat", directory=directory)
    operator.state_dir.mkdir()
    operator.start()
    yield operator
    operator.stop()


@pytest.fixture
def mss(settings, mss_operator):
    """Settings pointing the DCC to the local operator; fast retries."""
    for name, value in mss_operator.settings().items():
        setattr(settings, name, value)
    settings.DCC_OUTBOX_RETRY_DELAYS = [0]
    settings.DCC_OUTBOX_MAX_ATTEMPTS = 3
    return mss_operator
