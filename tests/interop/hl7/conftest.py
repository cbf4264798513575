"""HL7 test fixtures: a real MLLP listener on an ephemeral port, a socket client, partners, message builders."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from interop.hl7.listener import Listener
from interop.hl7.protocol import END_BLOCK, START_BLOCK
from interop.hl7.services import partner_register
from tests.directory.factories import EstablishmentFactory

EXAMPLES = Path(__file__).resolve().parent / "examples"


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


class MllpClient:
    def __init__(self, port: int, timeout: float = 60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_ack(self) -> str:
        while END_BLOCK not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connexion fermée sans accusé")
            self.buffer += chunk
        frame, self.buffer = self.buffer.split(END_BLOCK, 1)
        assert frame.startswith(START_BLOCK)
        return frame[1:].decode("utf-8")

    def send(self, message: str | bytes, encoding: str = "utf-8") -> str:
        data = message.encode(encoding) if isinstance(message, str) else message
        self.send_raw(START_BLOCK + data + END_BLOCK)
        return self.read_ack()

    def close(self) -> None:
        self.sock.close()


def unescape(text: str) -> str:
    for code, char in (("\\F\\", "|"), ("\\S\\", "^"), ("\\T\\", "&"), ("\\R\\", "~"), ("\\E\\", "\\")):
        text = text.replace(code, char)
    return text


def ack_fields(ack: str) -> dict:
    """Segment name → fields (first occurrence); ERR-8 unescaped."""
    segments = {}
    for line in ack.strip("\r").split("\r"):
        fields = line.split("|")
        if fields[0] == "ERR" and len(fields) > 8:
            fields[8] = unescape(fields[8])
        segments.setdefault(fields[0], fields)
    return segments


@pytest.fixture
def media(settings, tmp_path):
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "default": default}


@pytest.fixture
def listener(transactional_db, settings, media):
    server = Listener("127.0.0.1", 0, workers=2, max_bytes=settings.DCC_MLLP_MAX_BYTES, idle_timeout=30)
    server.start_in_thread()
    yield server
    server.stop_thread()


@pytest.fixture
def mllp(listener):
    connection = MllpClient(listener.port)
    yield connection
    connection.close()


@pytest.fixture
def establishment(transactional_db):
    return EstablishmentFactory(name="CH TEST HL7", oid="1.2.250.1.999.1.1")


@pytest.fixture
def partner(establishment):
    partner, _ = partner_register(application="GAM", facility="CHTEST", establishment=establishment)
    return partner


_counter = iter(range(1, 10**6))


def msh(
    trigger: str = "A28",
    *,
    message_type: str = "ADT",
    structure: str = "ADT_A05",
    control_id: str | None = None,
    app: str = "GAM",
    facility: str = "CHTEST",
    version: str = "2.5^FRA^2.11",
    charset: str = "UNICODE UTF-8",
) -> str:
    control_id = control_id if control_id is not None else f"MSG{next(_counter):06d}"
    return (
        f"MSH|^~\\&|{app}|{facility}|DCC|ARS|20261203101500||{message_type}^{trigger}^{structure}|{control_id}|P|"
        f"{version}|||||FRA|{charset}||||2.11^IHE_FRANCE-2.11-PAM"
    )


def pid(
    *,
    ipp: str = "IPP001",
    ins: str = "",
    ins_oid: str = "1.2.250.1.213.1.4.10",
    birth_name: str = "DUPONT",
    first: str = "MARIE",
    given: str = "MARIE CLAIRE",
    used_name: str = "",
    birth_date: str = "19540312",
    sex: str = "F",
    birth_place: str = "86194",
    reliability: str = "VALI",
    oid: str = "1.2.250.1.999.1.1",
) -> str:
    ids = f"{ipp}^^^CHTEST&{oid}&ISO^PI"
    if ins:
        ids += f"~{ins}^^^ASIP-SANTE-INS-NIR&{ins_oid}&ISO^INS^^20101207"
    names = f"{birth_name}^{first}^{given}^^^^L"
    if used_name:
        names += f"~{used_name}^{first}^^^^^D"
    return (
        f"PID|1||{ids}||{names}||{birth_date}|{sex}|||12 rue des Lilas^^POITIERS^^86000^FRA^H~^^^^^^BDL^^{birth_place}"
        f"|||||||||||||||||||||{reliability}"
    )


def adt(trigger: str = "A28", *, control_id: str | None = None, mrg: str = "", **pid_kwargs) -> str:
    structure = {"A28": "ADT_A05", "A31": "ADT_A05", "A40": "ADT_A39", "A47": "ADT_A30"}.get(trigger, "ADT_A01")
    segments = [msh(trigger, structure=structure, control_id=control_id), "EVN||20261203101500", pid(**pid_kwargs)]
    if mrg:
        segments.append(f"MRG|{mrg}^^^CHTEST&1.2.250.1.999.1.1&ISO^PI")
    else:
        segments.append("PV1|1|N")
    return "\r".join(segments) + "\r"
