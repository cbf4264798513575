"""Forms of the PPAC screens. Services do the real validation; forms parse and display errors."""

from __future__ import annotations

from django import forms

from dcc.directory.models import Professional
from pps.forms import DateInput, StyledForm
from pps.models import AdviceSection, PpacTemplate, Responsible
from pps.ppac_schedule import MAX_PHASES, Phase
from pps.ppac_services import FOLLOW_UP_KINDS


class CreateForm(StyledForm):
    prefix = "ppac"
    follow_up_start = forms.DateField(label="Début du suivi (fin des traitements actifs)", widget=DateInput())
    template = forms.ModelChoiceField(
        label="Modèle de suivi",
        queryset=PpacTemplate.objects.none(),
        required=False,
        empty_label="Aucun (à partir de rien)",
    )
    from_last_pps = forms.BooleanField(
        label="Reprendre l'équipe de soins et les traitements du dernier PPS", required=False, initial=True
    )

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates


class PlanForm(StyledForm):
    prefix = "plan"
    follow_up_start = forms.DateField(label="Début du suivi", widget=DateInput())
    treatment_summary = forms.CharField(
        label="Traitements reçus", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    patient_comment = forms.CharField(
        label="Commentaire pour le patient", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(StyledForm):
    """A follow-up line: up to three successive rhythms ("tous les N mois jusqu'au mois M")."""

    prefix = "suivi"
    kind = forms.ChoiceField(label="Type d'EDP", choices=[(k.value, k.label) for k in FOLLOW_UP_KINDS])
    label = forms.CharField(label="Libellé", max_length=200)
    interval_1 = forms.IntegerField(label="Rythme 1 : tous les (mois)", initial=6)
    until_1 = forms.IntegerField(
        label="Rythme 1 : jusqu'au mois", initial=24, help_text="Compté depuis le début du suivi."
    )
    interval_2 = forms.IntegerField(label="Rythme 2 (facultatif) : puis tous les (mois)", required=False)
    until_2 = forms.IntegerField(label="Rythme 2 : jusqu'au mois", required=False)
    interval_3 = forms.IntegerField(label="Rythme 3 (facultatif) : puis tous les (mois)", required=False)
    until_3 = forms.IntegerField(label="Rythme 3 : jusqu'au mois", required=False)
    first_offset_months = forms.IntegerField(
        label="Première échéance (mois après le début)",
        required=False,
        help_text="Vide : un intervalle après le début ; 0 : dès le début du suivi.",
    )
    responsible = forms.ChoiceField(label="Qui le fait", choices=Responsible.choices)
    responsible_professional = forms.ModelChoiceField(
        label="Professionnel (facultatif)", queryset=Professional.objects.none(), required=False
    )
    responsible_name = forms.CharField(label="Ou nom, hors annuaire (facultatif)", required=False, max_length=200)
    comment = forms.CharField(label="Commentaire", required=False, max_length=500)

    def __init__(self, *args, professionals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if professionals is not None:
            self.fields["responsible_professional"].queryset = professionals

    def clean(self):
        data = super().clean()
        phases = []
        for number in range(1, MAX_PHASES + 1):
            interval, until = data.get(f"interval_{number}"), data.get(f"until_{number}")
            if interval is None and until is None:
                continue
            if interval is None or until is None:
                self.add_error(
                    f"until_{number}" if until is None else f"interval_{number}",
                    "Indiquez l'intervalle et le mois de fin de ce rythme.",
                )
                continue
            phases.append(Phase(interval, until))
        data["phases"] = phases
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "label": data["label"],
            "phases": data["phases"],
            "first_offset_months": data.get("first_offset_months"),
            "responsible": data["responsible"],
            "responsible_professional": data.get("responsible_professional"),
            "responsible_name": data.get("responsible_name", ""),
            "comment": data.get("comment", ""),
        }

    def apply(self, error) -> None:
        if hasattr(error, "error_dict") and "phases" in error.error_dict:
            messages = error.message_dict
            self.add_error("interval_1", messages.pop("phases"))
            for field, errors in messages.items():
                self.add_error(field if field in self.fields else None, errors)
            return
        super().apply(error)


class AdviceForm(StyledForm):
    prefix = "conseils"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for section in AdviceSection:
            self.fields[section.value] = forms.CharField(
                label=section.label, required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
            )
