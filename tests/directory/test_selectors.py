import pytest

from dcc.directory import selectors
from tests.directory.factories import EstablishmentFactory, PlaceOfPracticeFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def test_professional_search_ignores_accents_and_case():
    wanted = ProfessionalFactory(last_name="Bérangère-Tilhac", first_name="Élodie")
    ProfessionalFactory(last_name="Autre")

    assert list(selectors.search_professionals(query="berangere")) == [wanted]
    assert list(selectors.search_professionals(query="ELODIE tilhac")) == [wanted]


def test_professional_search_by_rpps_prefix():
    wanted = ProfessionalFactory()
    ProfessionalFactory()

    assert list(selectors.search_professionals(query=wanted.rpps)) == [wanted]


def test_professional_search_by_establishment_and_specialty():
    place = PlaceOfPracticeFactory(professional=ProfessionalFactory(surgeon=True))
    PlaceOfPracticeFactory(establishment=place.establishment)  # an oncologist in the same place
    PlaceOfPracticeFactory(professional=ProfessionalFactory(surgeon=True))  # a surgeon elsewhere

    found = selectors.search_professionals(specialty="G15_10/SM14", establishment_id=place.establishment_id)

    assert list(found) == [place.professional]


def test_inactive_professionals_are_not_found():
    ProfessionalFactory(last_name="Parti", is_active=False)

    assert not selectors.search_professionals(query="parti").exists()


def test_establishment_search_by_name_town_and_finess():
    chu = EstablishmentFactory(name="CHU LA MILETRIE - POITIERS", town="Poitiers")
    EstablishmentFactory(name="CH DAX", town="Dax")

    assert list(selectors.search_establishments(query="milétrie")) == [chu]
    assert list(selectors.search_establishments(query=chu.finess_geo)) == [chu]


def test_three_c_summaries_count_establishments_and_professionals(django_assert_num_queries):
    place = PlaceOfPracticeFactory()
    PlaceOfPracticeFactory(establishment=place.establishment)
    EstablishmentFactory(three_c=place.establishment.three_c)

    with django_assert_num_queries(1):
        summaries = {s.three_c: s for s in selectors.three_c_summaries()}

    summary = summaries[place.establishment.three_c]
    assert (summary.establishment_count, summary.professional_count) == (2, 2)
