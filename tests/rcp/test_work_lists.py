"""Issue 15, finding 7: every home page shows its person's work (3C secretary, doctor, annonce nurse)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dcc.records.enums import GenerationStatus
from dcc.records.models import DocumentGeneration
from pps.enums import PpsStatus
from rcp.models import Dossier
from tests.identity.factories import PatientFactory
from tests.pps.factories import PpsFactory
from tests.rcp.factories import register_dossier
from tests.rcp.fiche_documents import fiche_world, validate

pytestmark = pytest.mark.django_db


def _home(client, user, django_assert_max_num_queries, budget=40) -> str:
    client.force_login(user)
    with django_assert_max_num_queries(budget):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_3c_secretary_sees_coming_sessions_dossiers_to_complete_and_late_ones(
    client, personas, world, django_assert_max_num_queries
):
    dossier = register_dossier(world["session"], personas["doctor"], patient=PatientFactory())
    Dossier.objects.filter(pk=dossier.pk).update(is_late=True)

    page = _home(client, personas["secretary_3c"], django_assert_max_num_queries)

    assert "Séances des 14 prochains jours" in page and world["rcp"].title in page
    assert reverse("rcp:session", args=[world["session"].pk]) in page
    assert "Dossiers à compléter" in page and "Inscriptions hors délai" in page
    assert reverse("rcp:dossier", args=[dossier.pk]) in page
    assert dossier.patient.display_name in page
    assert (
        world["other_session"].rcp.title not in page.split("Séances des 14 prochains jours")[1].split("</section>")[0]
    )


def test_the_doctor_sees_her_coming_patients_fiches_to_sign_and_failed_documents(
    client, personas, django_assert_max_num_queries
):
    world = fiche_world(personas)
    signed_world = fiche_world(personas)
    fiche = validate(signed_world, personas)
    DocumentGeneration.objects.update_or_create(
        source_type="rcp.ficheversion",
        source_id=str(fiche.versions.get().pk),
        defaults={
            "patient": signed_world["patient"],
            "status": GenerationStatus.FAILED,
            "failure_reason": "Panne de démonstration.",
        },
    )

    page = _home(client, personas["doctor"], django_assert_max_num_queries)

    assert "Mes patients à venir en RCP" in page and "Fiches à valider et signer" in page
    assert reverse("rcp:dossier", args=[world["dossier"].pk]) in page
    assert "Documents non produits" in page and "Panne de démonstration." in page


def test_the_annonce_nurse_sees_pps_to_build_and_to_deliver(client, personas, django_assert_max_num_queries):
    world = fiche_world(personas)
    validate(world, personas)
    delivered_later = PpsFactory(
        patient=PatientFactory(), author=personas["annonce_nurse"], status=PpsStatus.VALIDATED,
        establishment=personas.hospital,
    )  # fmt: skip
    from dcc.records.enums import CareRelationshipKind
    from dcc.records.services import care_relationship_add

    care_relationship_add(
        patient=delivered_later.patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT,
        establishment=personas.hospital,
    )  # fmt: skip
    from django.utils import timezone

    type(delivered_later).objects.filter(pk=delivered_later.pk).update(validated_at=timezone.now())

    page = _home(client, personas["annonce_nurse"], django_assert_max_num_queries)

    assert "PPS à construire" in page and reverse("pps:patient", args=[world["patient"].pk]) in page
    assert "à remettre au patient" in page and reverse("pps:detail", args=[delivered_later.pk]) in page


def test_the_gp_scope_is_his_patients_not_the_region(client, personas, django_assert_max_num_queries):
    page = _home(client, personas["gp"], django_assert_max_num_queries)
    assert "Toute la région" not in page
    page = _home(client, personas["registry"], django_assert_max_num_queries)
    assert "Toute la région" in page
