from django.contrib import admin

from interop.imaging.models import AttachedStudy, Pacs


@admin.register(Pacs)
class PacsAdmin(admin.ModelAdmin):
    list_display = ["name", "establishment", "ae_title", "host", "port", "matches_ins", "is_active"]
    list_filter = ["is_active", "matches_ins"]
    search_fields = ["name", "ae_title", "host", "establishment__name"]
    autocomplete_fields = ["establishment"]


@admin.register(AttachedStudy)
class AttachedStudyAdmin(admin.ModelAdmin):
    list_display = ["study_date", "modality", "description", "pacs", "source_type", "source_id", "attached_at"]
    list_filter = ["modality"]
    readonly_fields = [field.name for field in AttachedStudy._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
