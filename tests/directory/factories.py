import factory

from dcc.directory.enums import Civility, EstablishmentType, PracticeRole, Profession
from dcc.directory.models import Establishment, PlaceOfPractice, Professional, ThreeC
from dcc.directory.validators import luhn_key


def _rpps(n: int) -> str:
    body = f"10997{n:05d}"
    return body + luhn_key(body)


def _finess(n: int) -> str:
    body = f"86{n:06d}"
    return body + luhn_key(body)


class ThreeCFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThreeC
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"3C Test {n}")
    code = factory.Sequence(lambda n: f"test-{n}")


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    finess_geo = factory.Sequence(_finess)
    name = factory.Sequence(lambda n: f"CH TEST {n}")
    kind = EstablishmentType.CH
    town = "Poitiers"
    three_c = factory.SubFactory(ThreeCFactory)

    class Params:
        chu = factory.Trait(kind=EstablishmentType.CHU, name=factory.Sequence(lambda n: f"CHU TEST {n}"))
        practice = factory.Trait(kind=EstablishmentType.CABINET, three_c=None)


class ProfessionalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Professional

    rpps = factory.Sequence(_rpps)
    civility = Civility.DOCTEUR
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Testanaudet{n}")
    profession = Profession.MEDECIN
    specialty_id = "G15_10/SM36"
    mss_address = factory.LazyAttribute(lambda o: f"{o.last_name.lower()}@pro.mssante.demo.test")

    class Params:
        general_practitioner = factory.Trait(specialty_id="G15_10/SM54", is_liberal=True)
        nurse = factory.Trait(profession=Profession.INFIRMIER, specialty_id="G15_60", civility=Civility.MADAME)
        surgeon = factory.Trait(specialty_id="G15_10/SM14")


class PlaceOfPracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaceOfPractice

    professional = factory.SubFactory(ProfessionalFactory)
    establishment = factory.SubFactory(EstablishmentFactory)
    role = PracticeRole.PRATICIEN
    is_primary = True
