"""Admin: the regional protocol base (with CSV import) and the regional library of groupements."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from dcc.accounts.perms import can_administer
from pps.enums import GroupScope
from pps.forms import ProtocolImportForm
from pps.models import EdpGroup, EdpGroupElement, Protocol
from pps.protocol_import import CSV_COLUMNS, protocols_import_csv


class RegionalAdminMixin:
    """The protocol base and the regional library belong to the regional administrators (profile-based)."""

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


@admin.register(Protocol)
class ProtocolAdmin(RegionalAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "drugs", "cycle_length_days", "cycles", "administration_days", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "drugs"]
    change_list_template = "admin/pps/protocol/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="pps_protocol_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        form = ProtocolImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                result = protocols_import_csv(text=form.text())
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(
                    request, f"Import terminé : {result.created} protocole(s) créé(s), {result.updated} mis à jour."
                )
                return redirect("admin:pps_protocol_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Importer des protocoles (CSV)",
            "form": form,
            "errors": errors,
            "columns": CSV_COLUMNS,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/pps/protocol/import.html", context, status=400 if errors else 200)


class EdpGroupElementInline(RegionalAdminMixin, admin.TabularInline):
    model = EdpGroupElement
    extra = 0
    fields = ["position", "kind", "label", "rule_kind", "delay", "rhythm"]


@admin.register(EdpGroup)
class EdpGroupAdmin(RegionalAdminMixin, admin.ModelAdmin):
    list_display = ["name", "scope", "owner", "is_active"]
    list_filter = ["scope", "is_active"]
    search_fields = ["name"]
    inlines = [EdpGroupElementInline]
    fields = ["name", "patient_comment", "is_active"]

    def save_model(self, request, obj, form, change):
        obj.scope = GroupScope.REGIONAL
        obj.owner = None
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(scope=GroupScope.REGIONAL)


# --- PPAC follow-up templates -------------------------------------------------------------------

from pps.models import PpacTemplate, PpacTemplateLine  # noqa: E402


class PpacTemplateLineInline(RegionalAdminMixin, admin.TabularInline):
    model = PpacTemplateLine
    extra = 1
    fields = ["position", "kind", "label", "phases", "first_offset_months", "responsible", "comment"]


@admin.register(PpacTemplate)
class PpacTemplateAdmin(RegionalAdminMixin, admin.ModelAdmin):
    """The regional library of PPAC follow-up templates, per cancer type."""

    list_display = ["name", "cancer_type", "is_active", "updated_at"]
    list_filter = ["cancer_type", "is_active"]
    search_fields = ["name", "cancer_type"]
    inlines = [PpacTemplateLineInline]
