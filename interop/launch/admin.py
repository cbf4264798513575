"""Registering the establishments' launch keys (the regional admin)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from dcc.accounts.perms import can_administer
from interop.launch import services
from interop.launch.keys import KeyRefused, algorithm_of, thumbprint
from interop.launch.models import Launch, LaunchKey


class RegionalAdminMixin:
    """Launch keys and PACS belong to the regional administrators (profile-based, like the protocol base)."""

    def has_module_permission(self, request):
        return can_administer(request.user)

    def has_view_permission(self, request, obj=None):
        return can_administer(request.user)

    def has_add_permission(self, request, *args):
        return can_administer(request.user)

    def has_change_permission(self, request, obj=None):
        return can_administer(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_administer(request.user)


class LaunchKeyForm(forms.ModelForm):
    kid = forms.CharField(
        label="Identifiant de clé (kid)",
        max_length=100,
        required=False,
        help_text="Laisser vide pour utiliser l'empreinte RFC 7638 de la clé.",
    )

    class Meta:
        model = LaunchKey
        fields = ["establishment", "public_key_pem", "kid", "label"]

    def clean(self):
        data = super().clean()
        try:
            algorithm_of(data.get("public_key_pem", ""))
            kid = (data.get("kid") or "").strip() or thumbprint(data["public_key_pem"])
        except KeyRefused as error:
            raise forms.ValidationError(str(error)) from error
        if LaunchKey.objects.filter(kid=kid).exists():
            raise forms.ValidationError(f"Une clé d'identifiant « {kid} » est déjà enregistrée.")
        return data


@admin.register(LaunchKey)
class LaunchKeyAdmin(RegionalAdminMixin, admin.ModelAdmin):
    list_display = ["kid", "establishment", "algorithm", "label", "created_at", "revoked_at"]
    list_filter = ["algorithm", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["kid", "establishment__name", "establishment__finess_geo"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = LaunchKeyForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["establishment", "kid", "algorithm", "public_key_pem", "created_at", "created_by", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["label"])
            return
        key = services.launch_key_add(
            establishment=form.cleaned_data["establishment"],
            public_key_pem=form.cleaned_data["public_key_pem"],
            kid=form.cleaned_data.get("kid", ""),
            label=form.cleaned_data.get("label", ""),
            by=request.user,
        )
        obj.pk = key.pk
        obj.__dict__.update(key.__dict__)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: past launches point to the key

    @admin.action(description="Révoquer les clés sélectionnées")
    def revoke(self, request, queryset):
        for key in queryset:
            services.launch_key_revoke(key=key, by=request.user)
        messages.success(request, f"{queryset.count()} clé(s) révoquée(s).")


@admin.register(Launch)
class LaunchAdmin(RegionalAdminMixin, admin.ModelAdmin):
    list_display = ["received_at", "establishment", "rpps", "ipp", "target", "outcome"]
    list_filter = ["target"]
    search_fields = ["rpps", "ipp", "nonce"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
