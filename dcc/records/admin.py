from django.contrib import admin

from dcc.records.models import AccessTrail, BreakGlassGrant


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessTrail)
class AccessTrailAdmin(ReadOnlyAdmin):
    list_display = ["at", "user_label", "acting_as_label", "action", "patient_id", "connection_method", "ip_address"]
    list_filter = ["action", "connection_method"]
    search_fields = ["user_label", "acting_as_label", "=patient_id"]
    date_hierarchy = "at"


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(ReadOnlyAdmin):
    list_display = ["opened_at", "user", "patient", "expires_at", "alerted_at"]
    raw_id_fields = ["user", "patient"]
