"""The MLLP listener: ``python -m interop.hl7.listener [--host H] [--port P]`` (``DCC_MLLP_PORT``, default 2575).

One asyncio event loop reads MLLP frames from every connection; each message's database work runs in a
thread pool (``DCC_MLLP_WORKERS``), so a slow message never blocks the loop nor the other connections. On
one connection, messages are answered in order (the sender waits for each ACK, as MLLP requires).
Frames larger than ``DCC_MLLP_MAX_BYTES`` are read to their end block and refused with an AR; a frame cut
by the connection closing is stored as truncated. Optional TLS (``DCC_MLLP_TLS_CERT``/``_KEY``, client
certificates with ``DCC_MLLP_TLS_CLIENT_CA``).

``--processes N`` (``DCC_MLLP_PROCESSES``) forks N such listeners that accept on one socket bound by the
parent: the Python work of the messages (parsing, the ORM) then runs on several cores instead of under one GIL.
The parent only binds, forks and restarts a child that died; a child dies with its parent (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import logging
import os
import select
import signal
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

logger = logging.getLogger("interop.hl7.listener")

START, END = 0x0B, b"\x1c\r"
HEAD_KEEP = 64 * 1024


def _process_frame(data: bytes, peer: str) -> str:
    from django.db import close_old_connections

    from interop.hl7.processing import process

    # As around a web request: Django's checks (errors, ``CONN_MAX_AGE``), and the health check's ``SELECT 1``
    # only for a connection idle for a second or after an error (``dcc/postgresql/base.py``): under sustained
    # traffic no round trip per message.
    close_old_connections()
    try:
        return process(data, peer=peer).ack
    finally:
        close_old_connections()


def _warm_up() -> None:
    """Compile the CDA rules in a worker thread at start, so the first document does not wait for them."""
    from interop.cda.validation import warm_up

    try:
        warm_up()
    except Exception:  # a failed warm-up only makes the first document slower
        logger.exception("Préchargement des règles CDA impossible")


def _refuse_oversized(head: bytes, size: int, peer: str) -> str:
    from django.db import close_old_connections

    from interop.hl7.processing import refuse_oversized

    close_old_connections()
    return refuse_oversized(head=head, size=size, peer=peer).ack


def _refuse_truncated(data: bytes, peer: str) -> None:
    from django.db import close_old_connections

    from interop.hl7.processing import refuse_truncated

    close_old_connections()
    refuse_truncated(data=data, peer=peer)


class Listener:
    """The MLLP server; ``start_in_thread()`` for tests and benchmarks, ``serve_forever()`` for the process."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 2575,
        *,
        workers: int = 4,
        max_bytes: int = 16 * 1024 * 1024,
        idle_timeout: float = 120,
        ssl_context: ssl.SSLContext | None = None,
        warm_up: bool = True,
    ):
        self.host, self.port, self.workers = host, port, workers
        self.max_bytes, self.idle_timeout, self.ssl_context = max_bytes, idle_timeout, ssl_context
        self.warm_up = warm_up
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mllp")
        self.server: asyncio.AbstractServer | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closing = False

    async def _run(self, func, *args):
        return await self.loop.run_in_executor(self.pool, func, *args)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = writer.get_extra_info("peername")
        peer = f"{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address or "")
        buffer = bytearray()
        in_frame, scan_from = False, 0
        oversize, oversize_head = 0, b""
        try:
            while True:
                try:
                    chunk = await asyncio.wait_for(reader.read(256 * 1024), timeout=self.idle_timeout)
                except TimeoutError:
                    chunk = b""
                if not chunk:
                    if in_frame and (buffer or oversize):
                        await self._run(_refuse_truncated, oversize_head or bytes(buffer), peer)
                    break
                buffer += chunk
                while True:
                    if not in_frame:
                        start = buffer.find(START)
                        if start < 0:
                            buffer.clear()
                            break
                        del buffer[: start + 1]
                        in_frame, scan_from, oversize, oversize_head = True, 0, 0, b""
                    end = buffer.find(END, max(0, scan_from - 1))
                    if end < 0:
                        scan_from = len(buffer)
                        if oversize or len(buffer) > self.max_bytes:
                            if not oversize:
                                oversize_head = bytes(buffer[:HEAD_KEEP])
                            keep = buffer[-1:]  # the 0x1C of an end block split between reads
                            oversize += len(buffer) - len(keep)
                            buffer[:] = keep
                            scan_from = 0
                        break
                    data = bytes(buffer[:end])
                    del buffer[: end + len(END)]
                    in_frame, scan_from = False, 0
                    if oversize:
                        ack = await self._run(_refuse_oversized, oversize_head, oversize + len(data), peer)
                        oversize, oversize_head = 0, b""
                    else:
                        ack = await self._run(_process_frame, data, peer)
                    writer.write(b"\x0b" + ack.encode("utf-8") + END)
                    await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception:  # the database went away, …: close this connection, the sender retries
            logger.exception("MLLP %s : erreur, connexion fermée", peer)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError, OSError):
                await writer.wait_closed()

    async def start(self, sock: socket.socket | None = None) -> None:
        """Listen on ``host:port``, or accept on ``sock`` (bound by the parent of ``--processes``)."""
        self.loop = asyncio.get_running_loop()
        if sock is not None:
            self.port = sock.getsockname()[1]
            threading.Thread(target=self._accept_forever, args=(sock,), name="mllp-accept", daemon=True).start()
            return
        self.server = await asyncio.start_server(
            self.handle, self.host, self.port, ssl=self.ssl_context, limit=1024 * 1024
        )
        self.port = self.server.sockets[0].getsockname()[1]

    def _accept_forever(self, sock: socket.socket) -> None:
        """A blocking ``accept`` on the socket the listener processes share: the kernel wakes one waiting accept
        per connection, the longest waiting first, so connections go round the processes (an event loop polling
        the socket would take every connection arriving together, and leave the other processes idle)."""
        while not self._closing:
            try:
                connection, _ = sock.accept()
            except OSError:  # e.g. too many open files: let some close
                if self._closing:
                    return
                time.sleep(0.1)
                continue
            if self._closing:  # stopping: the sender reconnects, another process answers
                connection.close()
                return
            try:
                asyncio.run_coroutine_threadsafe(self._adopt(connection), self.loop)
            except RuntimeError:  # the loop has closed
                connection.close()
                return

    async def _adopt(self, connection: socket.socket) -> None:
        loop = self.loop

        def protocol() -> asyncio.StreamReaderProtocol:
            reader = asyncio.StreamReader(limit=1024 * 1024, loop=loop)
            return asyncio.StreamReaderProtocol(reader, self.handle, loop=loop)

        try:
            await loop.connect_accepted_socket(protocol, connection, ssl=self.ssl_context)
        except (OSError, ssl.SSLError):  # a failed TLS handshake, a connection reset
            connection.close()

    async def serve_forever(self, sock: socket.socket | None = None, ready: Callable[[], None] | None = None) -> None:
        await self.start(sock)
        if self.warm_up:  # its own daemon thread: never delays a message nor the shutdown
            threading.Thread(target=_warm_up, name="cda-warm-up", daemon=True).start()
        if sock is None:
            tls = " (TLS)" if self.ssl_context else ""
            print(f"[hl7] Écoute MLLP sur {self.host}:{self.port}{tls}", flush=True)
        else:
            print(f"[hl7] Processus {os.getpid()} : prêt", flush=True)
        if ready is not None:
            ready()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                self.loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await self.close()

    async def close(self) -> None:
        self._closing = True
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        await self.loop.run_in_executor(None, self._shutdown_pool)

    def _shutdown_pool(self) -> None:
        """Let the messages in progress finish, then close each worker thread's database connection."""
        barrier = threading.Barrier(self.workers)

        def close_connection():
            from django.db import connections

            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            connections.close_all()

        for _ in range(self.workers):
            self.pool.submit(close_connection)
        self.pool.shutdown(wait=True)

    # --- in a thread (tests, benchmarks) ---------------------------------------------------------
    def start_in_thread(self) -> int:
        ready = threading.Event()

        def run():
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.close())
            loop.close()

        self._thread = threading.Thread(target=run, name="mllp-listener", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("Le serveur MLLP n'a pas démarré.")
        return self.port

    def stop_thread(self) -> None:
        if self.loop is not None and self._thread is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(30)


def ssl_context_from(cert: str, key: str, client_ca: str = "") -> ssl.SSLContext | None:
    if not cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key or None)
    if client_ca:
        context.load_verify_locations(client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def _die_with_parent(parent: int) -> None:
    """Linux: this child gets SIGKILL when its parent dies (killed too), so no orphan keeps the port."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def serve_processes(make_listener: Callable[[], Listener], host: str, port: int, processes: int, *,
                    tls: bool = False) -> int:  # fmt: skip
    """Bind ``host:port`` once, fork ``processes`` listeners accepting on it, restart any that dies.

    The kernel hands each connection to the child that has waited longest in ``accept``; every correctness
    rule holds across them because it lives in the database (unique control id per partner).
    SIGTERM/SIGINT stop the children (each finishes its messages in progress) and then the parent.
    """
    sock = socket.create_server((host, port), backlog=512)  # blocking: see Listener._accept_forever
    ready_read, ready_write = os.pipe()  # each child writes one byte there once it accepts
    parent = os.getpid()
    children: set[int] = set()
    stopping = False

    def spawn() -> None:
        pid = os.fork()
        if pid:
            children.add(pid)
            return
        code = 1
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            _die_with_parent(parent)
            os.close(ready_read)
            import interop.hl7.processing  # noqa: F401 - loaded before accepting, not on the first message

            asyncio.run(make_listener().serve_forever(sock, ready=lambda: os.write(ready_write, b"1")))
            code = 0
        except BaseException:
            logger.exception("Processus d'écoute MLLP %s arrêté sur une erreur", os.getpid())
        finally:
            os._exit(code)

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    for _ in range(processes):
        spawn()
    started, deadline = 0, time.monotonic() + 120
    while started < processes and time.monotonic() < deadline:  # all children accepting before announcing
        if select.select([ready_read], [], [], 1.0)[0]:
            started += len(os.read(ready_read, processes - started))
    tls_note = " (TLS)" if tls else ""
    print(f"[hl7] Écoute MLLP sur {host}:{sock.getsockname()[1]}{tls_note}, {processes} processus", flush=True)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        children.discard(pid)
        if not stopping:
            logger.error("Processus d'écoute MLLP %s arrêté (statut %s) : relancé", pid, status)
            time.sleep(0.2)
            spawn()
    sock.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    parser = argparse.ArgumentParser(description="Écouteur MLLP (HL7 v2) du DCC.")
    parser.add_argument("--host", default=settings.DCC_MLLP_HOST)
    parser.add_argument("--port", type=int, default=settings.DCC_MLLP_PORT)
    parser.add_argument("--tls-cert", default=settings.DCC_MLLP_TLS_CERT)
    parser.add_argument("--tls-key", default=settings.DCC_MLLP_TLS_KEY)
    parser.add_argument("--tls-client-ca", default=settings.DCC_MLLP_TLS_CLIENT_CA)
    parser.add_argument("--workers", type=int, default=settings.DCC_MLLP_WORKERS, help="threads par processus")
    parser.add_argument(
        "--processes", type=int, default=settings.DCC_MLLP_PROCESSES, help="processus d'écoute sur le même port"
    )
    parser.add_argument("--no-warm-up", action="store_true", help="ne pas précompiler les règles CDA au démarrage")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[hl7] %(levelname)s %(message)s")

    def make_listener() -> Listener:
        return Listener(
            args.host,
            args.port,
            workers=args.workers,
            max_bytes=settings.DCC_MLLP_MAX_BYTES,
            idle_timeout=settings.DCC_MLLP_IDLE_TIMEOUT,
            ssl_context=ssl_context_from(args.tls_cert, args.tls_key, args.tls_client_ca),
            warm_up=not args.no_warm_up,
        )

    if args.processes > 1:
        return serve_processes(make_listener, args.host, args.port, args.processes, tls=bool(args.tls_cert))
    asyncio.run(make_listener().serve_forever())
    return 0


if __name__ == "__main__":
    sys.exit(main())
