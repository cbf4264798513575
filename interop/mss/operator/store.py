"""The operator's mailboxes: one SQLite file, used from the single event-loop thread of the operator."""

from __future__ import annotations

import email.utils
import sqlite3
import time
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS mailbox (address TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL,
                                    uidnext INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS message (
    id INTEGER PRIMARY KEY AUTOINCREMENT, mailbox TEXT NOT NULL, uid INTEGER NOT NULL, flags TEXT NOT NULL DEFAULT '',
    seen INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0, internal_date REAL NOT NULL,
    envelope_from TEXT NOT NULL DEFAULT '', message_id TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '',
    sender TEXT NOT NULL DEFAULT '', raw BLOB NOT NULL, UNIQUE (mailbox, uid));
CREATE INDEX IF NOT EXISTS message_mailbox_seen ON message (mailbox, seen);
CREATE INDEX IF NOT EXISTS message_message_id ON message (mailbox, message_id);
"""


@dataclass
class StoredMessage:
    id: int
    mailbox: str
    uid: int
    flags: list[str]
    internal_date: float
    envelope_from: str
    message_id: str
    subject: str
    sender: str
    raw: bytes | None = None

    @property
    def rfc2822_date(self) -> str:
        return email.utils.formatdate(self.internal_date, localtime=False)


def _summary(raw: bytes) -> tuple[str, str, str]:
    headers = BytesHeaderParser(policy=default_policy).parsebytes(raw)
    try:
        return (
            str(headers.get("Message-ID", "") or "").strip(),
            str(headers.get("Subject", "") or ""),
            str(headers.get("From", "") or ""),
        )
    except Exception:  # a malformed header must not refuse the message
        return "", "", ""


class Store:
    def __init__(self, path: Path | str) -> None:
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    # --- mailboxes ---
    def ensure_mailbox(self, address: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO mailbox (address, uidvalidity) VALUES (?, ?)", (address.lower(), int(time.time()))
        )

    def mailbox_state(self, address: str) -> tuple[int, int]:
        self.ensure_mailbox(address)
        row = self.db.execute(
            "SELECT uidvalidity, uidnext FROM mailbox WHERE address = ?", (address.lower(),)
        ).fetchone()
        return row[0], row[1]

    def mailboxes(self) -> list[tuple[str, int, int]]:
        """(address, messages, unseen) of every mailbox that received something."""
        return self.db.execute(
            "SELECT mailbox, COUNT(*), SUM(1 - seen) FROM message WHERE deleted = 0 GROUP BY mailbox ORDER BY mailbox"
        ).fetchall()

    # --- messages ---
    def deliver(self, address: str, raw: bytes, *, envelope_from: str = "") -> int:
        return self.deliver_many([address], raw, envelope_from=envelope_from)[0]

    def deliver_many(self, addresses: list[str], raw: bytes, *, envelope_from: str = "") -> list[int]:
        """Store one message in several mailboxes in one transaction (all copies, or none after a crash)."""
        message_id, subject, sender = _summary(raw)
        uids = []
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for address in (a.lower() for a in addresses):
                _, uid = self.mailbox_state(address)
                self.db.execute("UPDATE mailbox SET uidnext = uidnext + 1 WHERE address = ?", (address,))
                self.db.execute(
                    "INSERT INTO message (mailbox, uid, internal_date, envelope_from, message_id, subject, sender, "
                    "raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (address, uid, time.time(), envelope_from, message_id, subject, sender, raw),
                )
                uids.append(uid)
            self.db.execute("COMMIT")
        except Exception:
            self.db.execute("ROLLBACK")
            raise
        return uids

    _COLUMNS = "id, mailbox, uid, flags, internal_date, envelope_from, message_id, subject, sender"

    def _row(self, row, raw=None) -> StoredMessage:
        flags = [f for f in row[3].split(" ") if f]
        return StoredMessage(row[0], row[1], row[2], flags, row[4], row[5], row[6], row[7], row[8], raw)

    def messages(self, address: str) -> list[StoredMessage]:
        rows = self.db.execute(
            f"SELECT {self._COLUMNS} FROM message WHERE mailbox = ? AND deleted = 0 ORDER BY uid",  # noqa: S608
            (address.lower(),),
        ).fetchall()
        return [self._row(row) for row in rows]

    def raw(self, message_pk: int) -> bytes:
        row = self.db.execute("SELECT raw FROM message WHERE id = ?", (message_pk,)).fetchone()
        return bytes(row[0]) if row else b""

    def get(self, message_pk: int) -> StoredMessage | None:
        row = self.db.execute(
            f"SELECT {self._COLUMNS}, raw FROM message WHERE id = ?",  # noqa: S608
            (message_pk,),
        ).fetchone()
        return self._row(row, bytes(row[9])) if row else None

    def set_flags(self, message_pk: int, flags: list[str]) -> None:
        unique = sorted(set(flags))
        self.db.execute(
            "UPDATE message SET flags = ?, seen = ?, deleted = deleted WHERE id = ?",
            (" ".join(unique), int("\\Seen" in unique), message_pk),
        )

    def expunge(self, address: str) -> list[int]:
        rows = self.db.execute(
            "SELECT id, uid FROM message WHERE mailbox = ? AND deleted = 0 AND instr(flags, '\\Deleted') > 0",
            (address.lower(),),
        ).fetchall()
        self.db.executemany("UPDATE message SET deleted = 1 WHERE id = ?", [(row[0],) for row in rows])
        return [row[1] for row in rows]

    def count_message_id(self, address: str, message_id: str) -> int:
        return self.db.execute(
            "SELECT COUNT(*) FROM message WHERE mailbox = ? AND message_id = ? AND deleted = 0",
            (address.lower(), message_id),
        ).fetchone()[0]
