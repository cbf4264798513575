from django import forms

from interop.hl7.enums import VigilanceStatus


class VigilanceDecisionForm(forms.Form):
    status = forms.ChoiceField(
        label="Décision",
        choices=[
            (VigilanceStatus.RESOLVED, "Traité (identité corrigée)"),
            (VigilanceStatus.DISMISSED, "Classé sans suite"),
        ],
    )
    note = forms.CharField(
        label="Note pour la cellule d'identitovigilance", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
