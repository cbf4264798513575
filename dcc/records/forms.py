from __future__ import annotations

from django import forms

from dcc.bounds import BoundedFormMixin
from dcc.form_rendering import BootstrapFormMixin
from dcc.records.enums import TrailAction
from dcc.records.services import BREAK_GLASS_MIN_REASON
from dcc.widgets import IsoDateInput


class BreakGlassForm(BootstrapFormMixin, BoundedFormMixin, forms.Form):
    reason = forms.CharField(
        label="Motif de l'accès exceptionnel",
        min_length=BREAK_GLASS_MIN_REASON,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Le motif est obligatoire.",
            "min_length": f"Le motif doit compter au moins {BREAK_GLASS_MIN_REASON} caractères.",
        },
    )


class TrailFilterForm(BootstrapFormMixin, forms.Form):
    user = forms.CharField(label="Utilisateur", required=False, max_length=100)
    patient = forms.IntegerField(
        label="N° de patient", required=False, min_value=1, error_messages={"invalid": "Saisissez un nombre."}
    )
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Toutes"), *TrailAction.choices])
    start = forms.DateField(label="Du", required=False, widget=IsoDateInput())
    end = forms.DateField(label="Au", required=False, widget=IsoDateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("La date de début doit précéder la date de fin.")
        return data


class DocumentFilterForm(BootstrapFormMixin, forms.Form):
    type_code = forms.ChoiceField(label="Type de document", required=False)
    start = forms.DateField(label="Depuis le", required=False, widget=IsoDateInput())
    end = forms.DateField(label="Jusqu'au", required=False, widget=IsoDateInput())
    include_replaced = forms.BooleanField(label="Afficher les versions remplacées", required=False)

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = [("", "Tous les types"), *types]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("La date de fin précède la date de début.")
        return data


class DocumentUploadForm(BootstrapFormMixin, BoundedFormMixin, forms.Form):
    file = forms.FileField(label="Fichier (PDF ou CDA XML)")
    type_code = forms.ChoiceField(label="Type de document")
    act_date = forms.DateField(label="Date de l'acte", widget=IsoDateInput())
    title = forms.CharField(label="Titre (facultatif)", max_length=255, required=False)

    def __init__(self, *args, max_bytes: int, **kwargs):
        from dcc.records.enums import DOCUMENT_TYPES

        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["type_code"].choices = sorted(DOCUMENT_TYPES.items(), key=lambda item: item[1])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"Le fichier est trop volumineux : la limite est de {self.max_bytes // (1024 * 1024)} Mo."
            )
        return upload


class QuarantineDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Décision", choices=[("attach", "Rattacher"), ("reject", "Rejeter")])
    patient_id = forms.IntegerField(label="N° du patient (pour rattacher)", required=False, min_value=1)
    note = forms.CharField(label="Motif de la décision", max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "attach" and not data.get("patient_id"):
            self.add_error("patient_id", "Indiquez le patient auquel rattacher le document.")
        return data
