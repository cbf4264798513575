import datetime

import factory

from pps.enums import GroupScope, ProtocolKind, RuleKind
from pps.models import EdpGroup, EdpGroupElement, Pps, PpsElement, Protocol
from tests.accounts.factories import UserFactory
from tests.identity.factories import PatientFactory


class ProtocolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Protocol

    name = factory.Sequence(lambda n: f"PROTOCOLE TEST {n}")
    kind = ProtocolKind.CHIMIOTHERAPIE
    drugs = "CAELYX"
    cycle_length_days = 28
    cycles = 6
    administration_days = "1"

    class Params:
        weekly_three = factory.Trait(cycle_length_days=28, cycles=2, administration_days="1, 8, 15")


class EdpGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EdpGroup

    name = factory.Sequence(lambda n: f"Groupement {n}")
    scope = GroupScope.REGIONAL
    owner = None

    class Params:
        personal = factory.Trait(scope=GroupScope.PERSONAL, owner=factory.SubFactory(UserFactory))


class EdpGroupElementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EdpGroupElement

    group = factory.SubFactory(EdpGroupFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = "consultation"
    rule_kind = RuleKind.GROUP_START
    delay = 0


def seed_group(**kwargs) -> EdpGroup:
    """The seed's "Chir sein + Hormono"."""
    group = EdpGroupFactory(name="Chir sein + Hormono", patient_comment="Hormonothérapie pendant 5 ans.", **kwargs)
    for position, (kind, rule, delay, rhythm) in enumerate(
        [
            ("consultation", RuleKind.GROUP_START, 0, ""),
            ("chirurgie", RuleKind.WORKING_AFTER_PREVIOUS, 2, ""),
            ("consultation", RuleKind.CALENDAR_AFTER_PREVIOUS, 14, ""),
            ("hormonotherapie", RuleKind.WORKING_AFTER_START, 23, "1 par jour"),
        ],
        start=1,
    ):
        EdpGroupElementFactory(group=group, position=position, kind=kind, rule_kind=rule, delay=delay, rhythm=rhythm)
    return group


class PpsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pps

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(UserFactory)


class PpsElementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PpsElement

    pps = factory.SubFactory(PpsFactory)
    kind = "consultation"
    planned_date = datetime.date(2025, 4, 22)


def breast_follow_up_template(**kwargs):
    """A PPAC follow-up template: clinical exam every 6 months for 2 years then yearly to 5 years,
    yearly mammography."""
    from pps.models import PpacTemplate, Responsible
    from pps.ppac_schedule import Phase
    from pps.ppac_services import ppac_template_line_add

    template = PpacTemplate.objects.create(
        name=kwargs.pop("name", "Sein — surveillance après traitement"), cancer_type="Sein", **kwargs
    )
    ppac_template_line_add(
        template=template, kind="consultation", label="Examen clinique",
        phases=[Phase(6, 24), Phase(12, 60)], responsible=Responsible.SHARED,
    )  # fmt: skip
    ppac_template_line_add(
        template=template, kind="imagerie", label="Mammographie bilatérale", phases=[Phase(12, 60)],
        responsible=Responsible.GP,
    )  # fmt: skip
    return template
