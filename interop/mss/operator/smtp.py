"""SMTP submission of the local operator, on aiosmtpd: STARTTLS required, client certificate checked, DSN.

The DSN extension (RFC 3461) is announced in EHLO; ``MAIL FROM … RET= ENVID=`` and ``RCPT TO … NOTIFY= ORCPT=``
are accepted and honoured: after the data, every recipient is delivered to its mailbox (success DSN if asked)
or, when unknown, answered with a 5.1.1 failure DSN to the envelope sender. Then the "receiving software" of
the addresses marked so in the directory answers with an MDN.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
from dataclasses import dataclass, field

from aiosmtpd.smtp import SMTP, Envelope, Session

from interop.mss.operator import reports
from interop.mss.operator.directory import Directory
from interop.mss.operator.store import Store

logger = logging.getLogger("mss.operator.smtp")

DSN_PARAMS = {"ENVID", "RET", "NOTIFY", "ORCPT"}
ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class DsnSMTP(SMTP):
    """aiosmtpd's SMTP, accepting the DSN parameters (the handler hooks read them from the raw options)."""

    def _getparams(self, params):
        result = super()._getparams(params)
        if result is not None:
            for name in DSN_PARAMS:
                result.pop(name, None)
        return result


@dataclass
class Transaction:
    envid: str = ""
    ret_full: bool = False
    notify: dict[str, set[str]] = field(default_factory=dict)
    orcpt: dict[str, str] = field(default_factory=dict)


def _option(options: list[str], name: str) -> str:
    prefix = f"{name}="
    return next((o[len(prefix) :] for o in options if o.upper().startswith(prefix)), "")


def _xtext_decode(value: str) -> str:
    return re.sub(r"\+([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)


class OperatorHandler:
    def __init__(self, *, store: Store, directory: Directory, hostname: str, postmaster: str, report_delay: float):
        self.store = store
        self.directory = directory
        self.hostname = hostname
        self.postmaster = postmaster
        self.report_delay = report_delay
        self.transactions: dict[int, Transaction] = {}

    # --- certificates ---
    async def handle_EHLO(self, server, session: Session, envelope: Envelope, hostname: str, responses: list[str]):
        session.host_name = hostname
        if server._tls_protocol is not None:  # after STARTTLS: announce DSN
            responses.insert(-1, "250-DSN")
        return responses

    def handle_STARTTLS(self, server, session: Session, envelope: Envelope) -> bool:
        ssl_object = (session.ssl or {}).get("ssl_object")
        certificate = ssl_object.getpeercert() if ssl_object else None
        if not certificate:
            logger.warning("STARTTLS sans certificat client : refusé")
            return False
        session.client_identity = _certificate_identity(certificate)
        return True

    # --- envelope ---
    async def handle_MAIL(self, server, session: Session, envelope: Envelope, address: str, options: list[str]):
        identity = getattr(session, "client_identity", set())
        if address.lower() not in identity:
            return "550 5.7.1 Sender address does not match the client certificate"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        self.transactions[id(envelope)] = Transaction(
            envid=_xtext_decode(_option(options, "ENVID")), ret_full=_option(options, "RET").upper() == "FULL"
        )
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session: Session, envelope: Envelope, address: str, options: list[str]):
        if not ADDRESS.match(address):
            return "553 5.1.3 Malformed recipient address"
        transaction = self.transactions.setdefault(id(envelope), Transaction())
        notify = _option(options, "NOTIFY").upper()
        transaction.notify[address] = set(notify.split(",")) if notify else {"FAILURE"}
        orcpt = _option(options, "ORCPT")
        if orcpt:
            transaction.orcpt[address] = _xtext_decode(orcpt.split(";", 1)[-1])
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session: Session, envelope: Envelope):
        transaction = self.transactions.pop(id(envelope), Transaction())
        raw = envelope.original_content or b""
        received = (
            f"Received: from {session.host_name} ([{session.peer[0]}]) by {self.hostname} with ESMTPS; "
            f"{email.utils.formatdate(localtime=False)}\r\n"
        ).encode()
        reports_to_send: list[tuple[str, bytes]] = []
        mdn_readers: list[str] = []
        known = [r for r in envelope.rcpt_tos if self.directory.known(r)]
        if known:  # every copy in one transaction: a crash never leaves the recipient's copy without the others
            self.store.deliver_many(known, received + raw, envelope_from=envelope.mail_from)
        for recipient in envelope.rcpt_tos:
            notify = transaction.notify.get(recipient, {"FAILURE"})
            common = {
                "hostname": self.hostname,
                "postmaster": self.postmaster,
                "to": envelope.mail_from,
                "envid": transaction.envid,
                "recipient": recipient,
                "original_recipient": transaction.orcpt.get(recipient, ""),
                "original": raw,
                "ret_full": transaction.ret_full,
            }
            if recipient in known:
                if "SUCCESS" in notify:
                    report = reports.dsn(action="delivered", status="2.0.0", diagnostic="250 2.0.0 Delivered", **common)
                    reports_to_send.append((envelope.mail_from, report))
                if self.directory.behaviour(recipient):
                    mdn_readers.append(recipient)
            elif "FAILURE" in notify:
                diagnostic = "550 5.1.1 Recipient address unknown"
                report = reports.dsn(action="failed", status="5.1.1", diagnostic=diagnostic, **common)
                reports_to_send.append((envelope.mail_from, report))
        for reader in mdn_readers:
            behaviour = self.directory.behaviour(reader)
            if b"disposition-notification-to:" not in raw[:20000].lower():
                continue
            destination, report = reports.mdn(
                hostname=self.hostname,
                reader=reader,
                original=raw,
                error_code=behaviour if behaviour.isdigit() else "",
            )
            reports_to_send.append((destination, report))
        if reports_to_send:
            asyncio.get_running_loop().call_later(self.report_delay, self._send_reports, reports_to_send)
        return "250 2.0.0 Message accepted"

    def _send_reports(self, items: list[tuple[str, bytes]]) -> None:
        for destination, report in items:
            if destination and self.directory.known(destination):
                self.store.deliver(destination, report, envelope_from="")
            else:
                logger.info("Rapport non remis (destinataire hors de l'opérateur) : %s", destination)


def _certificate_identity(certificate: dict) -> set[str]:
    names = set()
    for rdn in certificate.get("subject", ()):
        for key, value in rdn:
            if key in ("commonName", "emailAddress"):
                names.add(value.lower())
    for kind, value in certificate.get("subjectAltName", ()):
        if kind == "email":
            names.add(value.lower())
    return names


def smtp_factory(handler: OperatorHandler, tls_context, hostname: str):
    def make():
        return DsnSMTP(
            handler,
            tls_context=tls_context,
            require_starttls=True,
            hostname=hostname,
            ident="MSSante-local",
            data_size_limit=50 * 1024 * 1024,
            decode_data=False,
        )

    return make
