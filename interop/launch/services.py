"""Contextual launch: register keys, check a launch token, sign demo tokens.

The token is a compact JWS (a JWT) signed by the establishment with one of its registered keys:

- header: ``alg`` (``Ed25519`` or ``ES256``, the key's), ``kid`` (the registered key id);
- claims: ``iss`` the establishment's FINESS (géographique), ``aud`` the DCC
  (``DCC_LAUNCH_AUDIENCE``), ``sub`` the user's RPPS, ``patient`` = ``{"ipp": …, "ins": …}``
  (IPP of that establishment; INS when known), ``target`` (``patient`` or ``demande_avis``),
  ``iat`` and ``exp`` (seconds; at most ``DCC_LAUNCH_MAX_LIFETIME_SECONDS`` = 60 apart), ``jti``
  the single-use nonce.

Every check fails with ``LaunchRefused`` (a French message for the page, a detail for the trail).
"""

from __future__ import annotations

import datetime
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact

from dcc.directory.models import Establishment, Professional
from identity.models import LocalIdentifier, Patient
from identity.nir import clean as clean_nir
from interop.launch.enums import LaunchTarget
from interop.launch.keys import KeyRefused, algorithm_of, jose_key, thumbprint
from interop.launch.models import Launch, LaunchKey, SimulatorKey

MAX_TOKEN_LENGTH = 4096
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{16,128}$")
RPPS_PATTERN = re.compile(r"^\d{11}$")

_RESTART = "Relancez l'ouverture du DCC depuis le dossier patient de votre établissement."


class LaunchRefused(Exception):
    """A launch that must not log anyone in: ``message`` for the user, ``detail`` for the trail."""

    def __init__(self, message: str, detail: str, *, status: int = 403, user=None):
        super().__init__(detail)
        self.message = message
        self.detail = detail
        self.status = status
        self.user = user


@dataclass(frozen=True)
class LaunchAccepted:
    user: object
    patient: Patient
    target: str
    launch: Launch


# --- Keys -----------------------------------------------------------------------------------


@transaction.atomic
def launch_key_add(
    *, establishment: Establishment, public_key_pem: str, kid: str = "", label: str = "", by=None
) -> LaunchKey:
    """Register one more public key for ``establishment`` (the others stay valid: rotation)."""
    algorithm = algorithm_of(public_key_pem)
    kid = (kid or "").strip() or thumbprint(public_key_pem)
    if LaunchKey.objects.filter(kid=kid).exists():
        raise KeyRefused(f"Une clé d'identifiant « {kid} » est déjà enregistrée.")
    return LaunchKey.objects.create(
        establishment=establishment,
        kid=kid,
        algorithm=algorithm,
        public_key_pem=public_key_pem.strip() + "\n",
        label=label,
        created_by=by,
    )


@transaction.atomic
def launch_key_revoke(*, key: LaunchKey, by=None) -> LaunchKey:
    """Stop accepting tokens signed with ``key`` (rows are kept: past launches point to them)."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


# --- Checking a launch ----------------------------------------------------------------------


def _malformed(detail: str) -> LaunchRefused:
    return LaunchRefused(f"Le lien d'appel contextuel est mal formé. {_RESTART}", detail, status=400)


def _verified_claims(token: str) -> tuple[LaunchKey, dict]:
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise _malformed("jeton absent, trop long ou pas au format JWS compact")
    try:
        header = extract_compact(token.encode()).headers()
    except (JoseError, ValueError, TypeError) as error:
        raise _malformed(f"en-tête illisible ({error})") from error
    kid = str(header.get("kid") or "")[:100]
    key = LaunchKey.objects.active().select_related("establishment").filter(kid=kid).first() if kid else None
    if key is None:
        raise LaunchRefused(
            "La signature de l'appel contextuel n'est pas reconnue : la clé de votre établissement n'est pas "
            "enregistrée dans le DCC ou a été révoquée. Contactez l'administrateur régional.",
            f"clé inconnue ou révoquée (kid {kid or 'absent'!r})",
        )
    if header.get("alg") != key.algorithm:
        raise LaunchRefused(
            f"La signature de l'appel contextuel n'est pas valide. {_RESTART}",
            f"algorithme {header.get('alg')!r} au lieu de {key.algorithm} (kid {key.kid})",
        )
    try:
        claims = jwt.decode(token, jose_key(key.public_key_pem, key.algorithm), algorithms=[key.algorithm]).claims
    except (JoseError, ValueError, TypeError) as error:
        raise LaunchRefused(
            f"La signature de l'appel contextuel n'est pas valide. {_RESTART}",
            f"signature invalide (kid {key.kid}, {type(error).__name__})",
        ) from error
    return key, claims


def _check_claims(key: LaunchKey, claims: dict, *, now: float) -> dict:
    establishment = key.establishment
    if str(claims.get("iss") or "") != establishment.finess_geo:
        raise LaunchRefused(
            "L'établissement émetteur de l'appel contextuel ne correspond pas à sa clé. Contactez l'administrateur "
            "régional.",
            f"iss {claims.get('iss')!r} au lieu du FINESS {establishment.finess_geo} (kid {key.kid})",
        )
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if settings.DCC_LAUNCH_AUDIENCE not in audiences:
        raise LaunchRefused(
            f"Cet appel contextuel n'est pas destiné au DCC. {_RESTART}", f"audience inattendue : {audience!r}"
        )
    issued, expires = claims.get("iat"), claims.get("exp")
    if not isinstance(issued, int | float) or not isinstance(expires, int | float):
        raise _malformed("iat ou exp absent")
    skew = settings.DCC_LAUNCH_CLOCK_SKEW_SECONDS
    if issued > now + skew:
        raise LaunchRefused(
            "L'appel contextuel est daté dans le futur : l'horloge du dossier patient de votre établissement "
            "semble déréglée. Contactez votre service informatique.",
            f"iat dans le futur de {issued - now:.0f} s",
        )
    if expires <= issued or expires - issued > settings.DCC_LAUNCH_MAX_LIFETIME_SECONDS:
        raise LaunchRefused(
            f"La durée de validité de l'appel contextuel est incorrecte (60 secondes au plus). {_RESTART}",
            f"durée de validité de {expires - issued:.0f} s",
        )
    if now > expires + skew:
        raise LaunchRefused(
            f"Le lien d'appel contextuel a expiré (il n'est valable qu'une minute). {_RESTART}",
            f"jeton expiré depuis {now - expires:.0f} s",
        )
    nonce = str(claims.get("jti") or "")
    if not NONCE_PATTERN.match(nonce):
        raise _malformed("jti (nonce) absent ou invalide")
    rpps = str(claims.get("sub") or "")
    if not RPPS_PATTERN.match(rpps):
        raise _malformed("sub (RPPS) absent ou invalide")
    patient = claims.get("patient")
    if not isinstance(patient, dict) or not str(patient.get("ipp") or "").strip():
        raise _malformed("patient.ipp absent")
    ipp = str(patient["ipp"]).strip()[:40]
    ins = clean_nir(str(patient.get("ins") or ""))
    target = str(claims.get("target") or LaunchTarget.PATIENT)
    if target not in LaunchTarget.values:
        raise _malformed(f"cible inconnue : {target!r}")
    return {"nonce": nonce, "rpps": rpps, "ipp": ipp, "ins": ins, "target": target, "iat": issued, "exp": expires}


def _consume_nonce(key: LaunchKey, checked: dict) -> Launch:
    """Record the nonce (single use, per establishment), committed whatever happens next."""
    stamp = datetime.UTC
    try:
        with transaction.atomic():
            return Launch.objects.create(
                establishment=key.establishment,
                key=key,
                nonce=checked["nonce"],
                issued_at=datetime.datetime.fromtimestamp(checked["iat"], tz=stamp),
                expires_at=datetime.datetime.fromtimestamp(checked["exp"], tz=stamp),
                rpps=checked["rpps"],
                ipp=checked["ipp"],
                target=checked["target"],
            )
    except IntegrityError as error:
        raise LaunchRefused(
            f"Ce lien d'appel contextuel a déjà été utilisé (un lien ne sert qu'une fois). {_RESTART}",
            f"nonce rejoué : {checked['nonce']} (FINESS {key.establishment.finess_geo})",
        ) from error


def _user_for(key: LaunchKey, rpps: str):
    from dcc.accounts.models import User

    professional = Professional.objects.filter(rpps=rpps, is_active=True).first()
    user = User.objects.filter(professional=professional).first() if professional is not None else None
    if user is None:
        raise LaunchRefused(
            "Aucun compte DCC n'est relié à votre numéro RPPS : contactez l'administrateur régional pour en "
            "obtenir un.",
            f"RPPS sans compte DCC : {rpps}",
        )
    if not user.is_active or user.is_expired():
        raise LaunchRefused(
            "Votre compte DCC est désactivé ou expiré : contactez l'administrateur régional.",
            f"compte désactivé ou expiré (RPPS {rpps})",
            user=user,
        )
    works_there = professional.places.filter(establishment=key.establishment).exists() or any(
        key.establishment in grant.establishments.all() for grant in user.active_grants()
    )
    if not works_there:
        raise LaunchRefused(
            "Votre établissement ne peut pas ouvrir le DCC en votre nom : vous n'y êtes pas déclaré(e) comme lieu "
            "d'exercice. Contactez l'administrateur régional.",
            f"RPPS {rpps} sans lieu d'exercice ni profil dans l'établissement {key.establishment.finess_geo}",
            user=user,
        )
    return user


def _patient_for(key: LaunchKey, ipp: str, ins: str) -> Patient:
    unknown = LaunchRefused(
        "Ce patient n'est pas connu du DCC sous l'identifiant transmis par votre établissement. Recherchez-le dans "
        "le DCC ou créez son identité.",
        f"patient inconnu : IPP {ipp} (FINESS {key.establishment.finess_geo})",
    )
    local = LocalIdentifier.objects.select_related("patient").filter(establishment=key.establishment, value=ipp).first()
    patient = local.patient if local is not None else None
    if patient is None and ins:
        candidates = [p for p in Patient.objects.current().filter(ins_matricule=ins) if p.ins_exchangeable]
        patient = candidates[0] if len(candidates) == 1 else None
    if patient is None:
        raise unknown
    while patient.merged_into_id:
        patient = Patient.objects.get(pk=patient.merged_into_id)
    if ins and patient.ins_matricule and patient.ins_matricule != ins:
        raise LaunchRefused(
            "L'INS transmis par votre établissement ne correspond pas à l'identité du patient dans le DCC : "
            "signalez-le à la cellule d'identitovigilance.",
            f"INS transmis différent de celui du patient {patient.pk} (IPP {ipp})",
        )
    return patient


def launch_accept(*, token: str, now: float | None = None) -> LaunchAccepted:
    """Check a launch token end to end; the nonce is consumed as soon as the signature and times hold."""
    now = time.time() if now is None else now
    key, claims = _verified_claims(token)
    checked = _check_claims(key, claims, now=now)
    launch = _consume_nonce(key, checked)
    try:
        user = _user_for(key, checked["rpps"])
        launch.user = user
        patient = _patient_for(key, checked["ipp"], checked["ins"])
    except LaunchRefused as refusal:
        launch.outcome = refusal.detail[:200]
        launch.save(update_fields=["user", "outcome"])
        raise
    launch.patient = patient
    launch.outcome = "accepté"
    launch.save(update_fields=["user", "patient", "outcome"])
    return LaunchAccepted(user=user, patient=patient, target=checked["target"], launch=launch)


# --- Signing (demo simulator, tests) ----------------------------------------------------------


def launch_token_sign(
    *,
    private_key_pem: str,
    key: LaunchKey,
    rpps: str,
    ipp: str,
    ins: str = "",
    target: str = LaunchTarget.PATIENT,
    lifetime: int = 60,
    issued_at: float | None = None,
    nonce: str | None = None,
) -> str:
    """A launch token as a DPI would sign it (the simulator and the tests use it)."""
    issued = int(time.time() if issued_at is None else issued_at)
    patient = {"ipp": ipp}
    if ins:
        patient["ins"] = ins
    claims = {
        "iss": key.establishment.finess_geo,
        "aud": settings.DCC_LAUNCH_AUDIENCE,
        "sub": rpps,
        "patient": patient,
        "target": target,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": nonce or secrets.token_urlsafe(24),
    }
    header = {"alg": key.algorithm, "kid": key.kid, "typ": "JWT"}
    return jwt.encode(header, claims, jose_key(private_key_pem, key.algorithm), algorithms=[key.algorithm])


def simulator_token(*, simulator: SimulatorKey, rpps: str, ipp: str, ins: str = "", target: str) -> str:
    return launch_token_sign(
        private_key_pem=simulator.private_key_pem, key=simulator.key, rpps=rpps, ipp=ipp, ins=ins, target=target
    )


def launches_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the accepted launches older than ``DCC_LAUNCH_RETENTION_DAYS`` (their tokens expired long ago)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.DCC_LAUNCH_RETENTION_DAYS)
    deleted, _ = Launch.objects.filter(received_at__lt=cutoff).delete()
    return deleted
