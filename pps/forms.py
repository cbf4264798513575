"""Forms of the PPS screens. Services do the real validation; forms parse and display errors."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from dcc.bounds import BoundedFormMixin
from dcc.directory.enums import Profession
from dcc.directory.models import Establishment, Professional
from dcc.form_rendering import BootstrapFormMixin
from dcc.widgets import FastSelect, IsoDateInput
from pps.dates import RuleKind
from pps.edp_types import EdpKind
from pps.enums import GroupScope, UpdateReason
from pps.models import EdpGroup, Protocol

DateInput = IsoDateInput


class StyledForm(BootstrapFormMixin, BoundedFormMixin, forms.Form):
    """Bootstrap widgets (``dcc.form_rendering``), plausible values (``dcc.bounds``), fast selects."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if type(widget) is forms.Select:  # same HTML, without a template rendered per <option>
                field.widget = FastSelect(attrs=widget.attrs, choices=widget.choices)

    def apply(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (or on the form)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)


class GroupForm(StyledForm):
    name = forms.CharField(label="Nom", max_length=120)
    patient_comment = forms.CharField(
        label="Commentaire / Description pour le patient", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GroupCreateForm(GroupForm):
    scope = forms.ChoiceField(label="Bibliothèque", choices=GroupScope.choices, initial=GroupScope.PERSONAL)

    def __init__(self, *args, regional_allowed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not regional_allowed:
            del self.fields["scope"]


class GroupElementForm(StyledForm):
    prefix = "element"
    kind = forms.ChoiceField(label="EDP", choices=EdpKind.choices)
    rule_kind = forms.ChoiceField(
        label="Date relative",
        choices=[c for c in RuleKind.choices if c[0] != RuleKind.GROUP_START],
        help_text="Ignorée pour le premier élément, qui tombe à la date de début du groupement.",
    )
    delay = forms.IntegerField(label="Nombre de jours", initial=0)
    label = forms.CharField(label="Libellé (facultatif)", required=False, max_length=200)
    rhythm = forms.CharField(label="Rythme (facultatif)", required=False, max_length=200)


class StartDateForm(StyledForm):
    start = forms.DateField(label="Date de début", widget=DateInput())


class EdpForm(StyledForm):
    prefix = "edp"
    kind = forms.ChoiceField(label="Type d'EDP", choices=EdpKind.choices)
    label = forms.CharField(label="Libellé (facultatif)", required=False, max_length=200)
    planned_date = forms.DateField(label="Date prévue (ou début de la période)", widget=DateInput(), required=False)
    end_date = forms.DateField(label="Fin de la période (facultatif)", widget=DateInput(), required=False)
    establishment = forms.ModelChoiceField(
        label="Établissement", queryset=Establishment.objects.active().order_by("name"), required=False
    )
    place = forms.CharField(label="Lieu (service, site)", required=False, max_length=200)
    referring_doctor = forms.ModelChoiceField(
        label="Médecin référent",
        queryset=Professional.objects.active().filter(profession=Profession.MEDECIN).order_by("last_name"),
        required=False,
    )
    protocol = forms.ModelChoiceField(
        label="Protocole", queryset=Protocol.objects.filter(is_active=True), required=False
    )
    rhythm = forms.CharField(label="Rythme", required=False, max_length=200)
    comment = forms.CharField(label="Commentaire", required=False, max_length=500)

    def __init__(self, *args, professionals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if professionals is not None:
            self.fields["referring_doctor"].queryset = professionals.filter(profession=Profession.MEDECIN)


class ElementForm(EdpForm):
    """The fields of an EDP already in the PPS (its type is fixed; its date has its own form)."""

    prefix = "element"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        del self.fields["planned_date"]


class ApplyGroupForm(StyledForm):
    prefix = "groupement"
    group = forms.ModelChoiceField(label="Groupement d'EDP", queryset=EdpGroup.objects.none())
    start_date = forms.DateField(label="Date de début", widget=DateInput())

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"].queryset = groups


class ApplyProtocolForm(StyledForm):
    prefix = "protocole"
    protocol = forms.ModelChoiceField(label="Protocole", queryset=Protocol.objects.filter(is_active=True))
    start_date = forms.DateField(label="Date du cycle 1, jour 1", widget=DateInput())


class RescheduleForm(StyledForm):
    start_date = forms.DateField(label="Nouvelle date de début", widget=DateInput())


class OverrideForm(StyledForm):
    planned_date = forms.DateField(
        label="Date de l'EDP", widget=DateInput(), required=False, help_text="Vide : revenir à la date calculée."
    )


class CommentForm(StyledForm):
    prefix = "commentaire"
    patient_comment = forms.CharField(
        label="Commentaire pour le patient", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactForm(StyledForm):
    prefix = "contact"
    professional = forms.ModelChoiceField(
        label="Professionnel", queryset=Professional.objects.active().order_by("last_name", "first_name")
    )
    role = forms.CharField(label="Rôle", max_length=120)

    def __init__(self, *args, professionals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if professionals is not None:
            self.fields["professional"].queryset = professionals


class FicheChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, fiche) -> str:
        from django.utils import timezone

        session = fiche.dossier.session
        day = timezone.localtime(session.starts_at)
        return f"{day:%d/%m/%Y} — {session.rcp.three_c.name} — RCP {session.rcp.title}"


class RcpFicheForm(StyledForm):
    """Which validated fiche RCP of the patient the PPS follows (or none)."""

    prefix = "rcp"
    rcp_fiche = FicheChoiceField(
        label="Fiche RCP dont le PPS suit la proposition",
        queryset=None,
        required=False,
        empty_label="Aucune (PPS sans proposition de RCP)",
        error_messages={
            "invalid_choice": "Cette fiche RCP n'est pas une fiche validée de ce patient : choisissez-en une dans la "
            "liste."
        },
    )

    def __init__(self, *args, fiches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rcp_fiche"].queryset = fiches


class ValidateForm(StyledForm):
    prefix = "validation"
    no_rcp_reason = forms.CharField(
        label="Raison de la validation sans proposition de RCP",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeliverForm(StyledForm):
    prefix = "remise"
    delivered_on = forms.DateField(label="Date de remise au patient", widget=DateInput())


class NewVersionForm(StyledForm):
    prefix = "version"
    reason = forms.ChoiceField(label="Motif de mise à jour", choices=[("", "—"), *UpdateReason.choices])
    detail = forms.CharField(label="Précision", required=False, max_length=500)


class ProtocolImportForm(forms.Form):
    file = forms.FileField(label="Fichier CSV des protocoles")

    def text(self) -> str:
        raw = self.cleaned_data["file"].read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError("Encodage du fichier illisible (attendu : UTF-8).")


class StatisticsFilterForm(forms.Form):
    """``?annee=`` of the statistics page: a plausible year or nothing."""

    annee = forms.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "l'année doit être un nombre entier.",
            "min_value": "l'année doit être postérieure ou égale à %(limit_value)s.",
            "max_value": "l'année doit être antérieure ou égale à %(limit_value)s.",
        },
    )
