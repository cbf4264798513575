from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from dcc.directory.models import Establishment, Professional, Specialty, ThreeC
from rcp.enums import MemberRole, Nature, RecurrenceKind, Weekday, WeekOfMonth
from rcp.models import MentionCategory, SpecialtyTag
from rcp.services import RcpData


class StyledForm(forms.Form):
    """Bootstrap classes on every widget (templates render widgets with ``as_widget``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(
                widget, forms.CheckboxSelectMultiple
            ):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-control")


class FinderForm(forms.Form):
    q = forms.CharField(label="Intitulé de la RCP", required=False, max_length=100)
    tag = forms.ModelChoiceField(
        label="Typage des RCP", required=False, queryset=SpecialtyTag.objects.all(), empty_label="Tous les tags"
    )
    three_c = forms.ModelChoiceField(
        label="3C", required=False, queryset=ThreeC.objects.filter(is_active=True), empty_label="Tous les 3C"
    )


class RcpForm(StyledForm):
    title = forms.CharField(label="Intitulé", max_length=200)
    three_c = forms.ModelChoiceField(label="3C", queryset=ThreeC.objects.none())
    establishment = forms.ModelChoiceField(label="Établissement organisateur", queryset=Establishment.objects.none())
    nature = forms.ChoiceField(label="Nature", choices=Nature.choices)
    organ = forms.CharField(label="Appareil / organe ou thème", max_length=120, required=False)
    is_haematology = forms.BooleanField(label="RCP d'hématologie", required=False)
    is_recourse = forms.BooleanField(label="RCP de recours", required=False)
    is_paediatric = forms.BooleanField(label="RCP pédiatrique", required=False)
    tags = forms.ModelMultipleChoiceField(
        label="Tags de spécialité", queryset=SpecialtyTag.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    default_place = forms.CharField(label="Lieu habituel", max_length=200, required=False)
    video_link = forms.URLField(label="Lien de visioconférence", required=False, assume_scheme="https")
    registration_deadline_days = forms.IntegerField(
        label="Délai d'inscription (jours avant la séance)", min_value=0, max_value=60, initial=2
    )
    max_dossiers = forms.IntegerField(
        label="Nombre maximum de dossiers par séance", min_value=1, max_value=200, initial=30
    )
    is_active = forms.BooleanField(label="RCP active", required=False, initial=True)

    def __init__(self, *args, three_cs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["three_c"].queryset = three_cs
        self.fields["establishment"].queryset = Establishment.objects.active().filter(three_c__in=three_cs)
        self.fields["tags"].queryset = SpecialtyTag.objects.order_by("position", "code")

    def clean(self):
        data = super().clean()
        establishment, three_c = data.get("establishment"), data.get("three_c")
        if establishment and three_c and establishment.three_c_id != three_c.pk:
            self.add_error("establishment", f"Cet établissement ne relève pas du {three_c.name}.")
        return data

    def rcp_data(self) -> RcpData:
        data = self.cleaned_data
        return RcpData(**{name: data[name] for name in RcpData.__dataclass_fields__})


class QuorumForm(StyledForm):
    min_specialties = forms.IntegerField(label="Nombre minimum de spécialités distinctes", min_value=1, max_value=10)
    requires_treating_specialty = forms.BooleanField(
        label="La spécialité du médecin référent du patient doit être représentée", required=False
    )
    requires_surgeon = forms.BooleanField(label="Un chirurgien doit être présent", required=False)
    required_specialties = forms.ModelMultipleChoiceField(
        label="Spécialités obligatoires", queryset=Specialty.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_specialties"].queryset = Specialty.objects.filter(code__startswith="G15_10/SM")


class MemberForm(StyledForm):
    professional = forms.ModelChoiceField(label="Professionnel", queryset=Professional.objects.none())
    role = forms.ChoiceField(label="Rôle", choices=MemberRole.choices, initial=MemberRole.MEMBER)
    specialty = forms.ModelChoiceField(
        label="Spécialité au sein de la RCP (si différente)", queryset=Specialty.objects.none(), required=False,
        empty_label="Celle de l'annuaire",
    )  # fmt: skip
    is_fixed_participant = forms.BooleanField(label="Participant permanent", required=False, initial=True)

    def __init__(self, *args, rcp, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = (
            Professional.objects.active()
            .filter(places__establishment__three_c_id=rcp.three_c_id)
            .exclude(rcp_memberships__rcp=rcp)
            .select_related("specialty")
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["professional"].label_from_instance = lambda p: (
            f"{p.display_name} — {p.specialty.short_label if p.specialty else p.get_profession_display()}"
        )
        self.fields["specialty"].queryset = Specialty.objects.filter(code__startswith="G15_10/SM")


class RecurrenceForm(StyledForm):
    kind = forms.ChoiceField(label="Périodicité", choices=RecurrenceKind.choices)
    interval_weeks = forms.IntegerField(label="Toutes les … semaines", min_value=1, max_value=12, initial=1)
    week_of_month = forms.TypedChoiceField(
        label="Semaine du mois (périodicité mensuelle)", choices=[("", "—"), *WeekOfMonth.choices], coerce=int,
        required=False, empty_value=None,
    )  # fmt: skip
    weekday = forms.TypedChoiceField(label="Jour", choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label="Heure de début", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label="Durée (minutes)", min_value=15, max_value=720, initial=90)
    start_date = forms.DateField(label="À partir du", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label="Jusqu'au (facultatif)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == RecurrenceKind.MONTHLY and data.get("week_of_month") is None:
            self.add_error("week_of_month", "Précisez la semaine du mois pour une périodicité mensuelle.")
        if data.get("end_date") and data.get("start_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "La date de fin précède la date de début.")
        return data


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


class SessionForm(StyledForm):
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Heure de début", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label="Durée (minutes)", min_value=15, max_value=720, initial=90)
    place = forms.CharField(label="Lieu (si différent du lieu habituel)", max_length=200, required=False)

    @property
    def starts_at(self) -> datetime.datetime:
        return _aware(self.cleaned_data["date"], self.cleaned_data["time"])


class CancelForm(StyledForm):
    reason = forms.CharField(label="Motif d'annulation (envoyé aux membres)", widget=forms.Textarea(attrs={"rows": 3}))


class MentionForm(StyledForm):
    code = forms.CharField(label="Mention", max_length=40)
    label = forms.CharField(label="Description", max_length=200)
    information = forms.CharField(label="Information", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    position = forms.IntegerField(label="Ordre d'affichage", min_value=0, max_value=999, initial=0)


class TagForm(StyledForm):
    code = forms.CharField(label="Code du tag", max_length=40)
    label = forms.CharField(label="Libellé", max_length=200)
    mention = forms.ModelChoiceField(label="Mention", queryset=MentionCategory.objects.all(), required=False)
    position = forms.IntegerField(label="Ordre d'affichage", min_value=0, max_value=999, initial=0)


class CodeSearchForm(forms.Form):
    q = forms.CharField(label="Code ou libellé", required=False, max_length=100)
