from django.contrib import admin

from rcp.gp.models import GpContribution, GpNotice, GpNoticeSettings


@admin.register(GpNoticeSettings)
class GpNoticeSettingsAdmin(admin.ModelAdmin):
    list_display = ["delay_working_days", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request):
        return not GpNoticeSettings.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(GpNotice)
class GpNoticeAdmin(admin.ModelAdmin):
    list_display = ["dossier", "professional", "outcome", "session_starts_at", "consultations", "created_at"]
    list_filter = ["outcome"]
    list_select_related = ["dossier__session__rcp", "professional"]
    raw_id_fields = ["dossier", "patient", "professional"]
    search_fields = ["professional__last_name", "recipient_address"]


@admin.register(GpContribution)
class GpContributionAdmin(admin.ModelAdmin):
    list_display = ["dossier", "professional", "created_at", "attachment_name"]
    raw_id_fields = ["dossier", "patient", "professional", "author"]
