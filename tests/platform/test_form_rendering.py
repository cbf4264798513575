"""One field template for every form: Bootstrap widgets, labels, help and error text linked for screen readers."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from dcc.form_rendering import BootstrapFormMixin


class SampleForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label="Nom", help_text="Tel qu'à l'état civil.")
    kind = forms.ChoiceField(label="Type", choices=[("a", "A"), ("b", "B")])
    agreed = forms.BooleanField(label="D'accord")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "mono"}))


def _described_ids(html: str, field_id: str) -> list[str]:
    tag = re.search(rf'<[a-z]+ [^>]*id="{field_id}"[^>]*>', html).group(0)
    described = re.search(r'aria-describedby="([^"]*)"', tag)
    return described.group(1).split() if described else []


def test_a_field_in_error_is_marked_and_points_at_its_error_and_help_text():
    form = SampleForm(data={"kind": "a"})
    assert not form.is_valid()
    html = render_to_string("components/_field.html", {"field": form["name"], "width": "col-md-4"})

    assert '<div class="col-md-4">' in html
    assert '<label class="form-label" for="id_name">Nom</label>' in html
    assert 'class="form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html
    described = _described_ids(html, "id_name")
    assert described == ["id_name_helptext", "id_name_error"]
    for element_id in described:
        assert f'id="{element_id}"' in html
    assert "Ce champ est obligatoire." in html


def test_widgets_get_their_bootstrap_class_unless_the_form_sets_one():
    form = SampleForm()
    assert 'class="form-select"' in str(form["kind"])
    assert 'class="form-check-input"' in str(form["agreed"])
    assert 'class="mono"' in str(form["note"])
    assert "aria-invalid" not in str(form["name"])


def test_a_checkbox_has_its_label_after_it():
    html = render_to_string("components/_field.html", {"field": SampleForm()["agreed"]})
    assert re.search(r'<div class="form-check">\s*<input type="checkbox"[^>]*id="id_agreed"', html)
    assert '<label class="form-check-label" for="id_agreed">' in html


def test_as_field_group_uses_the_project_template():
    html = SampleForm()["name"].as_field_group()
    assert '<div class="mb-3">' in html
    assert '<label class="form-label" for="id_name">' in html


def test_fields_required_to_validate_get_a_star_for_sighted_users_and_words_for_screen_readers():
    form = SampleForm()
    context = {"field": form["name"], "width": "col-md-6", "required_to_validate": ["name"]}
    assert "(requis pour valider)" in render_to_string("components/_field.html", context)
    context["field"] = form["kind"]
    assert "(requis pour valider)" not in render_to_string("components/_field.html", context)


def test_form_errors_say_which_fields_or_give_the_form_error():
    only_fields = SampleForm(data={})
    only_fields.is_valid()
    html = render_to_string("components/_form_errors.html", {"form": only_fields})
    assert "corrigez les champs signalés" in html

    with_form_error = SampleForm(data={"name": "x", "kind": "a", "agreed": "on"})
    with_form_error.is_valid()
    with_form_error.add_error(None, "Conflit de version.")
    html = render_to_string("components/_form_errors.html", {"form": with_form_error})
    assert "<li>Conflit de version.</li>" in html
    assert "corrigez les champs signalés" not in html

    valid = SampleForm(data={"name": "x", "kind": "a", "agreed": "on"})
    valid.is_valid()
    assert render_to_string("components/_form_errors.html", {"form": valid}).strip() == ""


def _template_rendered(widget: forms.Widget, name: str, value) -> str:
    """The widget as Django's own template draws it (the renderer's engine, bypassing the string formatting)."""
    from django.forms.renderers import DjangoTemplates

    from dcc.form_rendering import DccFormRenderer

    context = widget.get_context(name, value, {"id": f"id_{name}"})
    return DjangoTemplates.render(DccFormRenderer(), widget.template_name, context)


def test_inputs_and_textareas_drawn_by_formatting_are_the_templates_characters(monkeypatch):
    from django.forms.renderers import DjangoTemplates
    from django.utils.safestring import mark_safe

    from dcc.form_rendering import INPUT_TEMPLATES, TEXTAREA_TEMPLATE, DccFormRenderer
    from dcc.widgets import HourMinuteInput, IsoDateInput

    attrs = {"class": "form-control", "required": True, "disabled": False, "maxlength": 40, "data-x": None}
    attrs |= {"aria-describedby": 'a"b', "placeholder": mark_safe("<b>sûr</b>")}
    widgets = [
        forms.TextInput(attrs=attrs),
        forms.NumberInput(),
        forms.EmailInput(),
        forms.URLInput(),
        forms.PasswordInput(render_value=True),
        forms.HiddenInput(),
        forms.DateInput(),
        forms.DateTimeInput(),
        forms.TimeInput(),
        forms.CheckboxInput(),
        forms.Textarea(attrs={"rows": 2}),
        IsoDateInput(),
        HourMinuteInput(),
    ]
    values = [None, "", 0, 12, True, False, 'Dupont & <Fils> "l\'aîné"', mark_safe("<i>déjà sûr</i>"), "a\nb"]
    values += [datetime.date(2026, 12, 4), datetime.datetime(2026, 12, 4, 14, 5), datetime.time(14, 5)]
    drawn = 0
    for widget in widgets:
        assert widget.template_name in INPUT_TEMPLATES | {TEXTAREA_TEMPLATE}
        for value in values:
            with monkeypatch.context() as patched:  # the formatting, not a template, draws it
                patched.setattr(DjangoTemplates, "get_template", lambda *args: pytest.fail("template rendered"))
                fast = widget.render("champ", value, {"id": "id_champ"}, renderer=DccFormRenderer())
            assert fast == _template_rendered(widget, "champ", value), (type(widget).__name__, value)
            drawn += 1
    assert drawn == len(widgets) * len(values)


def test_every_template_drawn_by_formatting_is_djangos_single_input():
    """If Django changes one of these templates, the formatting must change with it."""
    from pathlib import Path

    from dcc.form_rendering import INPUT_TEMPLATES, TEXTAREA_TEMPLATE

    root = Path(forms.__file__).parent / "templates"
    include = '{% include "django/forms/widgets/input.html" %}'
    for name in INPUT_TEMPLATES - {"django/forms/widgets/input.html"}:
        assert (root / name).read_text().strip() == include, name
    assert (root / "django/forms/widgets/input.html").read_text().strip() == (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
        " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>'
    )
    assert (root / TEXTAREA_TEMPLATE).read_text().strip() == (
        '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
        "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>"
    )


SELECT_CHOICES = [
    ("", "—"),
    ("C50.9", "Sein, SAI (C50.9)"),
    ("a<b", "Guillemets \" et apostrophe ' & <balise>"),
    ("lazy", gettext_lazy("Libellé traduit")),
    ("safe", mark_safe("<em>déjà sûr</em>")),
    (None, "Valeur nulle"),
    ("Sein", [("C50.1", "Quadrant"), ("C50.9", "SAI")]),
    (mark_safe("<b>Groupe</b>"), [("g", "Dans un groupe")]),
]


@pytest.mark.parametrize("value", [None, "", "C50.9", "a<b", "C50.1", ["C50.9", "lazy"], "absent"])
def test_selects_drawn_by_formatting_are_the_templates_characters(monkeypatch, value):
    from django.forms.renderers import DjangoTemplates

    from dcc.form_rendering import DccFormRenderer

    attrs = {"class": "form-select", "required": True, "disabled": False, "aria-describedby": 'a"b'}
    widgets = [
        forms.Select(attrs=attrs, choices=SELECT_CHOICES),
        forms.SelectMultiple(attrs=attrs, choices=SELECT_CHOICES),
    ]
    if not isinstance(value, list):
        widgets.append(forms.NullBooleanSelect())
    for widget in widgets:
        with monkeypatch.context() as patched:  # the formatting, not a template, draws it
            patched.setattr(DjangoTemplates, "get_template", lambda *args: pytest.fail("template rendered"))
            fast = widget.render("champ", value, {"id": "id_champ"}, renderer=DccFormRenderer())
        assert fast == _template_rendered(widget, "champ", value), (type(widget).__name__, value)


def test_a_select_whose_labels_are_not_text_is_left_to_djangos_template():
    """A number or a date as a label is localised by the template (``1 000``, ``4 décembre 2026``)."""
    from dcc.form_rendering import DccFormRenderer

    widget = forms.Select(choices=[(1, 1000), (2, datetime.date(2026, 12, 4))])
    drawn = widget.render("champ", 1, {"id": "id_champ"}, renderer=DccFormRenderer())
    assert drawn == _template_rendered(widget, "champ", 1)


@pytest.mark.django_db
def test_a_model_picker_reads_its_rows_in_one_ordinary_query(django_assert_num_queries, monkeypatch):
    """Not through a server-side cursor (DECLARE, FETCH, CLOSE) as Django's ``ModelChoiceIterator`` does."""
    from django.db import connection

    from dcc.directory.models import Establishment
    from tests.directory.factories import EstablishmentFactory

    class PickerForm(BootstrapFormMixin, forms.Form):
        establishment = forms.ModelChoiceField(queryset=Establishment.objects.order_by("name"), required=False)

    first, second = EstablishmentFactory(name="B <hôpital>"), EstablishmentFactory(name="A clinique")
    form = PickerForm(initial={"establishment": first.pk})
    monkeypatch.setattr(connection, "chunked_cursor", lambda: pytest.fail("server-side cursor opened"))
    with django_assert_num_queries(1):
        html = str(form["establishment"])
    assert html.index("A clinique") < html.index("B &lt;hôpital&gt;")
    assert f'<option value="{first.pk}" selected>' in html and f'<option value="{second.pk}">' in html
    bound = PickerForm(data={"establishment": second.pk})
    assert bound.is_valid() and bound.cleaned_data["establishment"] == second
