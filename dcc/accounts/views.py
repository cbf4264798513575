from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dcc.accounts.enums import Profile
from dcc.accounts.selectors import user_with_grants
from dcc.directory import selectors as directory


@login_required
def home(request):
    """Each profile lands on what that person does first."""
    user = user_with_grants(request.user.pk)
    request.user = user  # the navigation reuses the grants loaded here
    profile = user.main_profile
    grants = user.active_grants()
    three_cs = {three_c for grant in grants for three_c in grant.three_cs.all()}
    establishments = {est for grant in grants for est in grant.establishments.all()}
    context = {
        "account": user,
        "profile": profile,
        "profile_label": Profile(profile).label if profile else "",
        "grants": grants,
    }
    if profile in {Profile.SECRETAIRE_3C, Profile.ADMIN_REGIONAL}:
        context["three_c_summaries"] = directory.three_c_summaries(three_cs or None)
    if user.professional_id:
        context["places"] = directory.places_of(user.professional)
    if establishments:
        context["establishments"] = sorted(establishments, key=lambda est: est.name)
    template = f"accounts/home/{profile}.html" if profile else "accounts/home/no_profile.html"
    return render(request, template, context)
