import datetime

import factory
from django.utils import timezone

from rcp.enums import AttendanceMode, Nature, RecurrenceKind, SessionStatus
from rcp.models import Attendance, Rcp, RcpMember, Recurrence, Session
from tests.directory.factories import EstablishmentFactory, ProfessionalFactory


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
