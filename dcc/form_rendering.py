"""How every form field of the project is drawn: one template, Bootstrap classes from one place.

* :class:`DccFormRenderer` (``FORM_RENDERER``) draws a field group with ``components/_field.html``, so
  ``{{ form.x.as_field_group }}`` works; templates that need a column width or the RCP "required to
  validate" star include the same template:
  ``{% include "components/_field.html" with field=form.x width="col-md-4" %}``.
* :class:`BootstrapBoundField` (on forms through :class:`BootstrapFormMixin`) gives each widget its Bootstrap
  class (``form-control``, ``form-select``, ``form-check-input``) and ``is-invalid`` when the field has errors,
  unless the widget sets its own ``class``. Django itself adds ``aria-invalid`` and ``aria-describedby``
  (``<id>_helptext``, ``<id>_error``): the template gives those ids to the help text and the error text.

* The renderer draws the widgets whose Django template is a single ``<input>`` or ``<textarea>`` by string
  formatting, to the same characters: Django renders two nested templates per widget (the tag, its attributes),
  and a fiche form has forty of them (``tests/platform/test_form_rendering.py`` compares both for every widget).
  A ``<select>`` is drawn the same way from the options Django prepares (a template per option otherwise), unless
  an option needs Django's template (a label that is a number or a date: localised there).

Opt-in through the mixin rather than on the renderer, so the admin and the forms drawn by hand keep their widgets.
"""

from __future__ import annotations

import html
from pathlib import Path

from django import forms
from django.conf import settings
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise, cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

FIELD_TEMPLATE = "components/_field.html"
_WIDGETS = "django/forms/widgets/"
# Django's widget templates that are nothing but ``{% include "django/forms/widgets/input.html" %}``.
INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)
TEXTAREA_TEMPLATE = f"{_WIDGETS}textarea.html"
SELECT_TEMPLATE = f"{_WIDGETS}select.html"
SELECT_OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"


def escape_text(value) -> str:
    """``conditional_escape``: the standard library's escaping for a plain string (Django's, the same characters,
    costs a check for lazy arguments on each call: a form draws hundreds), Django's for anything else."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


def escape_str(value) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescape."""
    return escape_text(str(value))


def html_attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``: ``name="value"``, a bare ``name`` for True, nothing for False."""
    return "".join(
        "" if value is False else f" {escape_text(name)}" + ("" if value is True else f'="{escape_str(value)}"')
        for name, value in attrs.items()
    )


def render_input(widget: dict) -> SafeString:
    """``django/forms/widgets/input.html``."""
    value = "" if widget["value"] is None else f' value="{escape_str(widget["value"])}"'
    kind, name = escape_text(widget["type"]), escape_text(widget["name"])
    return mark_safe(f'<input type="{kind}" name="{name}"{value}{html_attrs(widget["attrs"])}>')  # noqa: S308 - escaped


def render_textarea(widget: dict) -> SafeString:
    """``django/forms/widgets/textarea.html``."""
    text = escape_text(widget["value"]) if widget["value"] else ""
    name = escape_text(widget["name"])
    return mark_safe(f'<textarea name="{name}"{html_attrs(widget["attrs"])}>\n{text}</textarea>')  # noqa: S308 - escaped


def option_html(value: str, label, attrs: str) -> str:
    """``django/forms/widgets/select_option.html`` as ``select.html`` includes it (``value`` already escaped)."""
    return f'\n  <option value="{value}"{attrs}>{escape_text(label)}</option>\n'


def _is_text(value) -> bool:
    """Drawn by the template as ``str(value)`` escaped (not localised as a number or a date would be)."""
    return isinstance(value, str | Promise)


def render_select(widget: dict) -> SafeString | None:
    """``django/forms/widgets/select.html`` and its options (None when an option needs Django's template: another
    option template, a label that is not text)."""
    parts = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            if not _is_text(group_name):
                return None
            parts.append(f'\n  <optgroup label="{escape_text(group_name)}">')
        for option in options:
            if option["template_name"] != SELECT_OPTION_TEMPLATE or not _is_text(option["label"]):
                return None
            parts.append(option_html(escape_str(option["value"]), option["label"], html_attrs(option["attrs"])))
        if group_name:
            parts.append("\n  </optgroup>")
    name, attrs = escape_text(widget["name"]), html_attrs(widget["attrs"])
    return mark_safe(f'<select name="{name}"{attrs}>{"".join(parts)}\n</select>')  # noqa: S308 - escaped


def bootstrap_class(widget: forms.Widget) -> str:
    """The Bootstrap class of a widget ("" for the ones drawn as a list or not drawn at all)."""
    if widget.is_hidden or isinstance(widget, forms.CheckboxSelectMultiple):
        return ""
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


class BootstrapBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = attrs.get("class") or widget.attrs.get("class") or bootstrap_class(widget)
        if css and self.errors and not widget.is_hidden and "is-invalid" not in css.split():
            css = f"{css} is-invalid"
        if css:
            attrs["class"] = css
        return attrs


class ListedModelChoiceIterator(ModelChoiceIterator):
    """A picker's rows read by one ordinary query. Django's iterator reads them with ``QuerySet.iterator()``: a
    server-side cursor in PostgreSQL (DECLARE, FETCH, CLOSE), made for millions of rows, not for a few dozen."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class BootstrapFormMixin:
    """Put on the project's forms: their bound fields draw Bootstrap widgets; their model pickers read their rows
    with :class:`ListedModelChoiceIterator`."""

    bound_field_class = BootstrapBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.iterator is ModelChoiceIterator:
                field.iterator = ListedModelChoiceIterator
                field.widget.choices = field.choices


class DccFormRenderer(DjangoTemplates):
    """Django's default renderer (its own template engine for the widgets), which also finds ``templates/``."""

    field_template_name = FIELD_TEMPLATE

    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return render_input(context["widget"])
        if template_name == TEXTAREA_TEMPLATE:
            return render_textarea(context["widget"])
        if template_name == SELECT_TEMPLATE and (select := render_select(context["widget"])) is not None:
            return select
        return super().render(template_name, context, request)

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(forms.__file__).parent / self.backend.app_dirname, settings.BASE_DIR / "templates"],
                "NAME": "dcc-forms",
                "OPTIONS": {},
            }
        )
