"""SMTP submission and IMAP access of the DCC's application mailbox: STARTTLS with its client certificate.

``submit`` raises ``TransientFailure`` (connection refused or lost, timeout, 4xx) or ``PermanentFailure``
(5xx), with the code and its French meaning. DSN is requested with ``RET=HDRS ENVID=…`` and
``NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;…``; the DCC's own address is added as an envelope-only recipient
(``NOTIFY=NEVER``) when ``DCC_MSS_SELF_COPY`` is on, so that ``copy_exists`` can later prove a send went out.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from contextlib import contextmanager

from imapclient import IMAPClient

from interop.mss.codes import smtp_meaning
from interop.mss.conf import MssSettings
from interop.outbox.errors import PermanentFailure, TransientFailure


def tls_context(conf: MssSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=conf.ca_bundle or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if conf.cert_file:
        context.load_cert_chain(conf.cert_file, conf.key_file or None)
    return context


def _xtext(value: str) -> str:
    return "".join(c if 33 <= ord(c) <= 126 and c not in "+=" else f"+{ord(c):02X}" for c in value)


def _enhanced(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    first = text.split(" ", 1)[0]
    return first if first.count(".") == 2 and first[0] in "245" else ""


def _failure(code: int, reply: bytes | str, *, sent_data: bool = False):
    enhanced = _enhanced(reply)
    meaning = smtp_meaning(code, enhanced)
    shown = f"{code} {enhanced}".strip()
    kind = TransientFailure if 400 <= code < 500 or code < 200 else PermanentFailure
    failure = kind(shown, meaning)
    failure.ambiguous = sent_data
    return failure


def submit(*, conf: MssSettings, sender: str, recipient: str, data: bytes, envid: str) -> str:
    """Send one message to one recipient; returns the server's reply to the data (code and text)."""
    if not conf.configured:
        raise TransientFailure("config", "Messagerie MSSanté non configurée (DCC_MSS_SMTP_HOST, DCC_MSS_ADDRESS).")
    sent_data = False
    try:
        with smtplib.SMTP(conf.smtp_host, conf.smtp_port, timeout=conf.timeout) as smtp:
            smtp.ehlo()
            smtp.starttls(context=tls_context(conf))
            smtp.ehlo()
            dsn = smtp.has_extn("dsn")
            mail_options = [f"ENVID={_xtext(envid)}", "RET=HDRS"] if dsn else []
            code, reply = smtp.mail(sender, mail_options)
            if code != 250:
                raise _failure(code, reply)
            rcpt_options = ["NOTIFY=SUCCESS,FAILURE,DELAY", f"ORCPT=rfc822;{_xtext(recipient)}"] if dsn else []
            code, reply = smtp.rcpt(recipient, rcpt_options)
            if code not in (250, 251):
                raise _failure(code, reply)
            if conf.self_copy and recipient.lower() != sender.lower():
                smtp.rcpt(sender, ["NOTIFY=NEVER"] if dsn else [])
            sent_data = True
            code, reply = smtp.data(data)
            if code != 250:
                raise _failure(code, reply, sent_data=True)
            return f"{code} {reply.decode('utf-8', 'replace')}"
    except (TransientFailure, PermanentFailure):
        raise
    except smtplib.SMTPResponseException as error:
        raise _failure(error.smtp_code, error.smtp_error, sent_data=sent_data) from error
    except ssl.SSLError as error:
        failure = TransientFailure("tls", f"Échec de la négociation TLS avec le serveur MSSanté ({error.reason}).")
        failure.ambiguous = sent_data
        raise failure from error
    except (ConnectionRefusedError, socket.gaierror) as error:
        raise TransientFailure("connexion", "Serveur MSSanté injoignable (connexion refusée).") from error
    except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as error:
        failure = TransientFailure("connexion", f"Connexion au serveur MSSanté interrompue ({type(error).__name__}).")
        failure.ambiguous = sent_data
        raise failure from error


@contextmanager
def imap_session(conf: MssSettings):
    """An IMAP session on the DCC's INBOX (STARTTLS with the client certificate, then LOGIN)."""
    client = IMAPClient(conf.imap_host, port=conf.imap_port, ssl=False, timeout=conf.timeout)
    try:
        client.starttls(tls_context(conf))
        client.login(conf.username, conf.password)
        client.select_folder("INBOX")
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone; nothing to clean up
            client.shutdown()


def copy_exists(conf: MssSettings, message_id: str) -> bool:
    """Whether the DCC's mailbox holds the envelope copy of ``message_id`` (a send that went out)."""
    try:
        with imap_session(conf) as client:
            return bool(client.search(["HEADER", "Message-ID", f"<{message_id}>"]))
    except (OSError, TimeoutError) as error:
        raise TransientFailure("imap", "Boîte du DCC injoignable pour vérifier un envoi interrompu.") from error
    except Exception as error:  # IMAP protocol errors (imaplib.IMAP4.error and friends)
        raise TransientFailure("imap", f"Vérification de l'envoi impossible ({type(error).__name__}).") from error
