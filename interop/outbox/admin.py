from django.contrib import admin

from interop.outbox.models import OutboxMessage, OutboxTransition


class TransitionInline(admin.TabularInline):
    model = OutboxTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "at", "code", "detail", "by"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "kind", "recipient_address", "state", "attempts", "last_code"]
    list_filter = ["channel", "kind", "state"]
    search_fields = ["recipient_address", "recipient_label", "message_id", "source_id"]
    raw_id_fields = ["professional", "establishment", "patient", "document", "created_by", "resent_from"]
    readonly_fields = ["message_id", "dedupe_key", "state", "attempts"]
    inlines = [TransitionInline]
