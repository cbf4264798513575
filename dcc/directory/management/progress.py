"""The directory imports' base command: a text progress bar on stderr and the French report on stdout."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dcc.directory.importing import ImportFileError

BAR_WIDTH = 30


class ProgressBar:
    """``[#####.....]  45 %`` redrawn in place (one line per 10 % when the output is not a terminal)."""

    def __init__(self, stream):
        self.stream = stream
        self.last = -1
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if not total else min(100, done * 100 // total)
        step = percent if self.tty else percent // 10 * 10
        if step == self.last:
            return
        self.last = step
        filled = BAR_WIDTH * percent // 100
        bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d} %"
        self.stream.write(("\r" + bar) if self.tty else bar + "\n")
        if self.tty and percent == 100:
            self.stream.write("\n")
        self.stream.flush()


class ImportCommand(BaseCommand):
    importer = None  # a function of dcc.directory.importing

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier à importer.")
        parser.add_argument("--batch-size", type=int, default=500, help="Lignes par transaction (500).")
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")

    def handle(self, *args, file, batch_size, no_progress, **options):
        if batch_size < 1:
            raise CommandError("--batch-size doit être au moins 1.")
        progress = None if no_progress else ProgressBar(self.stderr._out)
        try:
            report = type(self).importer(Path(file), batch_size=batch_size, progress=progress)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.render())
