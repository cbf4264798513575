"""The DCC's own page to manage users, their profiles and scopes (right ``users_admin``), in French.

The Django admin stays for the rights table and the rare technical edit; this is where a regional administrator
finds a user, sees what they may do and where, grants or withdraws a profile and its scope, and (de)activates
the account. Every change is an ``AccountEvent``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dcc.accounts.enums import AccountEventKind, Permission, Profile
from dcc.accounts.models import AccountEvent, ProfileGrant, User
from dcc.accounts.perms import user_can
from dcc.accounts.services import user_deactivate, user_reactivate
from dcc.directory.models import Establishment, ThreeC
from dcc.widgets import IsoDateInput

PAGE_SIZE = 50


def can_manage_users(user) -> bool:
    return user.is_authenticated and user_can(user, Permission.USERS_ADMIN)


def _require(request):
    if not can_manage_users(request.user):
        raise PermissionDenied


class UserSearchForm(forms.Form):
    q = forms.CharField(label="Nom, e-mail ou RPPS", required=False, max_length=100)
    profile = forms.ChoiceField(label="Profil", required=False, choices=[("", "Tous les profils"), *Profile.choices])
    state = forms.ChoiceField(
        label="État", required=False, choices=[("", "Tous"), ("actifs", "Actifs"), ("inactifs", "Désactivés")]
    )


class GrantForm(forms.Form):
    profile = forms.ChoiceField(label="Profil", choices=Profile.choices)
    three_cs = forms.ModelMultipleChoiceField(
        label="3C",
        required=False,
        queryset=ThreeC.objects.filter(is_active=True),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    establishments = forms.ModelMultipleChoiceField(
        label="Établissements",
        required=False,
        queryset=Establishment.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    end_date = forms.DateField(label="Fin de validité (facultatif)", required=False, widget=IsoDateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishments"].queryset = Establishment.objects.active().order_by("name")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select | forms.SelectMultiple) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        from dcc.accounts.enums import REGIONAL_PROFILES

        profile = data.get("profile")
        scoped = data.get("three_cs") or data.get("establishments")
        if profile and profile not in REGIONAL_PROFILES and profile != Profile.MEDECIN and not scoped:
            raise forms.ValidationError(
                "Ce profil s'exerce dans un périmètre : choisissez au moins un 3C ou un établissement."
            )
        return data


@transaction.atomic
def grant_save(*, user: User, profile: str, three_cs, establishments, end_date, by: User) -> ProfileGrant:
    """Grant ``profile`` to ``user`` within a scope (or change the scope of the grant they already hold)."""
    grant, created = ProfileGrant.objects.get_or_create(user=user, profile=profile)
    grant.is_active = True
    grant.end_date = end_date
    grant.save(update_fields=["is_active", "end_date"])
    grant.three_cs.set(three_cs)
    grant.establishments.set(establishments)
    scope = ", ".join([t.name for t in three_cs] + [e.name for e in establishments]) or "toute la région"
    AccountEvent.objects.create(
        user=user,
        kind=AccountEventKind.GRANT_CHANGED,
        by=by,
        detail=f"{'Profil attribué' if created else 'Périmètre modifié'} : {Profile(profile).label} ({scope})"[:255],
    )
    return grant


@transaction.atomic
def grant_withdraw(*, grant: ProfileGrant, by: User) -> None:
    grant.is_active = False
    grant.save(update_fields=["is_active"])
    AccountEvent.objects.create(
        user=grant.user,
        kind=AccountEventKind.GRANT_CHANGED,
        by=by,
        detail=f"Profil retiré : {grant.get_profile_display()}",
    )


@login_required
def users(request):
    _require(request)
    form = UserSearchForm(request.GET or None)
    queryset = User.objects.select_related("professional").prefetch_related(
        Prefetch("profile_grants", queryset=ProfileGrant.objects.filter(is_active=True).order_by("profile"))
    )
    if form.is_valid():
        q, profile, state = (form.cleaned_data[k] for k in ("q", "profile", "state"))
        if q:
            queryset = queryset.filter(
                Q(email__icontains=q) | Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(professional__rpps=q)
            )
        if profile:
            queryset = queryset.filter(profile_grants__profile=profile, profile_grants__is_active=True).distinct()
        if state:
            queryset = queryset.filter(is_active=state == "actifs")
    rows = list(queryset.order_by("last_name", "first_name", "email")[: PAGE_SIZE + 1])
    return render(
        request,
        "accounts/users/list.html",
        {"form": form, "rows": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE},
    )


@login_required
def user_detail(request, pk: int):
    _require(request)
    account = get_object_or_404(User.objects.select_related("professional__specialty"), pk=pk)
    grants = (
        ProfileGrant.objects.filter(user=account)
        .prefetch_related("three_cs", "establishments")
        .order_by("-is_active", "profile")
    )
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grant_save(
            user=account,
            profile=data["profile"],
            three_cs=list(data["three_cs"]),
            establishments=list(data["establishments"]),
            end_date=data["end_date"],
            by=request.user,
        )
        messages.success(request, f"Profil « {Profile(data['profile']).label} » enregistré pour {account}.")
        return redirect("users:detail", pk=account.pk)
    events = AccountEvent.objects.filter(user=account).select_related("by").order_by("-at")[:20]
    context = {"account": account, "grants": grants, "form": form, "events": events}
    return render(request, "accounts/users/detail.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def grant_withdraw_view(request, pk: int, grant_pk: int):
    _require(request)
    grant = get_object_or_404(ProfileGrant, pk=grant_pk, user_id=pk)
    grant_withdraw(grant=grant, by=request.user)
    messages.success(request, f"Profil « {grant.get_profile_display()} » retiré.")
    return redirect("users:detail", pk=pk)


@login_required
@require_POST
def user_active(request, pk: int):
    _require(request)
    account = get_object_or_404(User, pk=pk)
    if account.pk == request.user.pk:
        messages.error(request, "Vous ne pouvez pas désactiver votre propre compte.")
    elif request.POST.get("active") == "oui":
        user_reactivate(user=account, by=request.user, reason="Depuis la page des utilisateurs")
        messages.success(request, f"Compte de {account} réactivé.")
    else:
        user_deactivate(user=account, by=request.user, reason="Depuis la page des utilisateurs")
        messages.success(request, f"Compte de {account} désactivé.")
    return redirect("users:detail", pk=pk)
