from __future__ import annotations

from django import forms
from django.conf import settings

MAX_TEXT = 5000
# Accepted attachments, recognised by their first bytes (the name and the browser's type are not trusted).
SIGNATURES = {
    b"%PDF-": ("application/pdf", "PDF"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "PNG"),
    b"\xff\xd8\xff": ("image/jpeg", "JPEG"),
}


def max_bytes() -> int:
    return settings.DCC_GP_CONTRIBUTION_MAX_BYTES


def megabytes(size: int) -> str:
    """A size as users read it: « 10 Mo », « 2,5 Mo », « 800 Ko »."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} Ko"
    value = size / (1024 * 1024)
    return f"{value:.0f} Mo" if value >= 10 or value.is_integer() else f"{value:.1f} Mo".replace(".", ",")


class ContributionForm(forms.Form):
    text = forms.CharField(
        label="Votre message à la RCP",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT,
        help_text="Contexte, antécédents, traitements en cours, souhaits du patient… (5 000 caractères au plus).",
        error_messages={
            "required": "Écrivez votre message à la RCP.",
            "max_length": "Votre message est trop long : %(limit_value)d caractères au plus "
            "(il en compte %(show_value)d).",
        },
    )
    attachment = forms.FileField(
        label="Pièce jointe (facultative)",
        required=False,
        help_text="PDF, PNG ou JPEG, 10 Mo au plus.",
        error_messages={"empty": "Le fichier joint est vide."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = f"PDF, PNG ou JPEG, {megabytes(max_bytes())} au plus."
        self.fields["attachment"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Écrivez votre message à la RCP.")
        return text

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        if upload.size > max_bytes():
            raise forms.ValidationError(
                f"Le fichier est trop volumineux ({megabytes(upload.size)}) : "
                f"la limite est de {megabytes(max_bytes())}."
            )
        head = upload.read(16)
        upload.seek(0)
        for signature, (content_type, _) in SIGNATURES.items():
            if head.startswith(signature):
                upload.content_type = content_type
                return upload
        raise forms.ValidationError(
            f"« {upload.name} » n'est ni un PDF, ni une image PNG ou JPEG : ce type de fichier n'est pas accepté."
        )


class NoticeSettingsForm(forms.Form):
    delay_working_days = forms.IntegerField(
        label="Délai minimal entre l'inscription et la séance (jours ouvrés)",
        min_value=0,
        max_value=30,
        help_text="Jours ouvrés : du lundi au vendredi, jours fériés français exclus. Par défaut : 2.",
        error_messages={
            "required": "Indiquez le délai en jours ouvrés.",
            "invalid": "Indiquez un nombre entier de jours ouvrés.",
            "min_value": "Le délai ne peut pas être négatif.",
            "max_value": "Le délai ne peut pas dépasser 30 jours ouvrés.",
        },
    )
