import datetime

import factory

from identity.enums import INS_OID_TEST, ProofDocument, RnivStatus, Sex
from identity.models import LocalIdentifier, Patient
from identity.nir import compute_key


def make_nir(*, sex: str, birth_date: datetime.date, place: str = "86194", order: int = 1) -> str:
    body = f"{'1' if sex == Sex.MALE else '2'}{birth_date:%y%m}{place}{order:03d}"
    return body + compute_key(body)


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
        with_ins = factory.Trait(
            ins_matricule=factory.LazyAttributeSequence(
                lambda o, n: make_nir(sex=o.sex, birth_date=o.birth_date, place=o.birth_place_code, order=n % 999 + 1)
            ),
            ins_oid=INS_OID_TEST,
        )
        validated = factory.Trait(rniv_status=RnivStatus.VALIDEE, proof_document=ProofDocument.CNI)
        retrieved = factory.Trait(with_ins=True, rniv_status=RnivStatus.RECUPEREE)
        qualified = factory.Trait(with_ins=True, rniv_status=RnivStatus.QUALIFIEE, proof_document=ProofDocument.CNI)


class LocalIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalIdentifier

    patient = factory.SubFactory(PatientFactory)
    establishment = factory.SubFactory("tests.directory.factories.EstablishmentFactory")
    value = factory.Sequence(lambda n: f"IPP{n:06d}")
