"""Run the local operator: SMTP (aiosmtpd) and IMAP + web (Twisted) on one asyncio event loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
from dataclasses import asdict, dataclass
from pathlib import Path

from interop.mss.operator.certs import ensure_certificates
from interop.mss.operator.directory import Directory
from interop.mss.operator.smtp import OperatorHandler, smtp_factory
from interop.mss.operator.store import Store

logger = logging.getLogger("mss.operator")


@dataclass
class Config:
    state_dir: Path
    directory_file: Path | None = None
    host: str = "127.0.0.1"
    smtp_port: int = 0
    imap_port: int = 0
    web_port: int = 0
    dcc_address: str = "dcc@dcc.mssante.demo.test"
    password: str = "Demo-MSS-2026!"  # noqa: S105 - the demo mailboxes' password, loopback only
    hostname: str = "mssante.local.test"
    report_delay: float = 0.2


@dataclass
class Ready:
    host: str
    smtp_port: int
    imap_port: int
    web_port: int
    ca: str
    client_cert: str
    client_key: str
    dcc_address: str
    password: str
    web_url: str


def _server_tls(paths) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(paths.ca))
    context.load_cert_chain(str(paths.server_cert), str(paths.server_key))
    context.verify_mode = ssl.CERT_REQUIRED  # the client certificate is required at the handshake
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _twisted_tls(paths):
    from twisted.internet import ssl as tssl

    private = tssl.PrivateCertificate.loadPEM(paths.server_cert.read_text() + paths.server_key.read_text())
    authority = tssl.Certificate.loadPEM(paths.ca.read_text())
    return private.options(authority)  # verify=True, requireCertificate=True


async def serve(config: Config, ready_callback=None) -> None:
    from twisted.internet import reactor

    config.state_dir.mkdir(parents=True, exist_ok=True)
    (config.state_dir / "ready.json").unlink(missing_ok=True)
    paths = ensure_certificates(config.state_dir / "certificats", client_address=config.dcc_address)
    store = Store(config.state_dir / "boites.sqlite3")
    directory = Directory(path=config.directory_file)
    directory.reload()
    directory.add(config.dcc_address)  # the DCC's own application mailbox
    store.ensure_mailbox(config.dcc_address)
    handler = OperatorHandler(
        store=store,
        directory=directory,
        hostname=config.hostname,
        postmaster=f"postmaster@{config.hostname}",
        report_delay=config.report_delay,
    )
    loop = asyncio.get_running_loop()
    smtp_server = await loop.create_server(
        smtp_factory(handler, _server_tls(paths), config.hostname), host=config.host, port=config.smtp_port
    )
    from interop.mss.operator.imap import IMAPFactory
    from interop.mss.operator.web import site

    imap_port = reactor.listenTCP(
        config.imap_port,
        IMAPFactory(store=store, directory=directory, password=config.password, tls_options=_twisted_tls(paths)),
        interface=config.host,
    )
    web_port = reactor.listenTCP(config.web_port, site(store), interface=config.host)
    ready = Ready(
        host=config.host,
        smtp_port=smtp_server.sockets[0].getsockname()[1],
        imap_port=imap_port.getHost().port,
        web_port=web_port.getHost().port,
        ca=str(paths.ca),
        client_cert=str(paths.client_cert),
        client_key=str(paths.client_key),
        dcc_address=config.dcc_address,
        password=config.password,
        web_url=f"http://{config.host}:{web_port.getHost().port}/",
    )
    partial = config.state_dir / "ready.json.tmp"  # written whole, then renamed: readers never see half a file
    partial.write_text(json.dumps(asdict(ready), indent=2))
    partial.replace(config.state_dir / "ready.json")
    if ready_callback:
        ready_callback(ready)
    logger.info("Opérateur MSSanté local prêt : %s", asdict(ready))
    stop = asyncio.Event()
    try:
        await stop.wait()
    finally:
        smtp_server.close()
        await imap_port.stopListening()
        await web_port.stopListening()


def run(config: Config) -> None:
    """Install Twisted's asyncio reactor, then serve until interrupted."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    from twisted.internet import asyncioreactor

    asyncioreactor.install(loop)
    from twisted.internet import reactor

    reactor.startRunning(installSignalHandlers=False)
    with contextlib.suppress(KeyboardInterrupt):
        loop.run_until_complete(serve(config))
