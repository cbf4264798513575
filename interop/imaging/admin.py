from django.contrib import admin

from dcc.accounts.perms import can_administer
from interop.imaging.models import AttachedStudy, Pacs


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


@admin.register(Pacs)
class PacsAdmin(RegionalAdminMixin, admin.ModelAdmin):
    list_display = ["name", "establishment", "ae_title", "host", "port", "qido_url", "matches_ins", "is_active"]
    list_filter = ["is_active", "matches_ins"]
    search_fields = ["name", "ae_title", "host", "establishment__name"]


@admin.register(AttachedStudy)
class AttachedStudyAdmin(RegionalAdminMixin, admin.ModelAdmin):
    list_display = ["study_date", "modality", "description", "pacs", "source_type", "source_id", "attached_at"]
    list_filter = ["modality"]
    readonly_fields = [field.name for field in AttachedStudy._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
