"""Who may do what, as plain functions used by views, templates and tests.

Rights are data: ``ProfilePermission`` says which profile holds which ``Permission``; a user
holds a permission through one of their active profile grants, within that grant's scope
(3C and/or establishments; regional profiles cover the whole region). Views never test
profiles directly: they call ``user_can`` or one of the named functions below.
"""

from __future__ import annotations

from django.core.cache import cache

from dcc.accounts.enums import REGIONAL_PROFILES, Permission, Profile


def has_any_profile(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.profiles)


def can_browse_directory(user) -> bool:
    """The regional directory (3C, establishments, professionals) holds no patient data."""
    return has_any_profile(user) or bool(user.is_authenticated and user.is_superuser)


def can_administer(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and user.has_profile(Profile.ADMIN_REGIONAL)))
    )


PERMISSIONS_CACHE_KEY = "dcc:profile-permissions"


def rights_table() -> dict[str, frozenset[str]]:
    """Profile → permissions for every profile: a tiny table, cached (cleared when a row changes)."""
    table = cache.get(PERMISSIONS_CACHE_KEY)
    if table is None:
        from dcc.accounts.models import ProfilePermission

        mapping: dict[str, set[str]] = {profile: set() for profile in Profile.values}
        for profile, permission in ProfilePermission.objects.values_list("profile", "permission"):
            mapping.setdefault(profile, set()).add(permission)
        table = {profile: sorted(held) for profile, held in mapping.items()}
        cache.set(PERMISSIONS_CACHE_KEY, table, 3600)
    return {profile: frozenset(held) for profile, held in table.items()}


def rights_cache_clear() -> None:
    cache.delete(PERMISSIONS_CACHE_KEY)


def profile_permissions(user) -> dict[str, frozenset[str]]:
    """Profile → permissions for the profiles ``user`` holds (no query once the table is cached)."""
    cached = getattr(user, "_dcc_profile_permissions", None)
    if cached is None:
        table = rights_table()
        cached = {profile: table.get(profile, frozenset()) for profile in user.profiles}
        user._dcc_profile_permissions = cached
    return cached


def _grant_covers(grant, *, three_c=None, establishment=None) -> bool:
    if grant.profile in REGIONAL_PROFILES:
        return True
    grant_three_c_ids = {item.pk for item in grant.three_cs.all()}
    grant_establishments = list(grant.establishments.all())
    if three_c is not None:
        three_c_id = getattr(three_c, "pk", three_c)
        if three_c_id not in grant_three_c_ids and all(est.three_c_id != three_c_id for est in grant_establishments):
            return False
    if establishment is not None:
        establishment_id = getattr(establishment, "pk", establishment)
        own = {est.pk for est in grant_establishments}
        if establishment_id not in own:
            if isinstance(establishment, int):
                from dcc.directory.models import Establishment

                establishment = Establishment.objects.only("three_c_id").get(pk=establishment_id)
            if establishment.three_c_id not in grant_three_c_ids:
                return False
    return True


def user_can(user, permission: str, *, three_c=None, establishment=None) -> bool:
    """Whether ``user`` holds ``permission``, within ``three_c`` and/or ``establishment`` when given.

    ``three_c`` and ``establishment`` are model instances or primary keys. A grant covers a 3C it
    names or a 3C of one of its establishments; it covers an establishment it names or one of its
    3Cs' establishments. Regional profiles cover everything.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if permission not in Permission.values:
        raise ValueError(f"Droit inconnu : {permission}")
    permissions = profile_permissions(user)
    scoped = three_c is not None or establishment is not None
    return any(
        permission in permissions.get(grant.profile, ())
        and (not scoped or _grant_covers(grant, three_c=three_c, establishment=establishment))
        for grant in (user.scoped_grants() if scoped else user.active_grants())
    )


def permissions_of(user) -> set[str]:
    """Every permission ``user`` holds somewhere (scope ignored): for menus and tests."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    permissions = profile_permissions(user)
    return {perm for grant in user.active_grants() for perm in permissions.get(grant.profile, ())}


def can_break_glass(user) -> bool:
    return user_can(user, Permission.BREAK_GLASS)


def can_audit_trail(user) -> bool:
    """The regional access trail (every line, filters): the regional admin."""
    return user_can(user, Permission.TRAIL_AUDIT)


def can_impersonate(user) -> bool:
    return user_can(user, Permission.IMPERSONATE)


def can_be_impersonated(target) -> bool:
    """Support never takes over an administrator's or a superuser's account."""
    return bool(
        target.is_active
        and not target.is_superuser
        and not target.is_staff
        and Permission.IMPERSONATE not in permissions_of(target)
    )


def is_logged_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


# Rights that reach patient records, directly or by acting as another user.
PATIENT_REACHING = frozenset({Permission.PATIENT_READ, Permission.IMPERSONATE})


def mfa_required_for(user) -> bool:
    """The regional policy: one-time codes for every profile that reaches patient records."""
    from django.conf import settings

    return bool(settings.DCC_MFA_REQUIRED and PATIENT_REACHING & permissions_of(user))
