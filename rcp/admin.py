from django.contrib import admin

from rcp.models import (
    Attendance,
    CodeListEntry,
    MentionCategory,
    Rcp,
    RcpMember,
    Recurrence,
    Session,
    SessionTransition,
    SpecialtyTag,
)


@admin.register(MentionCategory)
class MentionCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "position"]
    list_editable = ["position"]
    search_fields = ["code", "label", "information"]


@admin.register(SpecialtyTag)
class SpecialtyTagAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "mention", "position"]
    list_filter = ["mention"]
    search_fields = ["code", "label"]
    list_select_related = ["mention"]


class RcpMemberInline(admin.TabularInline):
    model = RcpMember
    extra = 0
    autocomplete_fields = ["professional"]


class RecurrenceInline(admin.TabularInline):
    model = Recurrence
    extra = 0


@admin.register(Rcp)
class RcpAdmin(admin.ModelAdmin):
    list_display = ["title", "establishment", "three_c", "nature", "is_active"]
    list_filter = ["three_c", "nature", "is_active", "tags"]
    search_fields = ["title", "establishment__name"]
    list_select_related = ["establishment", "three_c"]
    filter_horizontal = ["tags", "quorum_required_specialties"]
    inlines = [RcpMemberInline, RecurrenceInline]


class SessionTransitionInline(admin.TabularInline):
    model = SessionTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "note", "by", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the services (and their log), not the admin."""

    list_display = ["rcp", "starts_at", "status", "is_extra"]
    list_filter = ["status", "rcp__three_c"]
    date_hierarchy = "starts_at"
    list_select_related = ["rcp"]
    readonly_fields = ["status", "cancel_reason", "recurrence", "occurrence_date"]
    inlines = [SessionTransitionInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["session", "professional", "mode"]
    list_select_related = ["session__rcp", "professional"]


@admin.register(CodeListEntry)
class CodeListEntryAdmin(admin.ModelAdmin):
    """Loaded from the official files by ``load_value_sets``: read-only here."""

    list_display = ["value_set_name", "code", "label", "code_system"]
    list_filter = ["value_set_name"]
    search_fields = ["code", "label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
