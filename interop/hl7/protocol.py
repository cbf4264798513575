"""HL7 v2 text on top of python-hl7: MLLP framing, decoding per MSH-18, field access, ACK building.

MLLP frame: ``0x0B`` + message (segments separated by ``\\r``) + ``0x1C 0x0D``. The CI-SIS volets use
the standard encoding characters ``^~\\&`` and announce the character set in MSH-18 (``UNICODE UTF-8``,
``8859/1``, ``8859/15``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

import hl7
from django.utils import timezone

from interop.hl7.enums import CISIS_ERRORS, HL7_ERRORS

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\r"
STANDARD_ENCODING = "^~\\&"
CHARSETS = {
    "": "utf-8",
    "UNICODE UTF-8": "utf-8",
    "UNICODE": "utf-8",
    "8859/1": "latin-1",
    "8859/15": "iso8859-15",
    "ASCII": "ascii",
}
SENDER_APPLICATION = "DCC"
_counter = itertools.count(1)


class Hl7Problem(Exception):
    """A reason to answer AE/AR: HL7 table 0357 code, optional CI-SIS ERR-5 code, French text, location."""

    def __init__(self, text: str, *, code: str = "207", app_code: str = "", ack: str = "AE", location: str = ""):
        super().__init__(text)
        self.text, self.code, self.app_code, self.ack, self.location = text, code, app_code, ack, location


def frame(message: str | bytes, encoding: str = "utf-8") -> bytes:
    data = message.encode(encoding) if isinstance(message, str) else message
    return START_BLOCK + data + END_BLOCK


def _msh_fields_bytes(data: bytes) -> list[bytes]:
    first = data.split(b"\r", 1)[0].split(b"\n", 1)[0]
    return first.split(b"|")


def decode(data: bytes) -> str:
    """The message text, decoded as MSH-18 announces; ``Hl7Problem`` (AR) when it cannot be."""
    fields = _msh_fields_bytes(data)
    if not data.startswith(b"MSH"):
        raise Hl7Problem(
            "Le message ne commence pas par un segment MSH (trame tronquée ou illisible).", code="100", ack="AR"
        )
    charset_field = fields[17].decode("ascii", "replace").strip().upper() if len(fields) > 17 else ""
    charset = CHARSETS.get(charset_field.split("^")[0])
    if charset is None:
        raise Hl7Problem(
            f"Jeu de caractères « {charset_field} » (MSH-18) non pris en charge : UNICODE UTF-8 ou 8859/1 attendu.",
            code="103",
            ack="AR",
            location="MSH^1^18",
        )
    try:
        text = data.decode(charset)
    except UnicodeDecodeError as error:
        raise Hl7Problem(
            f"Le message n'est pas encodé en {charset.upper()} comme l'annonce MSH-18 "
            f"(octet illisible en position {error.start}).",
            code="102",
            ack="AR",
            location="MSH^1^18",
        ) from error
    return text.replace("\r\n", "\r").replace("\n", "\r").strip("\r")


@dataclass
class Header:
    """What an ACK needs from MSH, read as leniently as possible (even from a broken message)."""

    sending_application: str = ""
    sending_facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""
    message_type: str = ""  # "ADT"
    trigger: str = ""  # "A28"
    structure: str = ""
    control_id: str = ""
    processing_id: str = ""
    version: str = ""
    charset: str = ""
    raw_fields: list[str] = field(default_factory=list)

    @property
    def type_label(self) -> str:
        return f"{self.message_type}^{self.trigger}" if self.trigger else self.message_type


def read_header(text: str) -> Header:
    first = text.split("\r", 1)[0]
    parts = first.split("|")
    component = parts[1][0] if len(parts) > 1 and parts[1] else "^"

    def get(index: int) -> str:
        # MSH-1 is the separator itself: MSH-n is parts[n-1].
        return parts[index - 1].strip() if len(parts) >= index else ""

    def first_component(value: str) -> str:
        return value.split(component)[0]

    nine = get(9).split(component)
    return Header(
        sending_application=first_component(get(3)),
        sending_facility=first_component(get(4)),
        receiving_application=first_component(get(5)),
        receiving_facility=first_component(get(6)),
        message_type=nine[0] if nine else "",
        trigger=nine[1] if len(nine) > 1 else "",
        structure=nine[2] if len(nine) > 2 else "",
        control_id=get(10),
        processing_id=first_component(get(11)),
        version=first_component(get(12)),
        charset=get(18),
        raw_fields=parts,
    )


def parse(text: str) -> hl7.Message:
    header = text.split("\r", 1)[0]
    if header[3:4] != "|" or header[4:8] != STANDARD_ENCODING:
        raise Hl7Problem(
            f"Caractères d'encodage non conformes (MSH-1/MSH-2 « {header[3:8]} ») : « |^~\\& » attendus.",
            code="102",
            ack="AR",
            location="MSH^1^2",
        )
    try:
        return hl7.parse(text)
    except Exception as error:  # python-hl7 raises several types on malformed text
        raise Hl7Problem(f"Message HL7 illisible : {error}", code="199", ack="AR") from error


def value(message: hl7.Message, path: str, default: str = "") -> str:
    """``value(msg, "PID.F3.R2.C4.S2")``: an unescaped string, ``default`` when absent."""
    try:
        result = message[path]
    except (IndexError, KeyError, ValueError, TypeError):
        return default
    text = str(result) if result is not None else ""
    return message.unescape(text) if text else default


def repetitions(message: hl7.Message, segment: str, field_number: int, occurrence: int = 1) -> int:
    """How many repetitions field ``segment-field_number`` holds (0 when absent or empty)."""
    try:
        item = message.segments(segment)[occurrence - 1][field_number]
    except (IndexError, KeyError):
        return 0
    text = str(item)
    return len(text.split("~")) if text else 0


def has_segment(message: hl7.Message, name: str) -> bool:
    try:
        message.segments(name)
    except KeyError:
        return False
    return True


def parse_date(text: str) -> dt.date | None:
    text = (text or "").strip()[:8]
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def escape(text: str) -> str:
    """HL7 escaping of a free text placed in a field (standard encoding characters)."""
    out = text.replace("\\", "\\E\\")
    for char, code in (("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\")):
        out = out.replace(char, code)
    return out.replace("\r", " ").replace("\n", " ")


def timestamp(moment: dt.datetime | None = None) -> str:
    return timezone.localtime(moment or timezone.now()).strftime("%Y%m%d%H%M%S")


def new_control_id(prefix: str = "DCC") -> str:
    return f"{prefix}{timezone.now():%Y%m%d%H%M%S%f}{next(_counter) % 1000:03d}"


def build_ack(
    header: Header,
    code: str,
    *,
    problem: Hl7Problem | None = None,
    facility: str = "",
    warnings: list[str] | None = None,
) -> str:
    """ACK^<trigger>^ACK with MSA-2 = MSH-10 and ERR-3 (table 0357) / ERR-5 (CI-SIS) / ERR-8 in French."""
    version = header.version if header.version in {"2.5", "2.5.1", "2.6"} else "2.5"
    trigger = header.trigger or ""
    segments = [
        "|".join(
            [
                "MSH",
                STANDARD_ENCODING,
                SENDER_APPLICATION,
                escape(facility or header.receiving_facility or "DCC"),
                escape(header.sending_application),
                escape(header.sending_facility),
                timestamp(),
                "",
                f"ACK^{escape(trigger)}^ACK" if trigger else "ACK",
                new_control_id(),
                header.processing_id if header.processing_id in {"P", "T", "D"} else "P",
                version,
                "",
                "",
                "",
                "",
                "FRA",
                "UNICODE UTF-8",
            ]
        ),
        f"MSA|{code}|{escape(header.control_id)}",
    ]
    if problem is not None:
        hl7_label = HL7_ERRORS.get(problem.code, HL7_ERRORS["207"])
        err5 = f"{problem.app_code}^{escape(CISIS_ERRORS[problem.app_code])}^CISIS" if problem.app_code else ""
        segments.append(
            "|".join(
                [
                    "ERR",
                    "",
                    problem.location,
                    f"{problem.code}^{escape(hl7_label)}^HL70357",
                    "E",
                    err5,
                    "",
                    "",
                    escape(problem.text),
                ]
            )
        )
    for text in warnings or []:
        segments.append(f"ERR|||0^{escape(HL7_ERRORS['0'])}^HL70357|W|||||{escape(text)}")
    return "\r".join(segments) + "\r"


def ack_code_of(ack_text: str) -> tuple[str, str]:
    """(MSA-1, French ERR-8 or ERR-3 text) of a received ACK."""
    code, text = "", ""
    for segment in ack_text.replace("\n", "\r").split("\r"):
        parts = segment.split("|")
        if parts[0] == "MSA" and len(parts) > 1:
            code = parts[1].strip()
            if len(parts) > 3 and parts[3] and not text:
                text = parts[3]
        elif parts[0] == "ERR":
            detail = (
                parts[8]
                if len(parts) > 8 and parts[8]
                else (parts[3].split("^")[1] if len(parts) > 3 and "^" in parts[3] else "")
            )
            if detail:
                text = detail
    return code, text
