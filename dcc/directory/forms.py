from django import forms

from dcc.directory.models import Establishment, Specialty, ThreeC
from dcc.form_rendering import BootstrapFormMixin


class ProfessionalSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label="Nom, prénom ou RPPS",
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    specialty = forms.ModelChoiceField(
        label="Spécialité", required=False, queryset=Specialty.objects.none(), empty_label="Toutes"
    )
    establishment = forms.ModelChoiceField(
        label="Établissement", required=False, queryset=Establishment.objects.active(), empty_label="Tous"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the specialties somebody in the directory holds: the national list has ~400.
        self.fields["specialty"].queryset = Specialty.objects.filter(professional__isnull=False).distinct()


class EstablishmentSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label="Nom, commune ou FINESS",
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    three_c = forms.ModelChoiceField(
        label="3C", required=False, queryset=ThreeC.objects.filter(is_active=True), empty_label="Tous"
    )
