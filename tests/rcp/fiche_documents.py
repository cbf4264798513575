"""Shared setup of the fiche-document tests: a session with a quorum (or not) and a validated fiche."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from rcp.enums import AttendanceMode
from rcp.services.agenda import attendance_record, session_open
from rcp.services.fiches import fiche_save, fiche_validate
from tests.directory.factories import PlaceOfPracticeFactory, ProfessionalFactory
from tests.rcp.factories import FILLED_FICHE, RcpFactory, RcpMemberFactory, SessionFactory, register_dossier
from tests.records.documents_helpers import record_patient


def fiche_world(personas, *, quorum: bool = True, patient=None, **patient_traits):
    """An RCP at the personas' hospital (the doctor a member, a coordinator with RPPS), an open session attended
    by the doctor and two other specialties (or only the doctor without quorum), a dossier with a filled fiche."""
    call_command("load_value_sets", stdout=StringIO())
    doctor = personas["doctor"]
    rcp = RcpFactory(title="Tumeurs digestives", establishment=personas.hospital, three_c=personas.three_c)
    RcpMemberFactory(rcp=rcp, professional=doctor.professional)
    coordinator = PlaceOfPracticeFactory(
        establishment=personas.hospital,
        professional=ProfessionalFactory(last_name="Coordo", surgeon=True, phone="05 49 44 44 44"),
    ).professional
    RcpMemberFactory(rcp=rcp, professional=coordinator, role="coordinateur")
    session = SessionFactory(rcp=rcp)
    patient = patient or record_patient(personas, **patient_traits)
    dossier = register_dossier(session, doctor, patient=patient)
    fiche_save(fiche=dossier.fiche, data={**FILLED_FICHE, "appareil_code": "76752008"}, expected_revision=1, by=doctor)
    session_open(session=session)
    entries = {doctor.professional_id: AttendanceMode.ROOM}
    if quorum:
        entries[coordinator.pk] = AttendanceMode.ROOM
        entries[ProfessionalFactory(specialty_id="G15_10/SM45").pk] = AttendanceMode.VIDEO
    attendance_record(session=session, entries=entries)
    return {"rcp": rcp, "session": session, "dossier": dossier, "patient": patient, "coordinator": coordinator}


def validate(world, personas, **kwargs):
    fiche = world["dossier"].fiche
    fiche.refresh_from_db()
    return fiche_validate(fiche=fiche, by=personas["doctor"], **kwargs)
