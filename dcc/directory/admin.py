from django.contrib import admin

from dcc.directory.models import (
    Establishment,
    MssAddress,
    MssAddressEvent,
    PlaceOfPractice,
    Professional,
    Specialty,
    ThreeC,
)


@admin.register(ThreeC)
class ThreeCAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "email", "is_active"]
    search_fields = ["name", "code"]
    list_filter = ["is_active"]


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["name", "finess_geo", "finess_legal", "kind", "town", "three_c", "is_active"]
    list_filter = ["kind", "three_c", "is_active"]
    search_fields = ["name", "town", "finess_geo", "finess_legal"]
    list_select_related = ["three_c"]


class PlaceOfPracticeInline(admin.TabularInline):
    model = PlaceOfPractice
    extra = 0
    autocomplete_fields = ["establishment"]


@admin.register(Professional)
class ProfessionalAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "rpps", "profession", "specialty", "mss_address", "is_active"]
    list_filter = ["profession", "is_liberal", "is_active"]
    search_fields = ["last_name", "first_name", "rpps", "mss_address"]
    list_select_related = ["specialty"]
    autocomplete_fields = ["specialty"]
    inlines = [PlaceOfPracticeInline]


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["code", "label"]
    search_fields = ["code", "label"]


class MssAddressEventInline(admin.TabularInline):
    model = MssAddressEvent
    extra = 0
    readonly_fields = ["action", "detail", "by", "at"]
    can_delete = False


@admin.register(MssAddress)
class MssAddressAdmin(admin.ModelAdmin):
    list_display = ["address", "mailbox_type", "professional", "establishment", "status", "status_changed_at"]
    list_filter = ["mailbox_type", "status"]
    search_fields = ["address", "professional__last_name", "professional__rpps", "establishment__name"]
    list_select_related = ["professional", "establishment"]
    autocomplete_fields = ["professional", "establishment"]
    readonly_fields = ["status_changed_at", "status_changed_by", "created_at", "updated_at"]
    inlines = [MssAddressEventInline]
