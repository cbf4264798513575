from __future__ import annotations

from django import forms

from dcc.accounts.models import User
from dcc.form_rendering import BootstrapFormMixin


class TermsAcceptForm(BootstrapFormMixin, forms.Form):
    accept = forms.BooleanField(
        label="J'ai lu et j'accepte les conditions générales d'utilisation",
        error_messages={"required": "Cochez la case pour accepter les conditions générales d'utilisation."},
    )


class ImpersonationForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail de l'utilisateur",
        error_messages={"required": "Indiquez l'adresse e-mail.", "invalid": "Adresse e-mail invalide."},
    )
    reason = forms.CharField(
        label="Motif de l'intervention",
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Le motif est obligatoire.",
            "min_length": "Le motif doit compter au moins 10 caractères.",
        },
    )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise forms.ValidationError("Aucun utilisateur ne correspond à cette adresse.")
        return user
