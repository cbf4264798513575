"""The listener with TLS (client certificates required), and the real ``python -m interop.hl7.listener`` process."""

from __future__ import annotations

import os
import re
import socket
import ssl
import subprocess
import sys

import pytest
from django.conf import settings

from identity.models import Patient
from interop.hl7.listener import Listener, ssl_context_from
from interop.hl7.protocol import END_BLOCK, START_BLOCK
from tests.identity.insi_fixtures import _write_certificates
from tests.interop.hl7.conftest import ack_fields, adt

pytestmark = pytest.mark.django_db(transaction=True)


def _exchange(sock, text: str) -> str:
    sock.sendall(START_BLOCK + text.encode() + END_BLOCK)
    buffer = b""
    while END_BLOCK not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("fermée")
        buffer += chunk
    return buffer[1:].split(END_BLOCK)[0].decode()


def test_tls_with_a_client_certificate(tmp_path, partner, media):
    paths = _write_certificates(tmp_path)
    server = Listener(
        "127.0.0.1", 0, workers=2, ssl_context=ssl_context_from(paths["server_cert"], paths["server_key"], paths["ca"])
    )
    port = server.start_in_thread()
    try:
        context = ssl.create_default_context(cafile=paths["ca"])
        context.load_cert_chain(paths["client_cert"], paths["client_key"])
        with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30),
                                 server_hostname="127.0.0.1") as sock:  # fmt: skip
            assert ack_fields(_exchange(sock, adt("A28", ipp="IPP-TLS")))["MSA"][1] == "AA"
        anonymous = ssl.create_default_context(cafile=paths["ca"])
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        with (
            pytest.raises((ssl.SSLError, ConnectionError, OSError)),
            anonymous.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
        ):
            _exchange(sock, adt("A28", ipp="IPP-NOCERT"))
        raw.close()
        assert Patient.objects.filter(local_identifiers__value="IPP-TLS").exists()
        assert not Patient.objects.filter(local_identifiers__value="IPP-NOCERT").exists()
    finally:
        server.stop_thread()


@pytest.mark.integration
def test_the_listener_process_prints_its_port_and_answers(partner):
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "dcc.settings.test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "interop.hl7.listener", "--port", "0", "--no-warm-up"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        found = re.search(r"Écoute MLLP sur 127\.0\.0\.1:(\d+)", line)
        assert found, line
        with socket.create_connection(("127.0.0.1", int(found.group(1))), timeout=60) as sock:
            assert ack_fields(_exchange(sock, adt("A28", ipp="IPP-PROC")))["MSA"][1] == "AA"
        assert Patient.objects.filter(local_identifiers__value="IPP-PROC").exists()
    finally:
        process.terminate()
        process.wait(30)
        process.stdout.close()
    assert process.returncode == 0
