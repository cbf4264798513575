"""Who takes part in a fiche RCP, for the MSSanté recipient rules (``settings.DCC_DOCUMENT_PARTIES``).

Roles (``interop.mss.enums.RecipientRole``): the patient's GP, the requesting doctor, the doctors present at the
session (the signed version's participants: in the room or by video).
"""

from __future__ import annotations

from dcc.directory.models import Professional
from rcp.models import FicheVersion


def parties(source_type: str, source_id) -> dict[str, list[Professional]]:
    version = FicheVersion.objects.select_related(
        "fiche__dossier__patient__general_practitioner", "fiche__dossier__requesting_doctor"
    ).get(pk=source_id)
    dossier = version.fiche.dossier
    present_ids = [p.get("professional_id") for p in version.participants or [] if p.get("professional_id")]
    present = list(Professional.objects.filter(pk__in=present_ids).order_by("last_name", "first_name"))
    return {
        "medecin_traitant": [dossier.patient.general_practitioner] if dossier.patient.general_practitioner else [],
        "demandeur": [dossier.requesting_doctor],
        "presents": present,
    }
