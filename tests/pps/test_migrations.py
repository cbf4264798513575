"""The data migration that turns the bare RCP proposition id into the link to a validated fiche RCP."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("pps", "0002_ppac_follow_up_plans_templates_and_advice")]
AFTER = [("pps", "0003_link_pps_to_rcp_fiche")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_matching_ids_become_links_and_a_lost_one_is_explained(personas):
    from tests.pps.fiches import validated_fiche
    from tests.records.documents_helpers import record_patient

    patient, other = record_patient(personas), record_patient(personas)
    fiche = validated_fiche(patient, establishment=personas.hospital, by=personas["doctor"])
    strangers = validated_fiche(other, establishment=personas.hospital, by=personas["doctor"])
    try:
        apps = _migrate(BEFORE)
        Pps = apps.get_model("pps", "Pps")
        now = timezone.now()
        common = {"author_id": personas["doctor"].pk, "created_at": now}
        kept = Pps.objects.create(patient_id=patient.pk, rcp_proposition_id=fiche.pk, **common)
        other_patients = Pps.objects.create(
            patient_id=patient.pk, rcp_proposition_id=strangers.pk, status="validated", validated_at=now, **common
        )
        unknown_draft = Pps.objects.create(patient_id=patient.pk, rcp_proposition_id=999_999, **common)

        apps = _migrate(AFTER)
        Pps = apps.get_model("pps", "Pps")
        assert Pps.objects.get(pk=kept.pk).rcp_fiche_id == fiche.pk
        lost = Pps.objects.get(pk=other_patients.pk)
        assert lost.rcp_fiche_id is None
        assert (
            lost.no_rcp_reason
            == f"Proposition RCP n° {strangers.pk} non retrouvée lors du rattachement aux fiches RCP."
        )
        draft = Pps.objects.get(pk=unknown_draft.pk)
        assert (draft.rcp_fiche_id, draft.no_rcp_reason) == (None, "")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
