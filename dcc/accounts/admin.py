from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from dcc.accounts.models import ProfileGrant, User


class ProfileGrantInline(admin.StackedInline):
    model = ProfileGrant
    extra = 0
    filter_horizontal = ["three_cs", "establishments"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "last_name", "first_name", "is_active", "last_login", "expires_on"]
    list_filter = ["is_active", "is_staff", "profile_grants__profile"]
    search_fields = ["email", "last_name", "first_name", "professional__rpps"]
    autocomplete_fields = ["professional"]
    inlines = [ProfileGrantInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "phone", "professional"]}),
        ("Statut", {"fields": ["is_active", "expires_on", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
