"""Issue 16, finding 11: the launcher restarts a crashed child (within a limit) and stops everything only on
Ctrl-C. The supervisor runs in its own process, over real children, as `make run` runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration

SUPERVISE = textwrap.dedent(
    """
    import sys
    from dcc.launcher import Supervisor

    folder = sys.argv[1]
    child = "import os, sys, time; open(sys.argv[1] + '/' + str(os.getpid()), 'w').close(); time.sleep(3600)"
    crasher = "import sys; sys.exit(3)"
    supervisor = Supervisor(
        {"steady": [sys.executable, "-c", child, folder + "/steady"],
         "other": [sys.executable, "-c", child, folder + "/other"],
         "crasher": [sys.executable, "-c", crasher]},
        cwd=folder, max_restarts=2, window=60,
    )
    supervisor.start()
    supervisor.run()
    """
)


def _pids(folder: Path) -> list[int]:
    return sorted(int(path.name) for path in folder.iterdir()) if folder.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split()[2] != "Z"


def _wait(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "délai dépassé"
        time.sleep(0.1)


def test_a_killed_child_is_restarted_a_crashing_one_abandoned_and_ctrl_c_stops_all(tmp_path):
    for name in ("steady", "other"):
        (tmp_path / name).mkdir()
    process = subprocess.Popen(
        [sys.executable, "-c", SUPERVISE, str(tmp_path)],
        cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        _wait(lambda: len(_pids(tmp_path / "steady")) == 1 and len(_pids(tmp_path / "other")) == 1)
        first = _pids(tmp_path / "steady")[0]
        other = _pids(tmp_path / "other")[0]

        os.kill(first, signal.SIGKILL)  # a crash of one child
        _wait(lambda: len(_pids(tmp_path / "steady")) == 2)
        second = max(_pids(tmp_path / "steady"), key=lambda pid: pid != first)
        assert _alive(second) and _alive(other), "les autres processus continuent"
        assert process.poll() is None

        time.sleep(5)  # the crasher exhausts its restarts meanwhile
        assert process.poll() is None and _alive(other) and _alive(second)

        process.send_signal(signal.SIGINT)  # Ctrl-C
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert "relance" in output and "n'est plus relancé" in output and "Arrêt en cours" in output
    _wait(lambda: not _alive(second) and not _alive(other), timeout=5)
