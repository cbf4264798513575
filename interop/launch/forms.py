from __future__ import annotations

from django import forms

from dcc.form_rendering import BootstrapFormMixin
from identity.nir import clean as clean_nir
from interop.launch.enums import LaunchTarget


class SimulatorForm(BootstrapFormMixin, forms.Form):
    establishment = forms.ChoiceField(label="Établissement (DPI)")
    rpps = forms.RegexField(
        label="RPPS de l'utilisateur", regex=r"^\d{11}$", error_messages={"invalid": "Un RPPS a 11 chiffres."}
    )
    ipp = forms.CharField(label="IPP du patient dans cet établissement", max_length=40)
    ins = forms.CharField(label="INS du patient (facultatif)", max_length=15, required=False)
    target = forms.ChoiceField(
        label="Ouvrir", choices=LaunchTarget.choices, initial=LaunchTarget.PATIENT, widget=forms.RadioSelect
    )

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self._simulators = {str(option.simulator.pk): option.simulator for option in options}
        self.fields["establishment"].choices = [
            (str(o.simulator.pk), f"{o.simulator.key.establishment.name} — clé {o.simulator.key.kid[:12]}…")
            for o in options
        ]
        self.fields["rpps"].widget.attrs["list"] = "simulator-users"
        self.fields["ipp"].widget.attrs["list"] = "simulator-ipps"

    def clean_ins(self) -> str:
        return clean_nir(self.cleaned_data.get("ins") or "")

    def clean(self):
        data = super().clean()
        if "establishment" in data:
            data["simulator"] = self._simulators[data["establishment"]]
        return data
