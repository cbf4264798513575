"""Who takes part in a PPS or a PPAC, for the MSSanté recipient rules (``settings.DCC_DOCUMENT_PARTIES``).

Roles: the patient's GP and the médecins référents (named on the programme's elements, or as a contact whose
role says « référent »).
"""

from __future__ import annotations

from django.db.models import Q

from dcc.directory.models import Professional
from pps.models import Pps


def parties(source_type: str, source_id) -> dict[str, list[Professional]]:
    pps = Pps.objects.select_related("patient__general_practitioner").get(pk=source_id)
    referents = Professional.objects.filter(
        Q(pk__in=pps.elements.exclude(referring_doctor=None).values("referring_doctor"))
        | Q(pk__in=pps.contacts.filter(role__icontains="référent").values("professional"))
    ).order_by("last_name", "first_name")
    gp = pps.patient.general_practitioner
    return {"medecin_traitant": [gp] if gp else [], "referent": list(referents)}
