"""The reference of ``bench/hl7_mllp.py``: a bare MLLP echo answering each frame with an AA for its MSH-10.

One asyncio process, no HL7 parsing, no database: what the machine does for the framing and the sockets alone,
measured in the same run as the DCC's listener so that their ratio holds on a shared, noisy machine.
"""

from __future__ import annotations

import asyncio

ACK_HEAD = b"\x0bMSH|^~\\&|DCC|ARS|||20261203120000||ACK^A28^ACK|ECHO|P|2.5\rMSA|AA|"


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            frame = await reader.readuntil(b"\x1c\r")
            control_id = frame.split(b"\r", 1)[0].split(b"|")[9]
            writer.write(ACK_HEAD + control_id + b"\r\x1c\r")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0, limit=1024 * 1024)
    print(f"Écoute MLLP sur 127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
