"""The RCP work lists of the home page (``settings.DCC_WORK_LISTS``)."""

from __future__ import annotations

import datetime

from django.db.models import CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from dcc.accounts.enums import Profile
from dcc.accounts.work import LIMIT, WorkItem, WorkList
from dcc.records.enums import GenerationStatus
from dcc.records.models import DocumentGeneration
from identity.models import DISPLAY_NAME_FIELDS
from identity.selectors import visible_patients
from rcp import perms
from rcp.enums import FICHE_DOCUMENT_SOURCE, AttendanceMode, DossierStatus, SessionStatus
from rcp.models import Attendance, Dossier, FicheVersion, Session

COMING_DAYS = 14
# What a dossier's line of a work list shows (patient's name, RCP, session, status): not the wide rows.
_DOSSIER_ITEM_FIELDS = (
    "status",
    *(f"patient__{name}" for name in DISPLAY_NAME_FIELDS),
    "session__starts_at",
    "session__rcp__title",
)


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y à %H:%M}"


def secretary_lists(user) -> list[WorkList]:
    three_cs = perms.secretary_three_c_ids(user)
    now = timezone.now()
    sessions = (
        Session.objects.filter(
            rcp__three_c_id__in=three_cs,
            status__in=[SessionStatus.PLANNED, SessionStatus.OPEN],
            starts_at__gte=now - datetime.timedelta(hours=12),
            starts_at__lte=now + datetime.timedelta(days=COMING_DAYS),
        )
        .select_related("rcp")
        .annotate(registered=Count("dossiers", filter=Q(dossiers__status__in=[DossierStatus.REGISTERED])))
        .order_by("starts_at")[:LIMIT]
    )
    coming = tuple(
        WorkItem(
            f"{s.rcp.title} — {_day(s.starts_at)}",
            f"{s.get_status_display()} · {s.registered} dossier{'s' if s.registered > 1 else ''} inscrit"
            f"{'s' if s.registered > 1 else ''}",
            reverse("rcp:session", args=[s.pk]),
        )
        for s in sessions
    )
    in_scope = Dossier.objects.filter(session__rcp__three_c_id__in=three_cs).select_related("patient", "session__rcp")
    incomplete = in_scope.filter(
        Q(status=DossierStatus.DRAFT) | Q(status=DossierStatus.REGISTERED, fiche__dossier_complete=False),
        session__starts_at__gte=now,
    ).order_by("session__starts_at", "position")[:LIMIT]
    late = in_scope.filter(is_late=True, session__starts_at__gte=now).order_by("session__starts_at")[:LIMIT]

    def dossier_item(dossier, detail):
        return WorkItem(
            f"{dossier.patient.display_name} — {dossier.session.rcp.title}",
            detail.format(date=_day(dossier.session.starts_at), status=dossier.get_status_display()),
            reverse("rcp:dossier", args=[dossier.pk]),
        )

    return [
        WorkList(
            "seances",
            f"Séances des {COMING_DAYS} prochains jours",
            coming,
            "Aucune séance à venir dans vos 3C.",
            reverse("rcp:agenda"),
            "Tout l'agenda",
        ),
        WorkList(
            "a-completer",
            "Dossiers à compléter",
            tuple(dossier_item(d, "{status} · séance du {date}") for d in incomplete),
            "Aucun dossier à compléter.",
        ),
        WorkList(
            "hors-delai",
            "Inscriptions hors délai",
            tuple(dossier_item(d, "Inscrit après la date limite · séance du {date}") for d in late),
            "Aucune inscription hors délai.",
        ),
    ]


def doctor_lists(user) -> list[WorkList]:
    pro = user.professional_id
    if not pro:
        return []
    now = timezone.now()
    mine = (
        Dossier.objects.filter(patient__in=visible_patients(user))
        .select_related("patient", "session__rcp")
        .only(*_DOSSIER_ITEM_FIELDS)
    )
    passages = mine.filter(
        requesting_doctor_id=pro,
        status__in=[DossierStatus.DRAFT, DossierStatus.REGISTERED],
        session__starts_at__gte=now,
    ).order_by("session__starts_at")[:LIMIT]
    # Sessions he attended, as a semi-join: no DISTINCT over the joined rows (a wide sort, slow to plan).
    attended = Attendance.objects.filter(
        session_id=OuterRef("session_id"),
        professional_id=pro,
        mode__in=[AttendanceMode.ROOM, AttendanceMode.VIDEO],
    )
    to_sign = mine.filter(
        Exists(attended),
        status__in=[DossierStatus.REGISTERED, DossierStatus.PRESENTED],
        session__starts_at__lte=now + datetime.timedelta(hours=12),
    ).order_by("-session__starts_at")[:LIMIT]
    # The versions he signed, as text: a generation names its source by a text key.
    signed = FicheVersion.objects.filter(signed_by=user).annotate(key=Cast("pk", CharField())).values("key")
    failed = (
        DocumentGeneration.objects.filter(
            source_type=FICHE_DOCUMENT_SOURCE, status=GenerationStatus.FAILED, source_id__in=signed
        )
        .select_related("patient")
        .order_by("-updated_at")[:LIMIT]
    )
    versions = {
        str(v.pk): v
        for v in FicheVersion.objects.filter(pk__in=[int(g.source_id) for g in failed]).select_related("fiche")
    }
    sessions = (
        Session.objects.filter(
            rcp__members__professional_id=pro,
            status__in=[SessionStatus.PLANNED, SessionStatus.OPEN],
            starts_at__gte=now - datetime.timedelta(hours=12),
            starts_at__lte=now + datetime.timedelta(days=COMING_DAYS),
        )
        .select_related("rcp")
        .order_by("starts_at")[:LIMIT]
    )
    return [
        WorkList(
            "mes-seances",
            f"Mes séances des {COMING_DAYS} prochains jours",
            tuple(
                WorkItem(
                    f"{s.rcp.title} — {_day(s.starts_at)}", s.get_status_display(), reverse("rcp:session", args=[s.pk])
                )
                for s in sessions
            ),
            "Aucune séance de vos RCP dans les deux semaines.",
        ),
        WorkList(
            "mes-passages",
            "Mes patients à venir en RCP",
            tuple(
                WorkItem(
                    f"{d.patient.display_name} — {d.session.rcp.title}",
                    f"{d.get_status_display()} · séance du {_day(d.session.starts_at)}",
                    reverse("rcp:dossier", args=[d.pk]),
                )
                for d in passages
            ),
            "Aucun de vos patients n'est inscrit à une séance à venir.",
        ),
        WorkList(
            "a-valider",
            "Fiches à valider et signer",
            tuple(
                WorkItem(
                    f"{d.patient.display_name} — {d.session.rcp.title}",
                    f"Séance du {_day(d.session.starts_at)} (vous étiez présent)",
                    reverse("rcp:dossier", args=[d.pk]),
                )
                for d in to_sign
            ),
            "Aucune fiche en attente de votre signature.",
        ),
        WorkList(
            "documents-en-echec",
            "Documents non produits",
            tuple(
                WorkItem(
                    f"Fiche RCP de {g.patient.display_name}",
                    g.failure_reason.splitlines()[0][:200],
                    reverse("rcp:dossier", args=[versions[g.source_id].fiche.dossier_id])
                    if g.source_id in versions
                    else reverse("records:documents", args=[g.patient_id]),
                )
                for g in failed
            ),
            "Tous les documents de vos fiches signées sont produits.",
        ),
    ]


def work_lists(user, profile) -> list[WorkList]:
    if profile == Profile.SECRETAIRE_3C:
        return secretary_lists(user)
    if profile == Profile.MEDECIN and not getattr(user.professional, "is_general_practitioner", False):
        return doctor_lists(user)
    return []
