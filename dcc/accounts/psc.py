"""Pro Santé Connect (PSC): the national OpenID Connect provider of health professionals.

PSC's conventions, which a stock OIDC client gets wrong:
- the discovery document is at ``<issuer>/.well-known/wallet-openid-configuration``;
- the authorization request must carry ``acr_values=eidas1`` and ``scope=openid scope_all``, and
  the ID token's ``acr`` must be ``eidas1`` (substantial level: e-CPS or CPS card);
- the userinfo answer is JSON or a signed JWT (``application/jwt``);
- the professional is identified by ``SubjectNameID``: the national id (IDNPS), ``8`` + RPPS.

The client is plain HTTP (urllib) plus JOSE checks with ``joserfc``. ``psc_authorize_url`` builds
the redirection (state and nonce kept in the session), ``psc_complete`` checks everything that
comes back and returns the DCC user to log in. Every refusal raises ``PscRefused`` with a French
message for the user and a technical detail for the trail.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dcc.accounts.enums import AccountEventKind, Profile
from dcc.accounts.models import AccountEvent, ProfileGrant, User
from dcc.directory.enums import Profession
from dcc.directory.models import Professional

SESSION_KEY = "dcc_psc_pending"
ID_TOKEN_SESSION_KEY = "dcc_psc_id_token"  # noqa: S105 - a session key name, not a secret
DISCOVERY_PATH = "/.well-known/wallet-openid-configuration"
REQUIRED_ACR = "eidas1"
SCOPE = "openid scope_all"
HTTP_TIMEOUT = 10
CLOCK_SKEW = 60


class PscRefused(Exception):
    def __init__(self, message: str, detail: str = "", user: User | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.user = user


@dataclass(frozen=True)
class PscIdentity:
    subject: str
    rpps: str
    given_name: str
    family_name: str
    claims: dict


# --- HTTP --------------------------------------------------------------------------------


def _http(url: str, *, data: bytes | None = None, headers: dict | None = None) -> tuple[bytes, str]:
    """GET (or POST when ``data``) over HTTP(S) only; every failure becomes a French refusal."""
    if urllib.parse.urlsplit(url).scheme not in {"https", "http"}:
        raise PscRefused(_UNAVAILABLE, f"URL refusée : {url}")
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - scheme checked above
            return response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        raise PscRefused(_UNAVAILABLE, f"{url} a répondu {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise PscRefused(_UNAVAILABLE, f"{url} injoignable : {error}") from error


def _get_json(url: str) -> dict:
    body, _ = _http(url, headers={"Accept": "application/json"})
    try:
        return json.loads(body)
    except ValueError as error:
        raise PscRefused(_UNAVAILABLE, f"réponse illisible de {url}") from error


_UNAVAILABLE = "Pro Santé Connect est momentanément indisponible. Réessayez ou connectez-vous avec votre mot de passe."
_INVALID = "La connexion par Pro Santé Connect a échoué : la réponse reçue n'est pas valide."


# --- Discovery and keys --------------------------------------------------------------------


def configuration() -> dict:
    """PSC's discovery document (non-standard path), cached for an hour."""
    issuer = settings.DCC_PSC_ISSUER.rstrip("/")
    key = f"dcc:psc:discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        document = _get_json(issuer + DISCOVERY_PATH)
        if document.get("issuer", "").rstrip("/") != issuer:
            raise PscRefused(_UNAVAILABLE, f"émetteur du document de découverte inattendu : {document.get('issuer')}")
        cache.set(key, document, 3600)
    return document


def _key_set(*, refresh: bool = False) -> KeySet:
    uri = configuration()["jwks_uri"]
    key = f"dcc:psc:jwks:{uri}"
    data = None if refresh else cache.get(key)
    if data is None:
        data = _get_json(uri)
        cache.set(key, data, 3600)
    return KeySet.import_key_set(data)


def _verify(token: str, *, what: str) -> jwt.Token:
    """Check a JWT's signature against PSC's keys (refetched once when the key id is unknown)."""
    for refresh in (False, True):
        try:
            return jwt.decode(token, _key_set(refresh=refresh), algorithms=["RS256", "ES256", "PS256"])
        except (ValueError, JoseError) as error:
            last = error
    raise PscRefused(_INVALID, f"{what} : signature invalide ({last})")


# --- The flow ----------------------------------------------------------------------------


def redirect_uri(request) -> str:
    from django.urls import reverse

    return settings.DCC_PSC_REDIRECT_URI or request.build_absolute_uri(reverse("accounts:psc_callback"))


def psc_authorize_url(request, *, next_url: str = "") -> str:
    """The authorization request; state and nonce go in the session, with the time for expiry."""
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {"state": state, "nonce": nonce, "at": time.time(), "next": next_url}
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": settings.DCC_PSC_CLIENT_ID,
            "redirect_uri": redirect_uri(request),
            "scope": SCOPE,
            "acr_values": REQUIRED_ACR,
            "state": state,
            "nonce": nonce,
        }
    )
    return f"{configuration()['authorization_endpoint']}?{query}"


def _pending(request, state: str) -> dict:
    pending = request.session.pop(SESSION_KEY, None)
    if not pending or not state or not secrets.compare_digest(str(pending.get("state", "")), state):
        raise PscRefused(
            "La demande de connexion Pro Santé Connect n'est pas valide. Recommencez la connexion.",
            "state absent ou différent",
        )
    if time.time() - pending["at"] > settings.DCC_PSC_STATE_MAX_SECONDS:
        raise PscRefused(
            "La demande de connexion Pro Santé Connect a expiré. Recommencez la connexion.", "state expiré"
        )
    return pending


def _exchange(request, code: str) -> dict:
    credentials = f"{settings.DCC_PSC_CLIENT_ID}:{settings.DCC_PSC_CLIENT_SECRET}".encode()
    body = urllib.parse.urlencode(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(request)}
    ).encode()
    raw, _ = _http(
        configuration()["token_endpoint"],
        data=body,
        headers={
            "Authorization": "Basic " + base64.b64encode(credentials).decode(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    try:
        tokens = json.loads(raw)
    except ValueError as error:
        raise PscRefused(_INVALID, "réponse du jeton illisible") from error
    if not tokens.get("id_token") or not tokens.get("access_token"):
        raise PscRefused(_INVALID, "jeton d'identité ou d'accès absent")
    return tokens


def _check_id_token(id_token: str, *, nonce: str) -> dict:
    claims = _verify(id_token, what="jeton d'identité").claims
    issuer = configuration()["issuer"]
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    now = time.time()
    if claims.get("iss") != issuer:
        raise PscRefused(_INVALID, f"émetteur inattendu : {claims.get('iss')}")
    if settings.DCC_PSC_CLIENT_ID not in audiences:
        raise PscRefused(_INVALID, f"audience inattendue : {audience}")
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] < now - CLOCK_SKEW:
        raise PscRefused("La connexion Pro Santé Connect a expiré. Recommencez la connexion.", "jeton expiré")
    if not claims.get("nonce") or not secrets.compare_digest(str(claims["nonce"]), nonce):
        raise PscRefused(
            "La demande de connexion Pro Santé Connect n'est pas valide. Recommencez la connexion.", "nonce différent"
        )
    if claims.get("acr") != REQUIRED_ACR:
        raise PscRefused(
            "Votre moyen d'identification n'a pas le niveau de sécurité requis (carte CPS ou e-CPS).",
            f"acr {claims.get('acr')!r} au lieu de {REQUIRED_ACR}",
        )
    return claims


def _userinfo(access_token: str) -> dict:
    body, content_type = _http(
        configuration()["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json, application/jwt"},
    )
    if content_type.split(";")[0].strip() == "application/jwt":
        return _verify(body.decode().strip(), what="informations de l'utilisateur").claims
    try:
        return json.loads(body)
    except ValueError as error:
        raise PscRefused(_INVALID, "informations de l'utilisateur illisibles") from error


def rpps_from(claims: dict) -> str:
    """RPPS from ``SubjectNameID`` (IDNPS ``8`` + 11-digit RPPS, or the bare RPPS)."""
    national_id = str(claims.get("SubjectNameID") or "").strip()
    if len(national_id) == 12 and national_id.startswith("8") and national_id.isdigit():
        return national_id[1:]
    if len(national_id) == 11 and national_id.isdigit():
        return national_id
    return ""


def psc_complete(request, *, code: str, state: str) -> tuple[User, PscIdentity, str, str]:
    """Check the answer of PSC and return (user, identity, id token, next URL)."""
    pending = _pending(request, state)
    if not code:
        raise PscRefused(_INVALID, "code d'autorisation absent")
    tokens = _exchange(request, code)
    id_claims = _check_id_token(tokens["id_token"], nonce=pending["nonce"])
    userinfo = _userinfo(tokens["access_token"])
    if userinfo.get("sub") != id_claims.get("sub"):
        raise PscRefused(_INVALID, "sub des informations de l'utilisateur différent du jeton d'identité")
    rpps = rpps_from(userinfo)
    identity = PscIdentity(
        subject=str(id_claims["sub"]),
        rpps=rpps,
        given_name=str(userinfo.get("given_name", "")),
        family_name=str(userinfo.get("family_name", "")),
        claims=userinfo,
    )
    if not rpps:
        raise PscRefused(
            "Votre identifiant national de professionnel de santé n'a pas été transmis par Pro Santé Connect.",
            f"SubjectNameID inexploitable : {userinfo.get('SubjectNameID')!r}",
        )
    user = user_for(identity)
    if not user.is_active or user.is_expired():
        raise PscRefused(
            "Votre compte DCC est désactivé ou expiré : contactez l'administrateur régional.",
            f"compte désactivé ou expiré (RPPS {rpps})",
            user=user,
        )
    return user, identity, tokens["id_token"], pending.get("next", "")


@transaction.atomic
def user_for(identity: PscIdentity) -> User:
    """The DCC user of this professional: the linked account, or one provisioned from the directory."""
    professional = Professional.objects.filter(rpps=identity.rpps, is_active=True).first()
    if professional is None:
        raise PscRefused(
            "Votre numéro RPPS ne figure pas dans l'annuaire régional du DCC : contactez l'administrateur régional.",
            f"RPPS inconnu de l'annuaire : {identity.rpps}",
        )
    user = User.objects.filter(professional=professional).first()
    if user is not None:
        return user
    email = (professional.email or professional.mss_address or f"rpps-{identity.rpps}@psc.dcc.invalid").lower()
    if User.objects.filter(email=email).exists():
        user = User.objects.get(email=email)
        if user.professional_id is None:
            user.professional = professional
            user.save(update_fields=["professional"])
            AccountEvent.objects.create(user=user, kind=AccountEventKind.PSC_LINKED, detail=f"RPPS {identity.rpps}")
            return user
        email = f"rpps-{identity.rpps}@psc.dcc.invalid"
    user = User.objects.create_user(
        email=email,
        password=None,
        first_name=professional.first_name or identity.given_name,
        last_name=professional.last_name or identity.family_name,
        professional=professional,
    )
    if professional.profession in {Profession.MEDECIN, Profession.PHARMACIEN}:
        grant = ProfileGrant.objects.create(user=user, profile=Profile.MEDECIN)
        grant.establishments.set(professional.establishments.all())
    AccountEvent.objects.create(user=user, kind=AccountEventKind.PSC_PROVISIONED, detail=f"RPPS {identity.rpps}")
    return user


def psc_logout_url(request) -> str | None:
    """Where to send a user who logged in with PSC when they log out: PSC's end-session endpoint
    (``id_token_hint``, ``post_logout_redirect_uri``, ``state``), so the PSC session ends too."""
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if not id_token or not settings.DCC_PSC_ENABLED:
        return None
    from django.urls import reverse

    try:
        endpoint = configuration().get("end_session_endpoint")
    except PscRefused:
        return None
    if not endpoint:
        return None
    query = urllib.parse.urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("account_login")),
            "state": secrets.token_urlsafe(16),
        }
    )
    return f"{endpoint}?{query}"
