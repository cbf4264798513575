import datetime

import factory
from django.utils import timezone

from rcp.enums import AttendanceMode, DossierMotive, DossierStatus, Nature, RecurrenceKind, SessionStatus
from rcp.models import Attendance, Dossier, Fiche, Rcp, RcpMember, Recurrence, Session
from tests.accounts.factories import UserFactory
from tests.directory.factories import EstablishmentFactory, ProfessionalFactory
from tests.identity.factories import PatientFactory


class RcpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rcp
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"RCP test {n}")
    establishment = factory.SubFactory(EstablishmentFactory)
    three_c = factory.LazyAttribute(lambda o: o.establishment.three_c)
    nature = Nature.ORGANE

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(extracted)

    class Params:
        haematology = factory.Trait(is_haematology=True, quorum_requires_surgeon=False, title="Hématologie")


class RcpMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RcpMember

    rcp = factory.SubFactory(RcpFactory)
    professional = factory.SubFactory(ProfessionalFactory)
    specialty_id = factory.LazyAttribute(lambda o: o.professional.specialty_id)


class RecurrenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recurrence

    rcp = factory.SubFactory(RcpFactory)
    kind = RecurrenceKind.WEEKLY
    weekday = 1
    start_time = datetime.time(13, 0)
    start_date = factory.LazyFunction(timezone.localdate)

    class Params:
        monthly = factory.Trait(kind=RecurrenceKind.MONTHLY, week_of_month=2)


def _start(days: int) -> datetime.datetime:
    return timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=days)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    rcp = factory.SubFactory(RcpFactory)
    starts_at = factory.LazyFunction(lambda: _start(7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=90))

    class Params:
        past = factory.Trait(starts_at=factory.LazyFunction(lambda: _start(-7)), status=SessionStatus.CLOSED)
        cancelled = factory.Trait(status=SessionStatus.CANCELLED, cancel_reason="Jour férié")


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    professional = factory.SubFactory(ProfessionalFactory)
    specialty_id = factory.LazyAttribute(lambda o: o.professional.specialty_id)
    mode = AttendanceMode.ROOM


class DossierFactory(factory.django.DjangoModelFactory):
    """A registered dossier with its (empty) fiche; use the services for lifecycle changes."""

    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory)
    patient = factory.SubFactory(PatientFactory)
    requesting_doctor = factory.SubFactory(ProfessionalFactory)
    motive = DossierMotive.FIRST
    question = "Quelle stratégie thérapeutique ?"
    status = DossierStatus.REGISTERED
    position = factory.Sequence(lambda n: n + 1)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def fiche(obj, create, extracted, **kwargs):
        if create:
            Fiche.objects.create(dossier=obj, question=obj.question, **kwargs)


FILLED_FICHE = {
    "diagnosis_date": datetime.date(2026, 9, 1),
    "topography_code": "C18.7",
    "morphology_code": "8140/3",
    "ecog_code": "LA9622-7",
    "tnm_kind": "c",
    "tnm_t": "T3",
    "tnm_n": "N1",
    "tnm_m": "M0",
    "tnm_stage": "III",
    "case_summary": "Adénocarcinome du sigmoïde découvert sur rectorragies.",
    "question": "Chirurgie première ?",
    "treatments": [{"rank": 1, "code": "387713003", "detail": "Sigmoïdectomie"}],
    "guideline_conform": True,
    "guideline": "TNCD côlon 2025",
    "dossier_complete": True,
}


def register_dossier(session, by, *, patient=None, requesting_doctor=None, motive=DossierMotive.FIRST, **extra):
    """A dossier registered to ``session`` by ``by`` through the service (a new patient unless given; the question
    « Chirurgie première ? » unless given), as the registration form does."""
    from rcp.services.dossiers import dossier_register

    return dossier_register(
        session=session,
        patient=patient or PatientFactory(),
        requesting_doctor=requesting_doctor or by.professional,
        motive=motive,
        question=extra.pop("question", "Chirurgie première ?"),
        by=by,
        **extra,
    )
