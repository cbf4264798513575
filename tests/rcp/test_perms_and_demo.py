"""Who may edit which RCP, and the demo catalogue."""

from io import StringIO

import pytest
from django.core.management import call_command

from dcc.accounts.models import User
from identity.selectors import visible_patients
from rcp import perms
from rcp.enums import AttendanceMode, DossierStatus, SessionStatus
from rcp.models import Attendance, Dossier, Fiche, FicheVersion, Rcp, Session
from tests.personas import PERSONA_NAMES

pytestmark = pytest.mark.django_db


def test_edit_rights_across_personas(personas, world):
    own, other = world["rcp"], world["other_rcp"]
    expected_own = {"secretary_3c", "admin"}
    for name in PERSONA_NAMES:
        user = personas[name]
        if user is None:
            continue
        assert perms.can_edit_rcp(user, own) is (name in expected_own), name
        assert perms.can_edit_rcp(user, other) is (name == "admin"), name
        assert perms.can_view_catalogue(user) is (name != "no_profile"), name


def test_a_secretary_whose_grant_expired_loses_edit_rights(personas, world):
    import datetime

    from django.utils import timezone

    secretary = personas["secretary_3c"]
    secretary.profile_grants.update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    secretary.refresh_from_db()
    secretary._active_grants = None
    assert not perms.can_edit_rcp(secretary, world["rcp"])
    assert not perms.can_view_catalogue(secretary)


def test_demo_catalogue_follows_the_seed_and_is_idempotent(demo):
    count, sessions = Rcp.objects.count(), Session.objects.count()
    assert 55 <= count <= 70
    assert Rcp.objects.values("three_c").distinct().count() == 18
    poitiers = Rcp.objects.get(title="Tumeurs digestives", establishment__name="CHU LA MILETRIE - POITIERS")
    assert poitiers.display_name == "Tumeurs digestives (CHU LA MILETRIE - POITIERS - Poitiers) - (A1, B1, CRSC)"
    assert Rcp.objects.filter(title="Moléculaire").exists() and Rcp.objects.filter(title="Tumeurs rares ORL").exists()
    assert Rcp.objects.filter(title="Tumeurs digestives").count() >= 5
    past = Session.objects.filter(status=SessionStatus.CLOSED)
    assert past.count() > 1000
    assert Attendance.objects.filter(session__in=past, mode=AttendanceMode.VIDEO).exists()
    assert Session.objects.filter(status=SessionStatus.PLANNED).count() > 500
    cancelled = Session.objects.filter(status=SessionStatus.CANCELLED)
    assert cancelled.exists() and all(
        s.transitions.filter(to_status=SessionStatus.CANCELLED).exists() for s in cancelled
    )
    # Past sessions carry validated fiches (signed, with quorum), coming ones registered dossiers.
    validated = Fiche.objects.filter(validated_at__isnull=False, dossier__session__status=SessionStatus.CLOSED)
    assert validated.count() >= 60 and FicheVersion.objects.count() == validated.count()
    assert not validated.filter(quorum_reached=False, off_quorum_reason="").exists()
    assert Dossier.objects.filter(status=DossierStatus.REGISTERED, session__status=SessionStatus.PLANNED).count() >= 40
    demo_doctor = User.objects.get(email="medecin@demo.dcc.test")
    assert visible_patients(demo_doctor).filter(rcp_dossiers__isnull=False).exists()
    # Registered demandes d'avis carry reports of the record; two concertations are filed as CDA N1 documents.
    from dcc.records.models import Document
    from rcp.concertation_documents import CONCERTATION_SOURCE
    from rcp.models import Concertation, DossierAttachment

    attachments = DossierAttachment.objects.select_related("dossier", "document")
    assert attachments.count() == 4
    assert all(a.document.patient_id == a.dossier.patient_id for a in attachments)
    assert {a.dossier.status for a in attachments} == {DossierStatus.REGISTERED}
    assert Concertation.objects.count() == 2
    assert Document.objects.filter(source_type=CONCERTATION_SOURCE, type_code="11488-4").count() == 2
    dossiers = Dossier.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert (Rcp.objects.count(), Session.objects.count()) == (count, sessions)
    assert Dossier.objects.count() == dossiers
    assert (DossierAttachment.objects.count(), Concertation.objects.count()) == (4, 2)
