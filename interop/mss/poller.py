"""Read the DCC's mailbox over IMAP and ingest every unseen message (DSN, MDN, replies)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from interop.mss import transport
from interop.mss.conf import mss_settings
from interop.mss.receipts import IngestResult, ingest

logger = logging.getLogger(__name__)


@dataclass
class PollReport:
    read: int = 0
    results: list[IngestResult] = field(default_factory=list)


def poll(*, limit: int = 200) -> PollReport:
    """Fetch up to ``limit`` unseen messages, ingest each, then flag it \\Seen (ingest is idempotent, so a crash
    between the two only re-reads a message). Copies of the DCC's own sends are flagged too."""
    conf = mss_settings()
    report = PollReport()
    if not conf.configured:
        return report
    with transport.imap_session(conf) as client:
        uids = client.search(["UNSEEN"])[:limit]
        for uid, data in client.fetch(uids, ["RFC822"]).items():
            raw = data.get(b"RFC822", b"")
            result = ingest(raw, origin=f"imap:{conf.address}:{uid}", own_address=conf.address)
            report.results.append(result)
            client.add_flags([uid], [b"\\Seen"])
            report.read += 1
    return report
