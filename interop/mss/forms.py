"""Forms of the « Diffusion » block."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from dcc.directory.models import Professional


class AddRecipientForm(forms.Form):
    query = forms.CharField(
        label="Ajouter un destinataire (nom ou numéro RPPS)",
        max_length=120,
        error_messages={"required": "Indiquez le nom ou le numéro RPPS du professionnel."},
    )

    def clean_query(self) -> Professional:
        text = self.cleaned_data["query"].strip()
        found = Professional.objects.active().filter(Q(rpps=text) | Q(last_name__iexact=text))
        if not found.exists():
            found = Professional.objects.active().filter(last_name__icontains=text)
        matches = list(found.order_by("last_name", "first_name")[:6])
        if not matches:
            raise forms.ValidationError(f"Aucun professionnel de l'annuaire ne correspond à « {text} ».")
        if len(matches) > 1:
            names = ", ".join(f"{p.display_name} (RPPS {p.rpps or '—'})" for p in matches[:5])
            raise forms.ValidationError(f"Plusieurs professionnels correspondent : {names}. Précisez le RPPS.")
        return matches[0]
