from django import forms


class CorrectForm(forms.Form):
    address = forms.CharField(required=False, widget=forms.HiddenInput)
    professional = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new_address = forms.CharField(
        label="Nouvelle adresse MSSanté",
        max_length=254,
        error_messages={"required": "Indiquez la nouvelle adresse MSSanté."},
    )


class InvalidForm(forms.Form):
    address = forms.CharField(widget=forms.HiddenInput, error_messages={"required": "Adresse manquante."})
    note = forms.CharField(label="Motif", max_length=300, required=False)
