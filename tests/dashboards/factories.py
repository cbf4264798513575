"""A small, hand-countable region for the dashboards' figures (two years: 2024 and 2025).

The expected figures of every table are written out in ``tests/dashboards/test_figures.py`` from this layout:

RCP A (personas.three_c, hospital, « digestif »)      RCP B (other_three_c, other_hospital, « sein »)
  2025-03-10 closed: p1 validated, p2 presented,        2025-04-01 closed: p4 validated
                     p3 postponed                       2024-04-02 closed: p4 validated
  2025-06-10 closed: p1 validated (hors quorum)         2024-05-02 closed: p4 à représenter
  2025-09-10 cancelled
  2024-03-11 closed: p2 validated
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from dcc.records.enums import DocumentOrigin, TrailAction
from dcc.records.models import AccessTrail, Document
from identity.enums import IdentityOrigin, Sex
from rcp.enums import AttendanceMode, DossierStatus, SessionStatus
from rcp.models import Attendance, Concertation, Fiche, FicheVersion
from tests.directory.factories import ProfessionalFactory
from tests.identity.factories import PatientFactory
from tests.pps.factories import PpsElementFactory, PpsFactory
from tests.rcp.factories import DossierFactory, RcpFactory, SessionFactory


def at(day: str, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour)))


@dataclass
class World:
    personas: object
    rcp_a: object
    rcp_b: object
    sessions: dict
    patients: dict
    liberal: object
    hospital_doctor: object


def session(rcp, day: str, status=SessionStatus.CLOSED):
    start = at(day, 13)
    extra = {"cancel_reason": "Jour férié"} if status == SessionStatus.CANCELLED else {}
    return SessionFactory(rcp=rcp, starts_at=start, ends_at=start + datetime.timedelta(hours=2), status=status, **extra)


def dossier(session_, patient, status, *, signer=None, signed=None, **fiche):
    item = DossierFactory(session=session_, patient=patient, status=status)
    if signed:
        Fiche.objects.filter(dossier=item).update(validated_at=at(signed), validated_by=signer, **fiche)
        item.fiche.refresh_from_db()
        FicheVersion.objects.create(fiche=item.fiche, version=1, content={}, signed_by=signer, signed_at=at(signed))
    return item


def build_world(personas) -> World:
    signer = personas["doctor"]
    rcp_a = RcpFactory(
        three_c=personas.three_c, establishment=personas.hospital, organ="digestif", title="RCP digestive"
    )
    rcp_b = RcpFactory(
        three_c=personas.other_three_c, establishment=personas.other_hospital, organ="sein", title="RCP sein"
    )
    p1 = PatientFactory(male=True, birth_date=datetime.date(1950, 1, 1), with_ins=True, postcode="86000")
    p2 = PatientFactory(sex=Sex.FEMALE, birth_date=datetime.date(1980, 6, 15))
    p3 = PatientFactory(sex=Sex.FEMALE, birth_date=datetime.date(2010, 1, 1))
    p4 = PatientFactory(male=True, birth_date=datetime.date(1940, 2, 2))
    s = {
        "a1": session(rcp_a, "2025-03-10"),
        "a2": session(rcp_a, "2025-06-10"),
        "a3": session(rcp_a, "2025-09-10", SessionStatus.CANCELLED),
        "a0": session(rcp_a, "2024-03-11"),
        "b1": session(rcp_b, "2025-04-01"),
        "b0": session(rcp_b, "2024-04-02"),
        "b00": session(rcp_b, "2024-05-02"),
    }
    d1 = dossier(
        s["a1"],
        p1,
        DossierStatus.VALIDATED,
        signer=signer,
        signed="2025-03-10",
        quorum_reached=True,
        guideline_conform=True,
        clinical_trial_proposed=True,
        topography_code="C18.7",
        tnm_t="T3",
        treatments=[{"rank": 1, "code": "387713003"}],
        diagnosis_date=datetime.date(2025, 1, 1),
    )
    FicheVersion.objects.create(fiche=d1.fiche, version=2, content={}, signed_by=signer, signed_at=at("2025-03-20"))
    dossier(s["a1"], p2, DossierStatus.PRESENTED)
    dossier(s["a1"], p3, DossierStatus.POSTPONED)
    dossier(
        s["a2"],
        p1,
        DossierStatus.VALIDATED,
        signer=signer,
        signed="2025-06-10",
        quorum_reached=False,
        off_quorum_reason="Chirurgien absent",
        guideline_conform=False,
        guideline_justification="Patient fragile",
    )
    dossier(s["b1"], p4, DossierStatus.VALIDATED, signer=signer, signed="2025-04-01", quorum_reached=True)
    dossier(s["a0"], p2, DossierStatus.VALIDATED, signer=signer, signed="2024-03-11", quorum_reached=True)
    dossier(s["b0"], p4, DossierStatus.VALIDATED, signer=signer, signed="2024-04-02", quorum_reached=True)
    dossier(s["b00"], p4, DossierStatus.TO_REPRESENT)

    concertation = Concertation.objects.create(
        patient=p2, rcp=rcp_a, requesting_doctor=signer.professional, question="?", opinion="Avis", author=signer
    )
    Concertation.objects.filter(pk=concertation.pk).update(signed_at=at("2025-02-01"))

    pps = PpsFactory(
        patient=p1,
        three_c=personas.three_c,
        establishment=personas.hospital,
        validated_at=at("2025-05-01"),
        author=signer,
    )
    PpsElementFactory(pps=pps, kind="essai_clinique")
    PpsFactory(patient=p1, programme="ppac", three_c=personas.three_c, validated_at=at("2025-07-01"), author=signer)
    PpsFactory(patient=p2, three_c=personas.three_c, validated_at=at("2024-05-01"), author=signer)

    for number, (patient, origin, code, establishment, day) in enumerate(
        [
            (p1, DocumentOrigin.UPLOADED, "11526-1", personas.hospital, "2025-02-02"),
            (p2, DocumentOrigin.INTEROP, "34794-8", personas.other_hospital, "2025-03-03"),
            (p4, DocumentOrigin.MIGRATION, "18776-5", personas.hospital, "2024-06-06"),
            (p4, DocumentOrigin.PRODUCED, "34794-8", personas.hospital, "2025-04-01"),
        ]
    ):
        Document.objects.create(
            patient=patient,
            type_code=code,
            type_label="Document",
            title="Document",
            act_date=at(day),
            origin=origin,
            document_id=f"urn:test:{number}",
            set_id=f"urn:set:{number}",
            establishment=establishment,
            created_at=at(day),
            pdf_file=f"tests/{number}.pdf",
        )

    from identity.models import Patient

    Patient.objects.filter(pk=p1.pk).update(created_at=at("2025-01-05"), created_by=personas["secretary_3c"])
    Patient.objects.filter(pk=p2.pk).update(created_at=at("2025-02-05"), origin=IdentityOrigin.INTEROP)
    Patient.objects.filter(pk=p3.pk).update(created_at=at("2025-03-01"), created_by=personas["doctor"])
    Patient.objects.filter(pk=p4.pk).update(created_at=at("2024-06-01"), created_by=personas["gp"])
    from dcc.records.models import CareRelationship

    CareRelationship.objects.create(patient=p1, kind="three_c", three_c=personas.three_c)
    CareRelationship.objects.create(patient=p4, kind="three_c", three_c=personas.other_three_c)

    for persona, method, day in [
        ("secretary_3c", "password", "2025-01-10"),
        ("secretary_3c", "otp", "2025-02-10"),
        ("doctor", "psc", "2025-03-01"),
        ("doctor_other_3c", "contextual", "2025-03-02"),
        ("registry", "password", "2024-05-05"),
    ]:
        AccessTrail.objects.create(
            user=personas[persona], user_label=persona, action=TrailAction.LOGIN, connection_method=method, at=at(day)
        )

    liberal = ProfessionalFactory(is_liberal=True, last_name="LIBERAL")
    hospital_doctor = ProfessionalFactory(is_liberal=False, last_name="HOSPITALIER")
    for key, mode in (
        ("a1", AttendanceMode.ROOM),
        ("a2", AttendanceMode.VIDEO),
        ("b1", AttendanceMode.ROOM),
        ("a0", AttendanceMode.ROOM),
    ):
        Attendance.objects.create(session=s[key], professional=liberal, mode=mode)
    Attendance.objects.create(session=s["a1"], professional=hospital_doctor, mode=AttendanceMode.ROOM)
    Attendance.objects.create(session=s["a2"], professional=hospital_doctor, mode=AttendanceMode.EXCUSED)
    return World(personas, rcp_a, rcp_b, s, {"p1": p1, "p2": p2, "p3": p3, "p4": p4}, liberal, hospital_doctor)


__all__ = ["Decimal", "World", "at", "build_world"]
