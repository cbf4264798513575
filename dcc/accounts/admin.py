from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from dcc.accounts import services
from dcc.accounts.models import AccountEvent, ProfileGrant, ProfilePermission, TermsOfUse, User


class ProfileGrantInline(admin.StackedInline):
    model = ProfileGrant
    extra = 0
    filter_horizontal = ["three_cs", "establishments"]


class AccountEventInline(admin.TabularInline):
    model = AccountEvent
    fk_name = "user"
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "by", "detail"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "last_name", "first_name", "is_active", "last_login", "expires_on"]
    list_filter = ["is_active", "is_staff", "profile_grants__profile"]
    search_fields = ["email", "last_name", "first_name", "professional__rpps"]
    autocomplete_fields = ["professional"]
    inlines = [ProfileGrantInline, AccountEventInline]
    actions = ["deactivate", "reactivate"]
    # The account's state changes only through the actions below, each logged in AccountEvent.
    readonly_fields = ["is_active", "mfa_grace_until", "inactivity_warned_at", "reactivated_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "phone", "professional"]}),
        ("Statut", {"fields": ["is_active", "expires_on", "is_staff", "is_superuser"]}),
        ("Sécurité", {"fields": ["mfa_grace_until", "inactivity_warned_at", "reactivated_at"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    @admin.action(description="Désactiver les comptes sélectionnés")
    def deactivate(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            services.user_deactivate(user=user, by=request.user, reason="désactivation depuis l'administration")
            count += 1
        self.message_user(request, f"{count} compte(s) désactivé(s).", messages.SUCCESS)

    @admin.action(description="Réactiver les comptes sélectionnés")
    def reactivate(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=False):
            services.user_reactivate(user=user, by=request.user, reason="réactivation depuis l'administration")
            count += 1
        self.message_user(request, f"{count} compte(s) réactivé(s).", messages.SUCCESS)


@admin.register(ProfilePermission)
class ProfilePermissionAdmin(admin.ModelAdmin):
    list_display = ["profile", "permission"]
    list_filter = ["profile", "permission"]


@admin.register(TermsOfUse)
class TermsOfUseAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.terms_cache_clear()

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None  # a published version is never rewritten: publish a new one
