"""A region-decade of data, written with PostgreSQL COPY (minutes, not hours).

Usage (from the repository root, DATABASE_URL pointing at a database already migrated and seeded with the demo,
which provides the 3Cs, establishments, RCPs, professionals and users the rows refer to):

    .venv/bin/python bench/decade.py [--scale 1.0]

``--scale 1`` is a region-decade: 540,000 patients with their care links, 10 years of sessions of the existing
RCPs, 1.1 million dossiers with their fiches, 2 million document rows (sharing a few small stored files) and 20
million access-trail lines. ``--scale 0.01`` is a hundredth of that. Rows go through ``COPY … FROM STDIN`` in
batches; every column Django declares is filled (the few meaningful ones with plausible values, the others
with their defaults), generated columns are left to PostgreSQL, and sequences are moved past the new ids.
Prints the time of each table. ``tests/platform/test_decade.py`` runs it at a small scale so it cannot rot.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL = {"patients": 540_000, "dossiers": 1_100_000, "documents": 2_000_000, "trail": 20_000_000, "years": 10}
BATCH = 50_000
# fmt: off
NAMES = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU",
         "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX", "VINCENT", "FOURNIER",
         "MOREL", "GIRARD", "ANDRE", "MERCIER", "DUPONT", "LAMBERT", "BONNET", "FRANCOIS", "MARTINEZ", "LEGRAND"]
FIRST = ["MARIE", "JEAN", "PIERRE", "MICHEL", "ANNE", "JACQUES", "NATHALIE", "CATHERINE", "PHILIPPE", "ISABELLE",
         "SYLVIE", "ALAIN", "CHRISTINE", "FRANCOISE", "DANIEL", "MONIQUE", "BERNARD", "NICOLE", "GERARD", "HELENE"]
# fmt: on


def _filler(field, index: int):
    """A value for a column the generator does not set: its default, else an empty value of its type."""
    from django.db import models

    if field.has_default():
        value = field.get_default()
        return json.dumps(value) if isinstance(field, models.JSONField) else value
    if field.null:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps({})
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
        return 0
    if isinstance(field, models.DateTimeField):
        return datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    if isinstance(field, models.DateField):
        return datetime.date(2020, 1, 1)
    if field.choices:
        return field.choices[0][0]
    return f"x{index}" if field.unique else ""


class Copier:
    """COPY rows of one model: ``values(i)`` gives the columns it sets, the others are filled from the model."""

    def __init__(self, cursor, model):
        self.cursor, self.model = cursor, model
        self.fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        self.columns = [f.column for f in self.fields]
        # Fillers computed once: only unique columns depend on the row.
        self.fixed = {f.column: _filler(f, 0) for f in self.fields if not f.unique}
        self.unique = [f for f in self.fields if f.unique]

    def copy(self, first_id: int, count: int, values) -> float:
        begun = time.monotonic()
        sql = f'COPY "{self.model._meta.db_table}" ({", ".join(self.columns)}) FROM STDIN'
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            with self.cursor.copy(sql) as copy:
                for offset in range(size):
                    index = done + offset
                    given = values(index)
                    given["id"] = first_id + index
                    row = self.fixed | given
                    for field in self.unique:
                        if field.column not in row:
                            row[field.column] = _filler(field, index)
                    copy.write_row([row[c] for c in self.columns])
            done += size
        return time.monotonic() - begun


def next_id(cursor, table: str) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')  # noqa: S608 - our table names
    return cursor.fetchone()[0]


def reset_sequence(cursor, table: str) -> None:
    sequence = f"pg_get_serial_sequence('\"{table}\"', 'id')"
    cursor.execute(f'SELECT setval({sequence}, (SELECT COALESCE(MAX(id), 1) FROM "{table}"))')  # noqa: S608


def generate(scale: float, *, seed: int = 17, out=print) -> dict:
    """Append a region-decade times ``scale`` to the current database; returns rows and seconds per table."""
    from django.db import connection, transaction
    from django.utils import timezone

    from dcc.accounts.models import User
    from dcc.directory.models import Establishment, Professional
    from dcc.records.enums import CareRelationshipKind, DocumentOrigin, TrailAction
    from dcc.records.models import AccessTrail, CareRelationship, Document
    from identity.models import Patient
    from rcp.enums import DossierMotive, DossierStatus, SessionStatus
    from rcp.models import Dossier, Fiche, Rcp, Session

    rng = random.Random(seed)
    counts = {key: max(1, int(value * scale)) for key, value in FULL.items() if key != "years"}
    rcps = list(Rcp.objects.values_list("pk", "establishment_id"))
    establishments = list(Establishment.objects.values_list("pk", flat=True))
    doctors = list(Professional.objects.filter(is_active=True).values_list("pk", flat=True)[:500])
    users = list(User.objects.values_list("pk", flat=True))
    if not (rcps and establishments and doctors and users):
        raise SystemExit("Base vide : migrez et lancez seed_demo avant bench/decade.py.")
    now = timezone.now()
    start = now - datetime.timedelta(days=365 * FULL["years"])
    span = (now - start).total_seconds()
    pdf = b"%PDF-1.4\n% DCC region-decade shared file\n%%EOF\n"
    pdf_sha = hashlib.sha256(pdf).hexdigest()
    timings: dict[str, tuple[int, float]] = {}

    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor (COPY)
        ids = {t: next_id(cursor, t) for t in ("identity_patient", "rcp_session", "rcp_dossier", "rcp_fiche")}
        ids |= {t: next_id(cursor, t) for t in ("records_document", "records_accesstrail", "records_carerelationship")}
        p0, n_patients = ids["identity_patient"], counts["patients"]

        def patient(i):
            born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 75))
            return {
                "birth_name": rng.choice(NAMES),
                "first_given_name": rng.choice(FIRST),
                "given_names": "",
                "sex": rng.choice("MF"),
                "birth_date": born,
                "birth_place_code": "86194",
                "created_at": start + datetime.timedelta(seconds=span * i / n_patients),
                "updated_at": now,
            }

        timings["patients"] = (n_patients, Copier(cursor, Patient).copy(p0, n_patients, patient))

        def care(i):
            return {
                "patient_id": p0 + i,
                "kind": CareRelationshipKind.TREATING_ESTABLISHMENT,
                "establishment_id": rng.choice(establishments),
                "source": "decade",
                "created_at": now,
            }

        timings["liens de prise en charge"] = (
            n_patients,
            Copier(cursor, CareRelationship).copy(ids["records_carerelationship"], n_patients, care),
        )

        # Ten years of weekly sessions of every RCP, as many as the dossiers need (about 8 per session).
        n_sessions = max(1, -(-counts["dossiers"] // 8))
        s0 = ids["rcp_session"]

        def session(i):
            rcp_id, _establishment = rcps[i % len(rcps)]
            at = start + datetime.timedelta(seconds=span * i / n_sessions)
            return {
                "rcp_id": rcp_id,
                "starts_at": at,
                "ends_at": at + datetime.timedelta(hours=2),
                "status": SessionStatus.CLOSED,
                "place": "",
                "video_link": "",
                "cancel_reason": "",
                "created_at": at,
            }

        timings["séances"] = (n_sessions, Copier(cursor, Session).copy(s0, n_sessions, session))

        d0, n_dossiers = ids["rcp_dossier"], counts["dossiers"]

        def dossier(i):
            # Eight consecutive dossiers per session, eight different patients.
            return {
                "session_id": s0 + min(i // 8, n_sessions - 1),
                "patient_id": p0 + i % n_patients,
                "requesting_doctor_id": rng.choice(doctors),
                "motive": DossierMotive.FIRST,
                "question": "Conduite à tenir ?",
                "status": DossierStatus.VALIDATED,
                "position": i % 8 + 1,
                "previous_id": None,
                "created_by_id": rng.choice(users),
                "created_at": start + datetime.timedelta(seconds=span * i / n_dossiers),
            }

        timings["dossiers"] = (n_dossiers, Copier(cursor, Dossier).copy(d0, n_dossiers, dossier))

        def fiche(i):
            return {
                "dossier_id": d0 + i,
                "proposition": "Chirurgie puis surveillance.",
                "updated_at": now,
                "treatments": json.dumps([{"rank": 1, "code": "CHIR", "detail": ""}]),
            }

        timings["fiches"] = (n_dossiers, Copier(cursor, Fiche).copy(ids["rcp_fiche"], n_dossiers, fiche))

        n_documents = counts["documents"]
        shared_name = "decade/partage.pdf"

        def document(i):
            return {
                "patient_id": p0 + rng.randrange(n_patients),
                "type_code": "34794-8",
                "type_label": "Fiche RCP",
                "title": "Fiche RCP",
                "author_label": "",
                "act_date": start + datetime.timedelta(seconds=span * i / n_documents),
                "origin": DocumentOrigin.MIGRATION,
                "document_id": f"DECADE-{ids['records_document'] + i}",
                "set_id": f"DECADE-SET-{ids['records_document'] + i}",
                "pdf_file": shared_name,
                "pdf_sha256": pdf_sha,
                "cda_file": "",
                "cda_sha256": "",
                "validation_report": "",
                "source_type": "",
                "source_id": "",
                "replaces_id": None,
            }

        timings["documents"] = (
            n_documents,
            Copier(cursor, Document).copy(ids["records_document"], n_documents, document),
        )

        n_trail = counts["trail"]

        def trail(i):
            return {
                "at": start + datetime.timedelta(seconds=span * i / n_trail),
                "user_id": rng.choice(users),
                "user_label": "Dr DÉCENNIE",
                "patient_id": p0 + rng.randrange(n_patients),
                "acting_as_label": "",
                "action": TrailAction.READ,
                "object_type": "rcp.dossier",
                "object_id": str(d0 + rng.randrange(n_dossiers)),
                "connection_method": "password",
                "ip_address": "10.0.0.1",
                "detail": "",
            }

        timings["traces d'accès"] = (
            n_trail,
            Copier(cursor, AccessTrail).copy(ids["records_accesstrail"], n_trail, trail),
        )

        for table in ids:
            reset_sequence(cursor, table)
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    if not default_storage.exists(shared_name):
        default_storage.save(shared_name, ContentFile(pdf))
    begun = time.monotonic()
    with connection.cursor() as cursor:
        for table in ("identity_patient", "rcp_dossier", "rcp_fiche", "records_document", "records_accesstrail"):
            cursor.execute(f'ANALYZE "{table}"')
    timings["ANALYZE"] = (0, time.monotonic() - begun)
    for name, (rows, seconds) in timings.items():
        rate = f"{rows / seconds:>10,.0f} lignes/s" if rows and seconds else ""
        out(f"  {name:<26} {rows:>12,} lignes  {seconds:>8.1f} s  {rate}")
    return {name: rows for name, (rows, _seconds) in timings.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = une région sur dix ans (défaut)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.demo")
    import django

    from dcc.embedded import configure_environment

    configure_environment()  # the embedded servers, when DATABASE_URL / REDIS_URL are unset
    django.setup()
    begun = time.monotonic()
    print(f"Région-décennie × {args.scale} :")
    generate(args.scale)
    print(f"Total : {time.monotonic() - begun:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
