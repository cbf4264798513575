"""Start and stop the local MSSanté operator as a real process, and read its mailboxes over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]

DIRECTORY = """\
# Test directory of the local operator
*@pro.mssante.demo.test
*@patient.mssante.fr
lecture@pro.mssante.demo.test mdn=processed
erreur902@pro.mssante.demo.test mdn=902
"""


@dataclass
class Operator:
    state_dir: Path
    directory: Path
    ports: tuple[int, int, int] = (0, 0, 0)
    process: subprocess.Popen | None = None
    ready: dict | None = None

    def start(self, timeout: float = 60) -> dict:
        ready_file = self.state_dir / "ready.json"
        ready_file.unlink(missing_ok=True)
        smtp, imap, web = self.ports
        self._log = (self.state_dir / "operator.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "interop.mss.operator", "--state-dir", str(self.state_dir), "--directory",
             str(self.directory), "--smtp-port", str(smtp), "--imap-port", str(imap), "--web-port", str(web),
             "--report-delay", "0.05"],
            cwd=BASE_DIR, env={**os.environ, "PYTHONPATH": str(BASE_DIR)},
            stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not ready_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"l'opérateur MSSanté local n'a pas démarré : {self.state_dir / 'operator.log'}")
            time.sleep(0.1)
        self.ready = json.loads(ready_file.read_text())
        self.ports = (self.ready["smtp_port"], self.ready["imap_port"], self.ready["web_port"])
        return self.ready

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def settings(self) -> dict:
        r = self.ready
        return {
            "DCC_MSS_SMTP_HOST": r["host"],
            "DCC_MSS_SMTP_PORT": r["smtp_port"],
            "DCC_MSS_IMAP_HOST": r["host"],
            "DCC_MSS_IMAP_PORT": r["imap_port"],
            "DCC_MSS_ADDRESS": r["dcc_address"],
            "DCC_MSS_PASSWORD": r["password"],
            "DCC_MSS_CERT_FILE": r["client_cert"],
            "DCC_MSS_KEY_FILE": r["client_key"],
            "DCC_MSS_CA_BUNDLE": r["ca"],
            "DCC_MSS_TIMEOUT": 10,
        }

    def _get(self, path: str) -> bytes:
        url = f"{self.ready['web_url'].rstrip('/')}{path}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read()

    def mailbox(self, address: str) -> list[dict]:
        return json.loads(self._get(f"/api/boite.json?adresse={address}"))

    def raw(self, message_pk: int) -> bytes:
        return self._get(f"/api/message.eml?id={message_pk}")

    def wait_for(self, address: str, count: int, timeout: float = 10) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            messages = self.mailbox(address)
            if len(messages) >= count or time.monotonic() > deadline:
                return messages
            time.sleep(0.1)
