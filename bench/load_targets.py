"""What each benchmark persona may open and edit, read from the database the server uses (JSON on stdout).

Run by ``bench/load.py`` in a separate process (Locust monkey-patches the standard library with gevent, Django
should not run there). Only objects the persona may see are listed, so every request of the load is an allowed
one: the benchmark measures pages, not 403s.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIMIT = 60


def targets(emails: list[str]) -> dict:
    from dcc.accounts.models import User
    from dcc.records.models import Document
    from identity.selectors import visible_patients
    from pps.enums import PpsStatus
    from pps.models import Pps
    from pps.perms import can_author_pps
    from rcp import perms
    from rcp.models import Dossier, Session

    result = {}
    for email in emails:
        user = User.objects.filter(email=email).first()
        if user is None:
            raise SystemExit(f"Compte de démonstration inconnu : {email} (lancez seed_demo).")
        patients = visible_patients(user)
        patient_rows = list(patients.order_by("pk").values("pk", "birth_name")[:LIMIT])
        dossiers = Dossier.objects.filter(patient__in=patients).order_by("-pk")
        editable = []
        if perms.can_edit_fiche(user, dossiers.first()) if dossiers.exists() else False:
            editable = list(dossiers.filter(fiche__validated_at__isnull=True).values_list("pk", flat=True)[:LIMIT])
        sessions = [
            session.pk
            for session in Session.objects.filter(dossiers__patient__in=patients)
            .select_related("rcp")
            .distinct()
            .order_by("-starts_at")[:20]
            if perms.can_follow_session(user, session)
        ]
        pps_author = can_author_pps(user)
        pps = Pps.objects.filter(patient__in=patients, programme="pps").order_by("pk")
        if not pps_author:  # a medical secretary registers dossiers but writes no PPS
            pps = pps.none()
        result[email] = {
            "patients": [row["pk"] for row in patient_rows],
            "names": sorted({row["birth_name"][:4] for row in patient_rows if row["birth_name"]}),
            "dossiers": list(dossiers.values_list("pk", flat=True)[:LIMIT]),
            "editable_dossiers": editable,
            "sessions": sessions[:10],
            "pps_author": pps_author,
            "pps": list(pps.values_list("pk", flat=True)[:LIMIT]),
            "draft_pps": list(pps.filter(status=PpsStatus.DRAFT).values_list("pk", flat=True)[:LIMIT]),
            "documents": list(
                Document.objects.filter(patient__in=patients).order_by("-pk").values_list("pk", flat=True)[:LIMIT]
            ),
            "document_patients": sorted(
                set(Document.objects.filter(patient__in=patients).values_list("patient_id", flat=True)[:LIMIT])
            ),
        }
    return result


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.demo")
    import django

    from dcc.embedded import configure_environment

    configure_environment()  # the embedded servers, when DATABASE_URL / REDIS_URL are unset
    django.setup()
    json.dump(targets(sys.argv[1:]), sys.stdout)


if __name__ == "__main__":
    main()
