"""The demo patients: valid test NIRs, every status, Corsica and foreign births, duplicates, idempotent."""

import pytest

from dcc.accounts import demo as accounts_demo
from dcc.accounts.models import User
from dcc.directory import demo as directory_demo
from identity import demo, nir
from identity.enums import INS_OID_TEST, RnivStatus
from identity.models import Patient
from identity.selectors import suspected_duplicates, visible_patients

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    lines = []
    context = {"log": lines.append}
    for module in (directory_demo, accounts_demo, demo):
        module.seed(context)
    return lines


def test_demo_patients(seeded):
    patients = Patient.objects.all()
    assert patients.count() >= demo.TOTAL
    assert set(patients.values_list("rniv_status", flat=True)) == set(RnivStatus.values)
    with_ins = patients.exclude(ins_matricule="")
    assert with_ins.exists() and set(with_ins.values_list("ins_oid", flat=True)) == {INS_OID_TEST}
    for patient in with_ins:
        parsed = nir.parse(patient.ins_matricule)
        assert nir.coherence_errors(parsed, sex=patient.sex, birth_date=patient.birth_date) == []
        assert patient.ins_matricule[5:10] == patient.birth_place_code
    assert with_ins.filter(birth_place_code__startswith="2A").exists()
    assert with_ins.filter(birth_place_code__startswith="2B").exists()
    assert with_ins.filter(birth_place_code__startswith="99").exists()
    assert len(suspected_duplicates(patients)) >= 4


def test_demo_personas_see_a_realistic_set(seeded):
    doctor = User.objects.get(email="medecin@demo.dcc.test")
    gp = User.objects.get(email="medecin.traitant@demo.dcc.test")
    registry = User.objects.get(email="registre@demo.dcc.test")
    assert 500 < visible_patients(doctor).count() < Patient.objects.count()
    assert 50 < visible_patients(gp).count() < 400
    assert visible_patients(registry).count() == 0


def test_demo_is_idempotent(seeded):
    count = Patient.objects.count()
    lines = []
    demo.seed({"log": lines.append})
    assert Patient.objects.count() == count and "déjà présents" in lines[0]
