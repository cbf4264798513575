"""Users and their profiles. A profile grant is scoped to 3C(s) and/or establishments."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils import timezone

from dcc.accounts.enums import HOME_PRIORITY, REGIONAL_PROFILES, AccountEventKind, Permission, Profile
from dcc.accounts.rights_cache import grants_of
from dcc.directory.models import Establishment, Professional, ThreeC


class DccUserManager(UserManager):
    """Users log in by e-mail: there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField("adresse e-mail", unique=True)
    professional = models.OneToOneField(
        Professional,
        verbose_name="professionnel de santé",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
    )
    phone = models.CharField("téléphone", max_length=30, blank=True)
    expires_on = models.DateField("date d'expiration du compte", null=True, blank=True)
    mfa_grace_until = models.DateTimeField("fin du délai pour activer les codes à usage unique", null=True, blank=True)
    inactivity_warned_at = models.DateTimeField("avertissement d'inactivité envoyé le", null=True, blank=True)
    reactivated_at = models.DateTimeField("réactivé le", null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = DccUserManager()

    _active_grants: list | None = None

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.professional_id:
            return self.professional.display_name
        full = self.get_full_name()
        return full or self.email

    def active_grants(self) -> list[ProfileGrant]:
        """The grants in force today, computed once per user instance (that is, once per request)."""
        if self._active_grants is None:
            self._active_grants = self._compute_active_grants()
        return self._active_grants

    def _compute_active_grants(self) -> list[ProfileGrant]:
        today = timezone.localdate()
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("profile_grants")
        grants = list(prefetched) if prefetched is not None else grants_of(self)
        return [grant for grant in grants if grant.is_active and (grant.end_date is None or grant.end_date >= today)]

    def scoped_grants(self) -> list[ProfileGrant]:
        """The active grants with their 3Cs and establishments loaded (once per user instance)."""
        cached = getattr(self, "_scoped_grants", None)
        if cached is None:
            grants = self.active_grants()
            if grants and "three_cs" not in getattr(grants[0], "_prefetched_objects_cache", {}):
                prefetch_related_objects(grants, "three_cs", "establishments")
            cached = self._scoped_grants = grants
        return cached

    def is_expired(self, today=None) -> bool:
        return self.expires_on is not None and self.expires_on < (today or timezone.localdate())

    @property
    def profiles(self) -> set[str]:
        return {grant.profile for grant in self.active_grants()}

    def has_profile(self, profile: str) -> bool:
        return profile in self.profiles

    @property
    def main_profile(self) -> str | None:
        held = self.profiles
        return next((profile for profile in HOME_PRIORITY if profile in held), None)


class ProfileGrant(models.Model):
    """One profile held by a user, within a scope (3C and/or establishments)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="profile_grants")
    profile = models.CharField("profil", max_length=32, choices=Profile.choices)
    three_cs = models.ManyToManyField(ThreeC, verbose_name="3C", blank=True, related_name="profile_grants")
    establishments = models.ManyToManyField(
        Establishment, verbose_name="établissements", blank=True, related_name="profile_grants"
    )
    is_active = models.BooleanField("actif", default=True)
    end_date = models.DateField("fin de validité", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "profil attribué"
        verbose_name_plural = "profils attribués"
        constraints = [models.UniqueConstraint(fields=["user", "profile"], name="unique_profile_per_user")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_profile_display()}"

    @property
    def is_regional(self) -> bool:
        """A regional profile (registry, admin…) covers the region; any other grant without a 3C or an
        establishment covers only the patients in the user's care (a GP)."""
        return self.profile in REGIONAL_PROFILES


class ProfilePermission(models.Model):
    """One right held by every holder of a profile (the regional admin edits these rows)."""

    profile = models.CharField("profil", max_length=32, choices=Profile.choices)
    permission = models.CharField("droit", max_length=32, choices=Permission.choices)

    class Meta:
        verbose_name = "droit d'un profil"
        verbose_name_plural = "droits des profils"
        ordering = ["profile", "permission"]
        constraints = [models.UniqueConstraint(fields=["profile", "permission"], name="unique_profile_permission")]

    def __str__(self) -> str:
        return f"{self.get_profile_display()} : {self.get_permission_display()}"


class AccountEvent(models.Model):
    """The transition log of an account's lifecycle (deactivation, warning, reactivation, CGU)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events")
    kind = models.CharField("événement", max_length=32, choices=AccountEventKind.choices)
    at = models.DateTimeField("date", default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    detail = models.CharField("détail", max_length=255, blank=True)

    class Meta:
        verbose_name = "événement du compte"
        verbose_name_plural = "événements des comptes"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} ({self.at:%d/%m/%Y})"


class TermsOfUse(models.Model):
    """A published version of the terms of use (CGU). The latest one must be accepted to use the DCC."""

    version = models.CharField("version", max_length=20, unique=True)
    published_at = models.DateTimeField("publiée le", default=timezone.now)
    text = models.TextField("texte")

    class Meta:
        verbose_name = "conditions générales d'utilisation"
        verbose_name_plural = "conditions générales d'utilisation"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"CGU {self.version}"


class TermsAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="terms_acceptances")
    terms = models.ForeignKey(TermsOfUse, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField("acceptées le", default=timezone.now)

    class Meta:
        verbose_name = "acceptation des CGU"
        verbose_name_plural = "acceptations des CGU"
        constraints = [models.UniqueConstraint(fields=["user", "terms"], name="unique_terms_acceptance")]

    def __str__(self) -> str:
        return f"{self.user} — {self.terms}"


class LoginFailure(models.Model):
    """One failed password login: the lockout per account and the (much higher) limit per address read these.

    Kept in the database, not the cache, so a lockout holds while Redis is away.
    """

    at = models.DateTimeField("date", default=timezone.now)
    login = models.CharField("identifiant saisi", max_length=254)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    class Meta:
        verbose_name = "échec de connexion"
        verbose_name_plural = "échecs de connexion"
        indexes = [models.Index(fields=["login", "-at"]), models.Index(fields=["ip_address", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.login}"
