from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from dcc.bounds import BoundedFormMixin
from dcc.directory.models import Establishment, Professional, Specialty, ThreeC
from dcc.form_rendering import BootstrapFormMixin
from dcc.records.models import Document
from dcc.widgets import FastSelect, HourMinuteInput, IsoDateInput
from rcp import selectors
from rcp.enums import (
    QUICK_PROPOSITION_RANKS,
    DiscoveryMode,
    DossierMotive,
    DossierStatus,
    MemberRole,
    Nature,
    RecurrenceKind,
    TnmKind,
    Weekday,
    WeekOfMonth,
)
from rcp.models import FICHE_CODED_FIELDS, FICHE_CONTENT_FIELDS, MentionCategory, Rcp, SpecialtyTag
from rcp.services.catalogue import RcpData


class StyledForm(BootstrapFormMixin, BoundedFormMixin, forms.Form):
    """Bootstrap widgets (``dcc.form_rendering``) and plausible values (``dcc.bounds``)."""


class FinderForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label="Intitulé de la RCP",
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
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
        label="Tags de spécialité",
        queryset=SpecialtyTag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
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
        self.fields["required_specialties"].queryset = selectors.medical_specialties()


class MemberForm(StyledForm):
    professional = forms.ModelChoiceField(label="Professionnel", queryset=Professional.objects.none())
    role = forms.ChoiceField(label="Rôle", choices=MemberRole.choices, initial=MemberRole.MEMBER)
    specialty = forms.ModelChoiceField(
        label="Spécialité au sein de la RCP (si différente)",
        queryset=Specialty.objects.none(),
        required=False,
        empty_label="Celle de l'annuaire",
    )
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
        self.fields["specialty"].queryset = selectors.medical_specialties()


class RecurrenceForm(StyledForm):
    kind = forms.ChoiceField(label="Périodicité", choices=RecurrenceKind.choices)
    interval_weeks = forms.IntegerField(label="Toutes les … semaines", min_value=1, max_value=12, initial=1)
    week_of_month = forms.TypedChoiceField(
        label="Semaine du mois (périodicité mensuelle)",
        choices=[("", "—"), *WeekOfMonth.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    weekday = forms.TypedChoiceField(label="Jour", choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label="Heure de début", widget=HourMinuteInput())
    duration_minutes = forms.IntegerField(label="Durée (minutes)", min_value=15, max_value=720, initial=90)
    start_date = forms.DateField(label="À partir du", widget=IsoDateInput())
    end_date = forms.DateField(label="Jusqu'au (facultatif)", required=False, widget=IsoDateInput())

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
    date = forms.DateField(label="Date", widget=IsoDateInput())
    time = forms.TimeField(label="Heure de début", widget=HourMinuteInput())
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


class CodeSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label="Code ou libellé", required=False, max_length=100, widget=forms.SearchInput(attrs={"autocomplete": "off"})
    )


# --- Dossiers and fiches ----------------------------------------------------------------------


class PatientSearchForm(StyledForm):
    q = forms.CharField(label="Nom du patient", max_length=100, required=False)
    birth_date = forms.DateField(label="Date de naissance", required=False, widget=IsoDateInput())


class RecordDocumentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.type_label} — {obj.title} ({obj.act_date:%d/%m/%Y})"


class AttachmentsForm(StyledForm):
    """Documents of the patient's record joined to a demande d'avis (the choices: the record's current documents)."""

    attachments = RecordDocumentChoiceField(
        label="Pièces jointes du dossier documentaire",
        required=False,
        queryset=Document.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez uniquement des documents en vigueur du dossier de ce patient."},
    )

    def __init__(self, *args, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].queryset = documents if documents is not None else Document.objects.none()


class DossierForm(AttachmentsForm):
    requesting_doctor = forms.ModelChoiceField(label="Médecin demandeur", queryset=Professional.objects.none())
    motive = forms.ChoiceField(label="Motif de la demande", choices=[("", "—"), *DossierMotive.choices])
    question = forms.CharField(label="Question posée à la RCP", widget=forms.Textarea(attrs={"rows": 3}))
    draft = forms.BooleanField(label="Garder en brouillon (inscription plus tard)", required=False)

    field_order = ["requesting_doctor", "motive", "question", "attachments", "draft"]

    def __init__(self, *args, doctors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requesting_doctor"].queryset = doctors if doctors is not None else Professional.objects.none()


class DossierStatusForm(forms.Form):
    to = forms.ChoiceField(choices=DossierStatus.choices)
    note = forms.CharField(required=False, max_length=1000)


def _code_choices(entries) -> list[tuple[str, str]]:
    return [("", "—")] + [(e.code, f"{e.label} ({e.code})") for e in entries]


TREATMENT_ROWS = 3


class FicheForm(StyledForm):
    """The fiche's content. Codes are checked against the value sets by the service."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    nature = forms.ChoiceField(label="Nature de la discussion", choices=Nature.choices)
    appareil_code = forms.ChoiceField(label="Appareil", required=False)
    organe_code = forms.ChoiceField(label="Organe", required=False)
    treatment_care_code = forms.ChoiceField(label="Traitement / soins (RCP transversale)", required=False)
    discovery_mode = forms.ChoiceField(
        label="Mode de découverte", required=False, choices=[("", "—"), *DiscoveryMode.choices]
    )
    discovery_date = forms.DateField(label="Date de découverte", required=False, widget=IsoDateInput())
    diagnosis_date = forms.DateField(label="Date du diagnostic", required=False, widget=IsoDateInput())
    topography_code = forms.CharField(
        label="Topographie CIM-10 (code)",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"list": "jdv-tumeur", "autocomplete": "off"}),
    )
    morphology_code = forms.CharField(
        label="Morphologie CIM-O-3 (code)",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"list": "jdv-morphologie", "autocomplete": "off"}),
    )
    laterality_code = forms.ChoiceField(label="Latéralité", required=False)
    phase_code = forms.ChoiceField(label="Phase du cancer", required=False)
    tnm_kind = forms.ChoiceField(label="Type de TNM", required=False, choices=[("", "—"), *TnmKind.choices])
    tnm_edition = forms.CharField(label="Édition TNM", required=False, max_length=4)
    tnm_t = forms.CharField(label="T", required=False, max_length=10)
    tnm_n = forms.CharField(label="N", required=False, max_length=10)
    tnm_m = forms.CharField(label="M", required=False, max_length=10)
    tnm_stage = forms.CharField(label="Stade", required=False, max_length=10)
    ecog_code = forms.ChoiceField(label="État général OMS / ECOG", required=False)
    history = forms.CharField(
        label="Antécédents et comorbidités", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    previous_treatments = forms.CharField(
        label="Traitements antérieurs", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    case_summary = forms.CharField(label="Résumé du cas", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    question = forms.CharField(label="Question posée", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    surveillance_only = forms.BooleanField(label="Surveillance seule", required=False)
    complementary_exams = forms.CharField(
        label="Examens complémentaires demandés", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    representation_requested = forms.BooleanField(label="Dossier à représenter en RCP", required=False)
    proposition = forms.CharField(
        label="Proposition (commentaire)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    guideline_conform = forms.NullBooleanField(
        label="Proposition conforme au référentiel",
        required=False,
        widget=forms.NullBooleanSelect(),
    )
    guideline = forms.CharField(label="Référentiel", required=False, max_length=200)
    guideline_justification = forms.CharField(
        label="Justification de la non-conformité", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    clinical_trial_proposed = forms.BooleanField(label="Essai clinique proposé", required=False)
    clinical_trial = forms.CharField(label="Essai clinique", required=False, max_length=200)
    dossier_complete = forms.BooleanField(label="Dossier complet", required=False)

    def __init__(self, *args, code_lists: dict[str, list], **kwargs):
        super().__init__(*args, **kwargs)
        self.code_lists = code_lists
        self.fields["guideline_conform"].widget.choices = [
            ("unknown", "Non renseigné"),
            ("true", "Oui"),
            ("false", "Non"),
        ]
        for name, key in FICHE_CODED_FIELDS.items():
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField):
                field.choices = _code_choices(code_lists.get(key, []))
        treatment_choices = _code_choices(code_lists.get("type_traitement", []))
        for index in range(1, TREATMENT_ROWS + 1):
            self.fields[f"treatment_{index}"] = forms.ChoiceField(
                label=f"Option {index} : type de traitement", required=False, choices=treatment_choices
            )
            self.fields[f"treatment_{index}_detail"] = forms.CharField(
                label=f"Option {index} : précision", required=False, max_length=500
            )
            for suffix in ("", "_detail"):
                widget = self.fields[f"treatment_{index}{suffix}"].widget
                widget.attrs.setdefault("class", "form-select" if not suffix else "form-control")
        for field in self.fields.values():  # the same HTML, without a template rendered per <option>
            if type(field.widget) is forms.Select:
                field.widget = FastSelect(attrs=field.widget.attrs, choices=field.choices)

    @classmethod
    def initial_from(cls, fiche) -> dict:
        initial = {name: getattr(fiche, name) for name in FICHE_CONTENT_FIELDS if name != "treatments"}
        initial["revision"] = fiche.revision
        for item in fiche.treatments:
            if 1 <= item.get("rank", 0) <= TREATMENT_ROWS:
                initial[f"treatment_{item['rank']}"] = item["code"]
                initial[f"treatment_{item['rank']}_detail"] = item.get("detail", "")
        return initial

    def content(self) -> dict:
        """The cleaned data as the services expect it (fiche fields + ranked treatments)."""
        data = {name: self.cleaned_data[name] for name in FICHE_CONTENT_FIELDS if name in self.cleaned_data}
        for name in ("topography_code", "morphology_code"):
            data[name] = data[name].strip().upper() if name == "topography_code" else data[name].strip()
        data["treatments"] = [
            {
                "rank": index,
                "code": self.cleaned_data[f"treatment_{index}"],
                "detail": self.cleaned_data[f"treatment_{index}_detail"],
            }
            for index in range(1, TREATMENT_ROWS + 1)
            if self.cleaned_data.get(f"treatment_{index}")
        ]
        return data

    def treatment_rows(self):
        return [(self[f"treatment_{i}"], self[f"treatment_{i}_detail"]) for i in range(1, TREATMENT_ROWS + 1)]


class ValidateForm(StyledForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    off_quorum_reason = forms.CharField(
        label="Motif de validation hors quorum", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AmendReasonForm(StyledForm):
    reason = forms.CharField(label="Motif de l'amendement", widget=forms.Textarea(attrs={"rows": 2}))


class QuickPropositionForm(StyledForm):
    """The live session's quick entry: treatments, surveillance, re-presentation, comment."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    treatment_1 = forms.ChoiceField(label="Traitement proposé (option 1)", required=False)
    treatment_2 = forms.ChoiceField(label="Option 2", required=False)
    surveillance_only = forms.BooleanField(label="Surveillance seule", required=False)
    representation_requested = forms.BooleanField(label="À représenter", required=False)
    proposition = forms.CharField(label="Proposition", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, treatment_entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["treatment_1"].choices = _code_choices(treatment_entries)
        self.fields["treatment_2"].choices = _code_choices(treatment_entries)

    def content(self) -> dict:
        data = {
            name: self.cleaned_data[name] for name in ("surveillance_only", "representation_requested", "proposition")
        }
        data["treatments"] = [
            {"rank": rank, "code": self.cleaned_data[f"treatment_{rank}"], "detail": ""}
            for rank in range(1, QUICK_PROPOSITION_RANKS + 1)
            if self.cleaned_data.get(f"treatment_{rank}")
        ]
        return data


class ConcertationForm(StyledForm):
    rcp = forms.ModelChoiceField(label="RCP de rattachement", required=False, queryset=Rcp.objects.none())
    consulted = forms.ModelMultipleChoiceField(
        label="Médecins consultés", queryset=Professional.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    question = forms.CharField(label="Question posée", widget=forms.Textarea(attrs={"rows": 2}))
    opinion = forms.CharField(label="Avis", widget=forms.Textarea(attrs={"rows": 5}))
    treatment_1 = forms.ChoiceField(label="Traitement proposé (option 1)", required=False)
    treatment_2 = forms.ChoiceField(label="Option 2", required=False)

    def __init__(self, *args, rcps, doctors, treatment_entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rcp"].queryset = rcps
        self.fields["consulted"].queryset = doctors
        self.fields["treatment_1"].choices = _code_choices(treatment_entries)
        self.fields["treatment_2"].choices = _code_choices(treatment_entries)
