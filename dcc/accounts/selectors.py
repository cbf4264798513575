from __future__ import annotations

from dcc.accounts.enums import HOME_PRIORITY, PATIENT_CARE_PROFILES
from dcc.accounts.models import User
from dcc.directory.models import Establishment


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


def author_context(user: User, *, preferred: str | None = None) -> tuple[str, Establishment | None]:
    """The profile and establishment a document's author writes under (kept on the document for the statistics).

    Among the user's active patient-care grants, in home-page order with ``preferred`` first when held: the first
    grant scoped to an establishment gives both (its first establishment by name). Without one, the first grant's
    profile and the establishment of the user's primary place of practice, else no establishment.
    """
    grants = sorted(
        (grant for grant in user.active_grants() if grant.profile in PATIENT_CARE_PROFILES),
        key=lambda grant: HOME_PRIORITY.index(grant.profile) if grant.profile in HOME_PRIORITY else 99,
    )
    if preferred:
        grants.sort(key=lambda grant: grant.profile != preferred)
    for grant in grants:
        establishment = grant.establishments.order_by("name").first()
        if establishment:
            return grant.profile, establishment
    profile = grants[0].profile if grants else ""
    if user.professional_id:
        place = user.professional.places.select_related("establishment").order_by("-is_primary").first()
        if place:
            return profile, place.establishment
    return profile, None
