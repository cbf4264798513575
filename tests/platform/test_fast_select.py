"""``FastSelect`` draws the same characters as Django's ``Select`` without rendering a template per option."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from dcc.widgets import FastSelect

CHOICES = [
    ("", "—"),
    ("C50.9", "Sein, SAI (C50.9)"),
    ("a<b", "Guillemets \" et apostrophe ' & <balise>"),
    (3, 3),
    ("lazy", gettext_lazy("Libellé traduit")),
    ("safe", mark_safe("<em>déjà sûr</em>")),
    (None, "Valeur nulle"),
    ("C50.9", "Même code une seconde fois"),
]
VALUES = [None, "", "C50.9", "a<b", 3, "3", "absent", ["C50.9", "lazy"]]
ATTRS = [None, {"id": "id_code", "class": "form-select", "required": True, "aria-describedby": "id_code_helptext"}]


class NoTemplates(DjangoTemplates):
    def render(self, template_name, context, request=None):
        raise AssertionError(f"template rendered: {template_name}")


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("attrs", ATTRS)
def test_the_same_characters_as_djangos_select(value, attrs):
    widget_attrs = {"data-x": 'a"b', "disabled": False}
    expected = forms.Select(attrs=widget_attrs, choices=CHOICES).render("code", value, attrs, DjangoTemplates())
    drawn = FastSelect(attrs=widget_attrs, choices=CHOICES).render("code", value, attrs, NoTemplates())
    assert drawn == expected


def test_only_the_first_matching_option_is_selected_and_grouped_choices_are_left_to_django():
    drawn = FastSelect(choices=CHOICES).render("code", "C50.9")
    assert drawn.count(" selected") == 1 and '<option value="C50.9" selected>Sein, SAI (C50.9)</option>' in drawn

    grouped = [("", "—"), ("Sein", [("C50.1", "Quadrant"), ("C50.9", "SAI")])]
    expected = forms.Select(choices=grouped).render("code", "C50.9", None, DjangoTemplates())
    assert FastSelect(choices=grouped).render("code", "C50.9", None, DjangoTemplates()) == expected
    assert '<optgroup label="Sein">' in expected
