from __future__ import annotations

from django.db.models import Prefetch

from dcc.accounts.models import ProfileGrant, User


def user_with_grants(user_id: int) -> User:
    """The user with grants, scopes and professional loaded in a fixed number of queries."""
    grants = ProfileGrant.objects.prefetch_related("three_cs", "establishments__three_c").order_by("profile")
    return (
        User.objects.select_related("professional__specialty")
        .prefetch_related(Prefetch("profile_grants", queryset=grants))
        .get(pk=user_id)
    )


def administrator_emails() -> list[str]:
    """Where security alerts go: active regional administrators, plus ``ADMINS`` from the settings."""
    from django.conf import settings

    from dcc.accounts.enums import Profile

    emails = set(
        User.objects.filter(
            is_active=True, profile_grants__profile=Profile.ADMIN_REGIONAL, profile_grants__is_active=True
        ).values_list("email", flat=True)
    )
    emails.update(email for _, email in settings.ADMINS)
    return sorted(emails)
