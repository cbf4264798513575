"""Demo: the GP persona notified of three of his patients' coming RCPs, with one contribution.

Registered through ``rcp.services.dossiers.dossier_register``, so the notice, its outbox row (sent by the
worker to the local MSSanté operator under ``make run``) and the care relationship are the real ones.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

ORDER = 45  # after rcp (40): its sessions and members exist
GP_EMAIL = "medecin.traitant@demo.dcc.test"
SECRETARY_EMAIL = "secretaire.3c@demo.dcc.test"
QUESTIONS = [
    "Chirurgie première ou traitement néoadjuvant ?",
    "Place d'une chimiothérapie adjuvante chez une patiente de 78 ans ?",
    "Conduite à tenir devant une récidive hépatique isolée ?",
]
CONTRIBUTION = (
    "Patiente que je suis depuis 15 ans. Vit seule à domicile, aidée par sa fille ; diabète de type 2 "
    "équilibré, insuffisance rénale modérée (DFG 48 mL/min). Elle souhaite, si possible, un traitement "
    "en ambulatoire et redoute une stomie. Disponible pour en parler avant la séance."
)


def seed(context: dict) -> None:
    from dcc.accounts.models import User
    from identity.models import Patient
    from rcp.enums import DOSSIER_ACTIVE, DossierMotive, SessionStatus
    from rcp.gp.enums import NoticeOutcome
    from rcp.gp.models import GpNotice
    from rcp.gp.services import gp_contribution_add
    from rcp.models import Session
    from rcp.services.dossiers import dossier_register

    log = context["log"]
    gp_user = User.objects.filter(email=GP_EMAIL, professional__isnull=False).select_related("professional").first()
    secretary = User.objects.filter(email=SECRETARY_EMAIL).first()
    if gp_user is None or secretary is None:
        log("Médecin traitant : personas absents, rien à notifier")
        return
    gp = gp_user.professional
    if GpNotice.objects.filter(professional=gp, outcome=NoticeOutcome.NOTIFIED).exists():
        log("Médecin traitant : notifications déjà présentes")
        return
    three_c_ids = {three_c.pk for grant in secretary.active_grants() for three_c in grant.three_cs.all()}
    patients = list(
        Patient.objects.current()
        .filter(general_practitioner=gp)
        .exclude(rcp_dossiers__status__in=DOSSIER_ACTIVE)
        .order_by("pk")[:10]
    )
    sessions = (
        Session.objects.filter(
            status=SessionStatus.PLANNED,
            starts_at__gte=timezone.now() + datetime.timedelta(days=7),
            rcp__three_c_id__in=three_c_ids,
            rcp__members__isnull=False,
        )
        .select_related("rcp")
        .distinct()
        .order_by("starts_at")[:20]
    )
    notified = []
    for session in sessions:
        if len(notified) == len(QUESTIONS) or not patients:
            break
        member = session.rcp.members.select_related("professional").first()
        try:
            dossier = dossier_register(
                session=session,
                patient=patients[0],
                requesting_doctor=member.professional,
                motive=DossierMotive.FIRST,
                question=QUESTIONS[len(notified)],
                by=secretary,
            )
        except ValidationError:  # full session, patient already there…: try the next one
            continue
        patients.pop(0)
        notified.append(dossier)
    if notified:
        gp_contribution_add(dossier=notified[0], user=gp_user, text=CONTRIBUTION)
    log(f"Médecin traitant : {len(notified)} patient(s) notifié(s), 1 contribution")
