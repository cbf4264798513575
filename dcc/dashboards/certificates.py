"""Attendance certificates: per doctor, 3C and period, a PDF/A-1b listing the RCP sessions attended, signed by
the 3C. Rendered by the shared PDF pipeline (``interop.pdf.render.html_to_pdfa``)."""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from rcp.dashboard_selectors import attendance_rows

MAX_ZIP = 1000  # certificates in one archive (about five minutes of the worker's time)


@dataclass(frozen=True)
class Attended:
    day: datetime.datetime
    rcp: str
    mode: str


@dataclass(frozen=True)
class Certificate:
    professional_id: int
    name: str
    rpps: str
    three_c_id: int
    three_c: str
    start: datetime.date
    end: datetime.date
    sessions: tuple[Attended, ...]

    @property
    def reference(self) -> str:
        """A stable identifier printed on the certificate (the same facts give the same reference)."""
        facts = f"{self.professional_id}|{self.three_c_id}|{self.start}|{self.end}|" + "|".join(
            f"{item.day.isoformat()}:{item.mode}" for item in self.sessions
        )
        return hashlib.sha256(facts.encode()).hexdigest()[:16].upper()

    @property
    def file_name(self) -> str:
        who = self.rpps or self.professional_id
        return f"attestation-{who}-{self.three_c_id}-{self.start:%Y%m%d}-{self.end:%Y%m%d}.pdf"


def certificates(rows, *, start, end) -> list[Certificate]:
    """One certificate per (doctor, 3C) from ``rcp.dashboard_selectors.attendance_rows``."""
    grouped: dict[tuple[int, int], dict] = {}
    for professional_id, last, first, rpps, _, starts_at, rcp, three_c, three_c_id, mode in rows:
        entry = grouped.setdefault(
            (professional_id, three_c_id),
            {
                "name": f"Dr {first} {last.upper()}",
                "rpps": rpps,
                "three_c": three_c,
                "sessions": [],
            },
        )
        entry["sessions"].append(Attended(timezone.localtime(starts_at), rcp, mode))
    return [
        Certificate(
            professional_id,
            entry["name"],
            entry["rpps"],
            three_c_id,
            entry["three_c"],
            start,
            end,
            tuple(entry["sessions"]),
        )
        for (professional_id, three_c_id), entry in sorted(grouped.items(), key=lambda item: (item[1]["name"], item[0]))
    ]


def render_certificate(certificate: Certificate) -> bytes:
    from interop.pdf.render import html_to_pdfa

    html = render_to_string(
        "dashboards/pdf/certificate.html",
        {
            "c": certificate,
            "issued_on": timezone.localdate(),
            "room": sum(1 for item in certificate.sessions if item.mode == "salle"),
            "video": sum(1 for item in certificate.sessions if item.mode == "visio"),
        },
    )
    return html_to_pdfa(html, title=f"Attestation de présence en RCP — {certificate.name}", author=certificate.three_c)


def certificates_of_export(export, scope) -> list[Certificate]:
    """The certificates a ZIP export asked for: the attendances of its period within its 3C scope, of one doctor
    when the export names one (``filters["medecin"]``)."""
    doctor = str((export.filters or {}).get("medecin") or "")
    rows = attendance_rows(
        start=scope.start,
        end=scope.end,
        three_c_ids=scope.three_c_ids,
        professional_id=int(doctor) if doctor.isdigit() else None,
    )
    return certificates(rows, start=scope.start, end=scope.end)


def write_zip(target, items: list[Certificate], *, progress=None) -> int:
    """Render each certificate into the ZIP ``target`` (a binary file), reporting progress after each one."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, item in enumerate(items, start=1):
            archive.writestr(item.file_name, render_certificate(item))
            if progress:
                progress(done)
    return len(items)
