"""Validated fiches RCP for the PPS tests: a dossier of a past session, its fiche validated with one version."""

from __future__ import annotations

import datetime

from django.utils import timezone

from rcp.models import CodeListEntry, FicheVersion
from tests.rcp.factories import DossierFactory, RcpFactory, SessionFactory

TREATMENT_VALUE_SET = ("1.2.250.1.213.1.1.5.595", "jdv-type-traitement-frcp-cisis")
TREATMENT_LABELS = {
    "387713003": ("2.16.840.1.113883.6.96", "intervention chirurgicale"),
    "C15313": ("2.16.840.1.113883.3.26.1.1", "radiothérapie"),
}


def treatment_labels() -> None:
    """The FRCP treatment value-set entries the tests' fiches use (loaded by ``load_value_sets`` in the demo)."""
    oid, name = TREATMENT_VALUE_SET
    for position, (code, (system, label)) in enumerate(TREATMENT_LABELS.items()):
        CodeListEntry.objects.get_or_create(
            value_set_oid=oid, code_system=system, code=code,
            defaults={"value_set_name": name, "label": label, "position": position},
        )  # fmt: skip


def validated_fiche(patient, *, establishment, rcp_title="Tumeurs digestives", day=None, by, **fields):
    """A validated fiche of ``patient`` discussed at an RCP of ``establishment`` on ``day``; ``fields`` fill it."""
    treatment_labels()
    when = timezone.make_aware(datetime.datetime.combine(day or datetime.date(2026, 11, 20), datetime.time(14)))
    rcp = RcpFactory(title=rcp_title, establishment=establishment)
    session = SessionFactory(rcp=rcp, starts_at=when, ends_at=when + datetime.timedelta(hours=2), status="closed")
    dossier = DossierFactory(session=session, patient=patient, status="validated")
    fiche = dossier.fiche
    values = {
        "diagnosis_date": datetime.date(2026, 9, 1),
        "topography_code": "C18.7",
        "morphology_code": "8140/3",
        "treatments": [{"rank": 1, "code": "387713003", "detail": "Sigmoïdectomie"}],
        "proposition": "Chirurgie première puis avis oncologique.",
    } | fields
    for name, value in values.items():
        setattr(fiche, name, value)
    fiche.validated_by = by
    fiche.validated_at = when + datetime.timedelta(hours=2)
    fiche.quorum_reached = True
    fiche.save()
    FicheVersion.objects.create(
        fiche=fiche, version=1, content=fiche.content(), quorum_reached=True, signed_by=by, signed_at=fiche.validated_at
    )
    return fiche
