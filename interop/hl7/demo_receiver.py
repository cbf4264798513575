"""The demo's test receiver: ``python -m interop.hl7.demo_receiver --port 2576 --dir .data/hl7-recu``.

It stands for the CHU's integration engine, to which ``seed_demo`` subscribes the DCC's documents: every MLLP
frame gets an AA for its MSH-10 and is written to ``--dir`` (``<MSH-10>.hl7``), and a line is printed, so that
with ``make run`` validating a fiche for a CHU patient shows the MDM^T02 arriving. No database, no Django.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

END = b"\x1c\r"


def ack_for(message: bytes) -> bytes:
    fields = message.split(b"\r", 1)[0].split(b"|")
    control_id = fields[9] if len(fields) > 9 else b""
    trigger = fields[8].split(b"^")[1] if len(fields) > 8 and b"^" in fields[8] else b""
    now = datetime.now(UTC).strftime("%Y%m%d%H%M%S").encode()
    return (
        b"\x0bMSH|^~\\&|EAI-DEMO|CHU-POITIERS|DCC|ARS|"
        + now
        + b"||ACK^"
        + trigger
        + b"^ACK|ACK-"
        + control_id
        + b"|P|2.6\rMSA|AA|"
        + control_id
        + b"\r"
        + END
    )


class Receiver:
    def __init__(self, directory: Path | None, host: str = "127.0.0.1", port: int = 0):
        self.directory, self.host, self.port = directory, host, port
        self.received: list[bytes] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.server: asyncio.AbstractServer | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                frame = await reader.readuntil(END)
                message = frame[frame.find(b"\x0b") + 1 : -len(END)]
                self.received.append(message)
                self.keep(message)
                writer.write(ack_for(message))
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    def keep(self, message: bytes) -> None:
        fields = message.split(b"\r", 1)[0].split(b"|")
        kind = fields[8].decode("utf-8", "replace") if len(fields) > 8 else "?"
        control_id = fields[9].decode("utf-8", "replace") if len(fields) > 9 else "sans-id"
        where = ""
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{re.sub(r'[^A-Za-z0-9._-]', '_', control_id)[:100] or 'sans-id'}.hl7"
            path.write_bytes(message)
            where = f" → {path}"
        print(f"[hl7-recepteur] {kind} n° {control_id} reçu ({len(message)} octets), AA{where}", flush=True)

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.server = await asyncio.start_server(self.handle, self.host, self.port, limit=32 * 1024 * 1024)
        self.port = self.server.sockets[0].getsockname()[1]

    def start_in_thread(self) -> int:
        """For tests: serve in a thread until ``stop_thread()``; returns the port."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            self.server.close()
            loop.run_until_complete(self.server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, name="hl7-demo-receiver", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("Le récepteur HL7 de démonstration n'a pas démarré.")
        return self.port

    def stop_thread(self) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)


async def _serve(receiver: Receiver) -> None:
    await receiver.start()
    print(f"[hl7-recepteur] Récepteur MLLP de démonstration sur {receiver.host}:{receiver.port}", flush=True)
    with contextlib.suppress(asyncio.CancelledError):
        await receiver.server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Récepteur MLLP de démonstration (documents du DCC).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2576)
    parser.add_argument("--dir", type=Path, default=None, help="dossier où écrire chaque message reçu")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(Receiver(args.dir, args.host, args.port)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
