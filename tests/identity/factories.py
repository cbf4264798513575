import datetime

import factory

from identity.enums import Sex
from identity.models import Patient


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    birth_name = factory.Sequence(lambda n: f"TESTPATIENT{n}")
    first_given_name = "CLAUDE"
    given_names = "CLAUDE MARIE"
    sex = Sex.FEMALE
    birth_date = datetime.date(1954, 3, 12)
    birth_place_code = "86194"

    class Params:
        male = factory.Trait(sex=Sex.MALE, first_given_name="JEAN", given_names="JEAN PAUL")
