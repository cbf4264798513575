from django.contrib import admin

from interop.mss.models import ReceivedMessage, RecipientRule


@admin.register(RecipientRule)
class RecipientRuleAdmin(admin.ModelAdmin):
    list_display = ["source_type", "role", "is_active", "note"]
    list_editable = ["is_active"]
    list_filter = ["source_type", "is_active"]


@admin.register(ReceivedMessage)
class ReceivedMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "kind", "status", "subject", "from_address", "resulting_state", "code"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "message_id", "from_address"]
    readonly_fields = [f.name for f in ReceivedMessage._meta.fields if f.name not in ("reviewed_at", "reviewed_by")]
    raw_id_fields = ["outbox_message", "reviewed_by"]
