from django import forms

from dcc.dashboards.models import DelayRule, IndemnityRule


class IndemnityRuleForm(forms.ModelForm):
    class Meta:
        model = IndemnityRule
        fields = ["valid_from", "amount_per_session", "count_video", "max_sessions_per_month", "max_amount_per_year"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_amount_per_session(self):
        amount = self.cleaned_data["amount_per_session"]
        if amount > 10000:
            raise forms.ValidationError("Un montant de plus de 10 000 € par séance n'est pas plausible.")
        return amount


class DelayRuleForm(forms.ModelForm):
    class Meta:
        model = DelayRule
        fields = ["valid_from", "diagnosis_to_rcp_days", "rcp_to_treatment_days"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):
        cleaned = super().clean()
        for name in ("diagnosis_to_rcp_days", "rcp_to_treatment_days"):
            value = cleaned.get(name)
            if value is not None and not 1 <= value <= 365:
                self.add_error(name, "Le seuil doit être compris entre 1 et 365 jours.")
        return cleaned
