"""EDP types: PPS CDA categories and codes from the official value sets, colours with AA contrast."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from pps.edp_types import CATEGORIES, EDP_TYPES, EdpKind, contrast_ratio, missing_fields

# The official value sets ship with the CDA validator (interop/cda/specs, a copy of the ANS material).
VALUE_SETS = Path(settings.BASE_DIR) / "interop" / "cda" / "specs" / "jeuxDeValeurs"


def concepts(value_set_name: str) -> set[tuple[str, str]]:
    text = (VALUE_SETS / f"{value_set_name}.xml").read_text(encoding="utf-8")
    return set(re.findall(r'<Concept code="([^"]+)"\s+codeSystem="([^"]+)"', text))


def test_every_kind_has_a_type():
    assert set(EDP_TYPES) == set(EdpKind.values)


@pytest.mark.parametrize("kind", list(EDP_TYPES))
def test_each_type_code_is_in_its_category_value_set(kind):
    spec = EDP_TYPES[kind]

    assert (spec.code, spec.code_system) in concepts(spec.category.value_set_name)


@pytest.mark.parametrize("category", CATEGORIES, ids=lambda c: c.code)
def test_categories_match_the_value_set_oids(category):
    text = (VALUE_SETS / f"{category.value_set_name}.xml").read_text(encoding="utf-8")
    assert f'id="{category.value_set_oid}"' in text


@pytest.mark.parametrize("kind", list(EDP_TYPES))
def test_each_colour_reaches_aa_contrast(kind):
    spec = EDP_TYPES[kind]
    assert contrast_ratio(spec.foreground, spec.background) >= 4.5


def test_the_stylesheet_uses_the_registry_colours():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "pps.css").read_text()
    for spec in EDP_TYPES.values():
        assert f".{spec.css_class} {{ background-color: {spec.background}; color: {spec.foreground}; }}" in css


def test_contrast_ratio_is_the_wcag_formula():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_missing_fields_for_a_period_in_the_wrong_order():
    import datetime

    errors = missing_fields(
        "consultation", {"planned_date": datetime.date(2025, 3, 3), "end_date": datetime.date(2025, 3, 1)}
    )
    assert errors == {"end_date": "La fin de la période ne peut pas précéder son début."}
