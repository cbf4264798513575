"""The French MSSanté notice the GP receives when his patient is registered to an RCP (subject and body)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format


def dossier_url(dossier) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("rcp:dossier", args=[dossier.pk])


def notice_payload(dossier) -> dict[str, str]:
    """``{"subject", "body"}`` of the notice: date, RCP, question asked, video link if any, link to the dossier."""
    session, patient = dossier.session, dossier.patient
    rcp = session.rcp
    starts = timezone.localtime(session.starts_at)
    when = f"{date_format(starts, 'l j F Y')} à {starts:%H:%M}"
    born = f"né(e) le {patient.birth_date:%d/%m/%Y}" if patient.birth_date else ""
    name = f"{patient.display_name}{f' ({born})' if born else ''}"
    subject = f"RCP du {starts:%d/%m/%Y} : inscription de votre patient(e) {patient.display_name}"
    lines = [
        "Bonjour,",
        "",
        f"Votre patient(e) {name} est inscrit(e) à la réunion de concertation pluridisciplinaire "
        f"« {rcp.title} » ({rcp.establishment.name}) du {when}.",
        "",
        "Question posée à la RCP :",
        dossier.question.strip(),
        "",
        f"Médecin demandeur : {dossier.requesting_doctor.display_name}",
    ]
    if session.effective_place:
        lines.append(f"Lieu : {session.effective_place}")
    if session.effective_video_link:
        lines.append(f"Vous pouvez participer à la séance en visioconférence : {session.effective_video_link}")
    lines += [
        "",
        "Vous pouvez consulter le dossier et transmettre à la RCP les informations utiles à la discussion "
        "(contexte, antécédents, souhaits du patient, documents) avant la séance :",
        dossier_url(dossier),
        "",
        "Vous recevrez la fiche RCP par messagerie sécurisée après la séance.",
        "",
        f"Le secrétariat du {rcp.three_c.name}" if rcp.three_c_id else "Le DCC régional",
    ]
    return {"subject": subject, "body": "\n".join(lines)}
