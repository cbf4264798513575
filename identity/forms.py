"""Patient identity forms (French labels; the services do the identity rules)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from dcc.bounds import BoundedFormMixin
from dcc.directory.models import Establishment, Professional
from dcc.form_rendering import BootstrapFormMixin
from dcc.widgets import IsoDateInput
from identity import nir as nir_rules
from identity.enums import ProofDocument, Sex


class StyledForm(BootstrapFormMixin, BoundedFormMixin, forms.Form):
    """Bootstrap widgets (``dcc.form_rendering``) and plausible values (``dcc.bounds``)."""


def _date_widget():
    return IsoDateInput()


class PatientSearchForm(StyledForm):
    q = forms.CharField(label="Nom, prénom (naissance ou usage)", required=False, max_length=120)
    birth_date = forms.DateField(label="Date de naissance", required=False, widget=_date_widget())
    ins = forms.CharField(label="Matricule INS", required=False, max_length=25)
    ipp = forms.CharField(label="IPP", required=False, max_length=40)

    def clean_ins(self):
        value = nir_rules.clean(self.cleaned_data.get("ins") or "")
        if value:
            try:
                nir_rules.parse(value)
            except nir_rules.NirError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return value

    def has_criteria(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("q", "birth_date", "ins", "ipp"))


class PatientForm(StyledForm):
    birth_name = forms.CharField(label="Nom de naissance", max_length=100)
    first_given_name = forms.CharField(label="Premier prénom de naissance", max_length=100)
    given_names = forms.CharField(
        label="Prénoms de naissance (tous, dans l'ordre de l'état civil)", max_length=255, required=False
    )
    sex = forms.ChoiceField(label="Sexe", choices=Sex.choices)
    birth_date = forms.DateField(label="Date de naissance", widget=_date_widget())
    birth_place_code = forms.CharField(
        label="Lieu de naissance (code INSEE)",
        max_length=5,
        required=False,
        help_text="Code INSEE de la commune ; 99 + code pays si né à l'étranger ; 99999 si inconnu.",
    )
    used_name = forms.CharField(label="Nom utilisé", max_length=100, required=False)
    used_first_name = forms.CharField(label="Prénom utilisé", max_length=100, required=False)
    general_practitioner = forms.ModelChoiceField(
        label="Médecin traitant",
        queryset=Professional.objects.filter(specialty_id="G15_10/SM54", is_active=True).order_by(
            "last_name", "first_name"
        ),
        required=False,
    )
    date_of_death = forms.DateField(label="Date de décès", required=False, widget=_date_widget())
    address = forms.CharField(label="Adresse", max_length=255, required=False)
    postcode = forms.CharField(label="Code postal", max_length=10, required=False)
    town = forms.CharField(label="Commune", max_length=120, required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    email = forms.EmailField(label="Adresse e-mail", required=False)

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("La date de naissance ne peut pas être dans le futur.")
        return value

    def clean_birth_place_code(self):
        return (self.cleaned_data.get("birth_place_code") or "").strip().upper()


class PatientCreateForm(PatientForm):
    confirm_new = forms.BooleanField(
        label="J'ai vérifié : il s'agit d'une autre personne que les identités proches ci-dessus",
        required=False,
    )


class PatientEditForm(PatientForm):
    reason = forms.CharField(label="Motif de la modification", max_length=500)

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = locked
        if locked:
            for name in ("birth_name", "first_given_name", "given_names", "sex", "birth_date", "birth_place_code"):
                self.fields[name].disabled = True
                self.fields[name].required = False


class ProofForm(StyledForm):
    document = forms.ChoiceField(label="Justificatif d'identité vu", choices=ProofDocument.choices)


class VitaleForm(StyledForm):
    nir = forms.CharField(label="NIR lu sur la carte Vitale (15 caractères)", max_length=25)
    birth_rank = forms.IntegerField(label="Rang de naissance", min_value=1, max_value=9, initial=1)

    def clean_nir(self):
        try:
            return nir_rules.parse(self.cleaned_data["nir"]).value
        except nir_rules.NirError as exc:
            raise forms.ValidationError(str(exc)) from exc


class ReasonForm(StyledForm):
    reason = forms.CharField(label="Motif", max_length=500)


class LocalIdentifierForm(StyledForm):
    establishment = forms.ModelChoiceField(label="Établissement", queryset=Establishment.objects.none())
    value = forms.CharField(label="IPP", max_length=40)

    def __init__(self, *args, establishments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = (
            establishments if establishments is not None else Establishment.objects.none()
        )


class MergeForm(StyledForm):
    kept = forms.ChoiceField(label="Identité à conserver", widget=forms.RadioSelect)
    reason = forms.CharField(label="Motif de la fusion", max_length=500)

    def __init__(self, *args, pair=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept"].choices = [(str(patient.pk), patient.display_name) for patient in pair]
