from django.contrib import admin

from interop.hl7.models import Message, Partner, VigilanceItem


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("application", "facility", "establishment", "is_active", "receives_documents", "host", "port")
    list_filter = ("is_active", "receives_documents")
    search_fields = ("application", "facility", "establishment__name", "establishment__finess_geo")
    autocomplete_fields = ("establishment",)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "direction", "partner", "message_type", "control_id", "ack_code", "outcome")
    list_filter = ("direction", "ack_code", "outcome")
    search_fields = ("control_id", "sending_application", "sending_facility")
    list_select_related = ("partner__establishment",)
    raw_id_fields = ("partner", "patient", "document", "duplicate_of", "replayed_from", "replayed_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VigilanceItem)
class VigilanceItemAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "status", "patient")
    list_filter = ("status", "kind")
    raw_id_fields = ("message", "patient", "other_patient", "decided_by")
