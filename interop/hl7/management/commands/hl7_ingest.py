"""Run HL7 message files through the listener's processing and print each ACK (support tool, tests)."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interop.hl7.processing import process


def split_messages(data: bytes) -> list[bytes]:
    """The messages of a file: MLLP frames, or plain text with one or several messages (each from ``MSH|``)."""
    if b"\x0b" in data:
        return [chunk.split(b"\x1c")[0] for chunk in data.split(b"\x0b")[1:] if chunk.strip(b"\x1c\r\n")]
    text = data.replace(b"\r\n", b"\r").replace(b"\n", b"\r").strip(b"\r")
    parts = re.split(rb"\r(?=MSH\|)", text)
    return [part for part in parts if part.strip()]


class Command(BaseCommand):
    help = "Traite des fichiers de messages HL7 exactement comme l'écouteur MLLP et affiche chaque accusé."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="fichiers .hl7/.er7 (texte ou trames MLLP)")

    def handle(self, *args, files, **options):
        failures = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"Fichier introuvable : {name}")
            for index, data in enumerate(split_messages(path.read_bytes()), start=1):
                result = process(data, peer=f"fichier {path.name}#{index}")
                failures += result.code != "AA"
                self.stdout.write(f"# {path.name} (message {index}) : {result.code}")
                self.stdout.write(result.ack.replace("\r", "\n"))
        if failures:
            self.stderr.write(f"{failures} message(s) non accepté(s).")
