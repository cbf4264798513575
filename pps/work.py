"""The PPS work lists of the home page (``settings.DCC_WORK_LISTS``): what the annonce nurse builds or delivers."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from dcc.accounts.enums import Profile
from dcc.accounts.work import LIMIT, WorkItem, WorkList
from identity.selectors import visible_patients
from pps.enums import PpsStatus
from pps.models import Pps
from rcp.models import Fiche

RECENT_DAYS = 90


def nurse_lists(user) -> list[WorkList]:
    patients = visible_patients(user)
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    followed = Pps.objects.filter(patient_id=OuterRef("dossier__patient_id"), created_at__gte=OuterRef("validated_at"))
    to_build = (
        Fiche.objects.filter(validated_at__gte=since, dossier__patient__in=patients)
        .exclude(surveillance_only=True)
        .filter(~Exists(followed))
        .select_related("dossier__patient", "dossier__session__rcp")
        .order_by("-validated_at")[:LIMIT]
    )
    to_deliver = (
        Pps.objects.filter(status=PpsStatus.VALIDATED, patient__in=patients)
        .select_related("patient")
        .order_by("validated_at")[:LIMIT]
    )
    return [
        WorkList(
            "pps-a-construire",
            "PPS à construire",
            tuple(
                WorkItem(
                    f"{f.dossier.patient.display_name} — {f.dossier.session.rcp.title}",
                    f"Fiche RCP validée le {timezone.localtime(f.validated_at):%d/%m/%Y}, sans PPS depuis",
                    reverse("pps:patient", args=[f.dossier.patient_id]),
                )
                for f in to_build
            ),
            "Aucune proposition de RCP récente n'attend son PPS.",
        ),
        WorkList(
            "pps-a-remettre",
            "PPS et PPAC validés à remettre au patient",
            tuple(
                WorkItem(
                    f"{p.patient.display_name} — {p.get_programme_display()} version {p.version}",
                    f"Validé le {timezone.localtime(p.validated_at):%d/%m/%Y}",
                    reverse("pps:detail" if p.programme == "pps" else "pps:ppac:detail", args=[p.pk]),
                )
                for p in to_deliver
            ),
            "Aucun programme validé n'attend d'être remis.",
        ),
    ]


def work_lists(user, profile) -> list[WorkList]:
    if profile == Profile.ANNONCE_PPS:
        return nurse_lists(user)
    return []
