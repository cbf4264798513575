"""The ``DCC_MSS_*`` settings, read once per call (tests override them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class MssSettings:
    smtp_host: str
    smtp_port: int
    imap_host: str
    imap_port: int
    address: str
    sender_name: str
    username: str
    password: str
    cert_file: str
    key_file: str
    ca_bundle: str
    timeout: int
    nil: str
    request_mdn: bool
    max_message_bytes: int
    source_oid: str
    patient_domain: str
    self_copy: bool

    @property
    def configured(self) -> bool:
        return bool(self.smtp_host and self.address)


def mss_settings() -> MssSettings:
    return MssSettings(
        smtp_host=settings.DCC_MSS_SMTP_HOST,
        smtp_port=settings.DCC_MSS_SMTP_PORT,
        imap_host=settings.DCC_MSS_IMAP_HOST or settings.DCC_MSS_SMTP_HOST,
        imap_port=settings.DCC_MSS_IMAP_PORT,
        address=settings.DCC_MSS_ADDRESS,
        sender_name=settings.DCC_MSS_SENDER_NAME,
        username=settings.DCC_MSS_USERNAME or settings.DCC_MSS_ADDRESS,
        password=settings.DCC_MSS_PASSWORD,
        cert_file=settings.DCC_MSS_CERT_FILE,
        key_file=settings.DCC_MSS_KEY_FILE,
        ca_bundle=settings.DCC_MSS_CA_BUNDLE,
        timeout=settings.DCC_MSS_TIMEOUT,
        nil=settings.DCC_MSS_NIL,
        request_mdn=settings.DCC_MSS_REQUEST_MDN,
        max_message_bytes=settings.DCC_MSS_MAX_MESSAGE_BYTES,
        source_oid=settings.DCC_MSS_SOURCE_OID,
        patient_domain=settings.DCC_MSS_PATIENT_DOMAIN,
        self_copy=settings.DCC_MSS_SELF_COPY,
    )
