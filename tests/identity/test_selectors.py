"""Search relevance and its index, duplicate scoring, the data-quality pairs, the creators' counts."""

import datetime

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dcc.accounts.enums import Profile
from identity import nir, selectors, services
from identity.enums import IdentityOrigin, RnivStatus
from identity.merge import patient_merge
from identity.models import Patient
from tests.identity.factories import LocalIdentifierFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "helene": PatientFactory(birth_name="LEFÈVRE", first_given_name="HÉLÈNE", given_names="HÉLÈNE ANNE"),
        "married": PatientFactory(
            birth_name="MARTIN", used_name="LEFEVRE-DURAND", first_given_name="ODILE", given_names="ODILE"
        ),
        "other": PatientFactory(birth_name="LEFRANC", first_given_name="PAUL", given_names="PAUL"),
        "far": PatientFactory(
            birth_name="ZOLA", first_given_name="EMILE", given_names="EMILE", birth_date=datetime.date(1990, 1, 2)
        ),
    }


def test_name_fragments_ignore_accents_and_case_on_birth_and_used_names(people):
    assert set(selectors.search_patients(name="lefevre")) == {people["helene"], people["married"]}
    assert list(selectors.search_patients(name="LEFÈVRE hélène")) == [people["helene"]]
    assert list(selectors.search_patients(name="fev dur")) == [people["married"]]
    assert list(selectors.search_patients(name="lef", birth_date=datetime.date(1990, 1, 2))) == []
    assert list(selectors.search_patients(name="zol", birth_date=datetime.date(1990, 1, 2))) == [people["far"]]
    assert list(selectors.search_patients()) == []


def test_exact_birth_name_ranks_before_a_used_name_and_a_near_name(people):
    results = list(selectors.search_patients(name="lefevre"))
    assert results[0] == people["helene"]


def test_search_by_ins_and_ipp(people):
    qualified = PatientFactory(qualified=True)
    LocalIdentifierFactory(patient=people["other"], value="A-778")
    spaced = " ".join([qualified.ins_matricule[:1], qualified.ins_matricule[1:5], qualified.ins_matricule[5:]])
    assert list(selectors.search_patients(ins=spaced)) == [qualified]
    assert list(selectors.search_patients(ipp="A-778")) == [people["other"]]


def test_merged_identities_are_not_found(people):
    patient_merge(kept=people["helene"], absorbed=people["married"], user=None, reason="test")
    assert list(selectors.search_patients(name="lefevre")) == [people["helene"]]


@pytest.fixture
def crowd(people):
    """5,000 more patients and fresh statistics, so that the planner chooses as it would at scale."""
    import random

    rng = random.Random(4)
    letters = "ABCDEFGHIJKLMNOPRSTUVZ"
    Patient.objects.bulk_create(
        [
            Patient(
                birth_name="".join(rng.choice(letters) for _ in range(8)),
                first_given_name="X",
                given_names="X",
                sex="M",
                birth_date=datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(25000)),
            )
            for _ in range(5000)
        ]
    )
    with connection.cursor() as cursor:
        # VACUUM cannot run in the test's transaction: flush the GIN pending lists by hand.
        for index in ("patient_search_text_trgm", "patient_name_norm_trgm"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE identity_patient")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_name_search_uses_the_prefix_and_trigram_indexes(crowd):
    base = Patient.objects.current().filter(search_text__contains="LEFEVRE")
    plan = _plan(selectors.contains_matches(base, exclude=[1]))
    assert "patient_search_text_trgm" in plan, plan
    plan = _plan(selectors.prefix_matches(base, "LEFEVRE"))
    assert "patient_name_norm_prefix" in plan, plan


def test_birth_date_and_ins_searches_use_their_indexes(crowd):
    assert "patient_birth_date" in _plan(selectors.search_patients(birth_date=datetime.date(1954, 3, 12)))
    assert "patient_ins_matricule" in _plan(selectors.search_patients(ins="254038619440111"))


def test_duplicate_candidates_use_the_name_index(crowd):
    queryset = Patient.objects.current().filter(name_norm__trigram_similar="LEFEVRE")
    assert "patient_name_norm_trgm" in _plan(queryset)


def test_duplicate_scoring(people):
    traits = {"birth_name": "Lefevre", "first_given_name": "Helene", "sex": "F",
              "birth_date": people["helene"].birth_date, "birth_place_code": "86194"}  # fmt: skip
    candidates = selectors.duplicate_candidates(traits)
    assert candidates[0].patient == people["helene"] and candidates[0].score >= selectors.LIKELY_DUPLICATE
    assert "même date de naissance" in candidates[0].reasons
    swapped = dict(traits, birth_date=datetime.date(1954, 12, 3), birth_name="LEFEBVRE")
    near = selectors.duplicate_candidates(swapped)
    assert near[0].patient == people["helene"] and "inversion" in " ".join(near[0].reasons)
    assert selectors.duplicate_candidates({"birth_name": "XYZABC", "birth_date": datetime.date(2001, 1, 1)}) == []
    assert selectors.duplicate_candidates(traits, exclude_pk=people["helene"].pk)[0].patient != people["helene"]


def test_same_ins_scores_100():
    patient = PatientFactory(retrieved=True)
    candidates = selectors.duplicate_candidates({"birth_name": "AUTRE", "ins_matricule": patient.ins_matricule})
    assert candidates[0].patient == patient and candidates[0].score == 100


def test_suspected_duplicates_pairs_same_day_close_names(people):
    twin = PatientFactory(birth_name="LEFEVRES", first_given_name="HELENE", given_names="HELENE")
    pairs = selectors.suspected_duplicates(Patient.objects.all())
    assert [(pair.first, pair.second) for pair in pairs] == [(people["helene"], twin)]
    assert selectors.suspected_duplicates(Patient.objects.filter(pk=twin.pk)) == []


def test_identity_creators_by_profile_and_origin(personas):
    traits = {"birth_name": "A", "first_given_name": "B", "sex": "F", "birth_date": datetime.date(1960, 1, 1)}
    services.patient_create(user=personas["doctor"], data=traits)
    services.patient_create(user=personas["doctor"], data=traits)
    services.patient_create(user=personas["medical_secretary"], data=traits)
    services.patient_create(user=None, data=traits, origin=IdentityOrigin.INTEROP)
    rows = {(row["profile"], row["origin"]): row["count"] for row in selectors.identity_creators()}
    assert rows == {
        (Profile.MEDECIN, IdentityOrigin.UI): 2,
        (Profile.SECRETAIRE_MEDICALE, IdentityOrigin.UI): 1,
        ("", IdentityOrigin.INTEROP): 1,
    }
    assert selectors.status_counts()[RnivStatus.PROVISOIRE] == 4


_letters = st.sampled_from(list("ABCDEFGHIJKLMNOPRSTUVZÉÈÊÇÔÏ"))
_names = st.lists(_letters, min_size=3, max_size=12).map("".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_names, used=st.one_of(st.just(""), _names), lower=st.booleans())
def test_any_patient_is_found_by_its_names_whatever_the_accents_and_case(db, name, used, lower):
    patient = services.patient_create(
        user=None,
        data={"birth_name": name, "used_name": used, "first_given_name": "ANNE", "sex": "F",
              "birth_date": datetime.date(1970, 1, 1)},
    )  # fmt: skip
    plain = nir.normalize_trait(name)
    typed = plain.lower() if lower else name
    assert patient in selectors.search_patients(name=typed)
    assert patient in selectors.search_patients(name=plain[1:])
    if used:
        assert patient in selectors.search_patients(name=nir.normalize_trait(used).lower())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_names, first=_names, lower=st.booleans())
def test_the_same_person_typed_differently_is_a_likely_duplicate(db, name, first, lower):
    traits = {"birth_name": name, "first_given_name": first, "sex": "M", "birth_date": datetime.date(1961, 2, 3)}
    patient = services.patient_create(user=None, data=traits)
    typed = {**traits, "birth_name": nir.normalize_trait(name).lower() if lower else name}
    candidates = selectors.duplicate_candidates(typed)
    assert candidates and candidates[0].score >= selectors.LIKELY_DUPLICATE
    assert patient in [candidate.patient for candidate in candidates]
