"""SOAP client (zeep) of the INSi teleservice: *rechercher INS avec les traits d'identité* and
*avec la carte Vitale*.

The contract is ``wsdl/DESIR_ICIR_EXP_1.5.0.wsdl``, reconstructed from the documented message
structures (the official WSDL was not available here: see the WSDL's header comment). Headers:
WS-Addressing (zeep's plugin), ``ContexteBAM`` and ``ContexteLPS``. Authentication: TLS with the
establishment's organisation certificate (``DCC_INSI_CERT_FILE`` / ``DCC_INSI_KEY_FILE``, CA bundle
``DCC_INSI_CA_BUNDLE``). ``DCC_INSI_URL`` selects the endpoint: the local stand-in started by
``make run`` and the tests, or the real service.

Every failure comes out as ``InsiError`` with a French message: SOAP fault, timeout, connection
refused, malformed answer.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings
from lxml import etree
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport
from zeep.wsa import WsAddressingPlugin

WSDL_PATH = Path(__file__).resolve().parent / "wsdl" / "DESIR_ICIR_EXP_1.5.0.wsdl"
BINDING = "{http://www.cnamts.fr/ServiceIdentiteCertifiee/v1}ServiceIdentiteCertifieeBinding"
NS_CTXBAM = "urn:siram:bam:ctxbam"
NS_CTXLPS = "urn:siram:lps:ctxlps"

CR_FOUND, CR_NONE, CR_SEVERAL = "00", "01", "02"
CR_LABELS = {
    CR_FOUND: "Une identité trouvée",
    CR_NONE: "Aucune identité trouvée",
    CR_SEVERAL: "Plusieurs identités trouvées : précisez les traits (lieu de naissance, prénoms)",
}
INSI_SEX = {"M": "M", "F": "F"}


class InsiError(Exception):
    """The call could not give an answer; ``str(error)`` is French and meant for the user."""


@dataclass(frozen=True)
class InsIdentity:
    matricule: str  # 15 characters: NumIdentifiant (13) + Cle (2)
    oid: str
    birth_name: str
    given_names: str
    sex: str
    birth_date: datetime.date
    birth_place_code: str
    history: tuple[tuple[str, str], ...] = ()

    @property
    def first_given_name(self) -> str:
        return self.given_names.split(" ")[0] if self.given_names else ""

    def traits_json(self) -> dict:
        return {
            "birth_name": self.birth_name,
            "first_given_name": self.first_given_name,
            "given_names": self.given_names,
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat(),
            "birth_place_code": self.birth_place_code,
        }


@dataclass(frozen=True)
class InsiResult:
    code: str
    label: str
    identity: InsIdentity | None = None
    raw: dict = field(default_factory=dict, compare=False)


class _InsiSession(requests.Session):
    """A session whose CA bundle is the INSi one even when REQUESTS_CA_BUNDLE is set in the
    environment (requests lets the environment override ``Session.verify``); proxies still come
    from the environment."""

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if settings.INSI_CA_BUNDLE:
            merged["verify"] = settings.INSI_CA_BUNDLE
        return merged


def _session() -> requests.Session:
    session = _InsiSession()
    cert, key = settings.INSI_CERT_FILE, settings.INSI_KEY_FILE
    if cert:
        session.cert = (cert, key) if key else cert
    if settings.INSI_CA_BUNDLE:
        session.verify = settings.INSI_CA_BUNDLE
    return session


def _endpoint() -> str:
    if not settings.INSI_URL:
        raise InsiError("Le téléservice INSi n'est pas configuré (DCC_INSI_URL).")
    return settings.INSI_URL


def _client() -> Client:
    transport = Transport(session=_session(), timeout=10, operation_timeout=settings.INSI_TIMEOUT)
    return Client(
        str(WSDL_PATH),
        transport=transport,
        settings=Settings(strict=True, xml_huge_tree=False),
        plugins=[WsAddressingPlugin()],
    )


def _service():
    return _client().create_service(BINDING, _endpoint())


def _headers(user) -> list:
    bam = etree.Element(f"{{{NS_CTXBAM}}}ContexteBAM", Version="01_02")
    etree.SubElement(bam, f"{{{NS_CTXBAM}}}Identifiant").text = str(uuid.uuid4())
    etree.SubElement(bam, f"{{{NS_CTXBAM}}}Temps").text = (
        datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    )
    etree.SubElement(bam, f"{{{NS_CTXBAM}}}Emetteur").text = settings.INSI_EMITTER
    etree.SubElement(bam, f"{{{NS_CTXBAM}}}COUVERTURE").text = ""
    lps = etree.Element(f"{{{NS_CTXLPS}}}ContexteLPS", Version="01_00")
    etree.SubElement(lps, f"{{{NS_CTXLPS}}}IDAM", R="4").text = settings.INSI_IDAM
    etree.SubElement(lps, f"{{{NS_CTXLPS}}}Version").text = settings.INSI_LPS_VERSION
    etree.SubElement(lps, f"{{{NS_CTXLPS}}}Instance").text = settings.INSI_INSTANCE
    etree.SubElement(lps, f"{{{NS_CTXLPS}}}Nom").text = f"urn:lps:dcc:{settings.INSI_LPS_VERSION}"
    return [bam, lps]


def _call(operation: str, user, **body) -> InsiResult:
    try:
        answer = getattr(_service(), operation)(**body, _soapheaders=_headers(user))
    except Fault as exc:
        raise InsiError(f"Le téléservice INSi a refusé la demande : {exc.message or 'erreur SOAP'}.") from exc
    except requests.exceptions.Timeout as exc:
        raise InsiError(
            "Le téléservice INSi n'a pas répondu à temps. Réessayez plus tard ; l'identité reste inchangée."
        ) from exc
    except requests.exceptions.SSLError as exc:
        raise InsiError("La connexion sécurisée au téléservice INSi a échoué (certificat).") from exc
    except requests.exceptions.ConnectionError as exc:
        raise InsiError("Le téléservice INSi est injoignable. Réessayez plus tard.") from exc
    except TransportError as exc:
        raise InsiError(f"Le téléservice INSi a répondu par une erreur HTTP {exc.status_code}.") from exc
    except (ZeepError, etree.XMLSyntaxError) as exc:
        raise InsiError("La réponse du téléservice INSi est illisible.") from exc
    return _parse(answer)


def _parse(answer) -> InsiResult:
    from identity import nir as nir_rules

    code = (answer.CR.CodeCR or "").strip()
    if code not in CR_LABELS:
        raise InsiError(f"Code compte rendu INSi inconnu : {code or '(vide)'}.")
    label = CR_LABELS[code]
    if code != CR_FOUND:
        return InsiResult(code=code, label=CR_LABELS[code])
    individual = answer.INDIVIDU
    if individual is None:
        raise InsiError("Réponse INSi incomplète : code 00 sans identité.")
    active = individual.INSACTIF
    matricule = f"{active.IdIndividu.NumIdentifiant}{active.IdIndividu.Cle}"
    try:
        nir_rules.parse(matricule)
    except nir_rules.NirError as exc:
        raise InsiError(f"Le matricule INS renvoyé par INSi est invalide : {exc}") from exc
    tiq = individual.TIQ
    try:
        birth_date = datetime.date.fromisoformat(tiq.DateNaissance)
    except ValueError as exc:
        raise InsiError("La date de naissance renvoyée par INSi est illisible.") from exc
    identity = InsIdentity(
        matricule=matricule,
        oid=active.OID,
        birth_name=tiq.NomNaissance,
        given_names=tiq.ListePrenom,
        sex=tiq.Sexe,
        birth_date=birth_date,
        birth_place_code=tiq.LieuNaissance or "",
        history=tuple(
            (f"{item.IdIndividu.NumIdentifiant}{item.IdIndividu.Cle}", item.OID) for item in individual.INSHISTO or []
        ),
    )
    return InsiResult(code=code, label=label, identity=identity)


def search_by_traits(
    *,
    birth_name: str,
    first_given_name: str,
    sex: str,
    birth_date: datetime.date,
    birth_place_code: str = "",
    user=None,
) -> InsiResult:
    """``rechercherInsAvecTraitsIdentite``."""
    body = {
        "NomNaissance": birth_name,
        "Prenom": first_given_name,
        "Sexe": INSI_SEX.get(sex, "I"),
        "DateNaissance": birth_date.isoformat(),
    }
    if birth_place_code:
        body["LieuNaissance"] = birth_place_code
    return _call("rechercherInsAvecTraitsIdentite", user, **body)


def search_by_vitale(*, nir: str, birth_date: datetime.date, birth_rank: str = "1", user=None) -> InsiResult:
    """``rechercherInsAvecCarteVitale``: the NIR read on the card (individual), birth date and rank."""
    from identity import nir as nir_rules

    try:
        parsed = nir_rules.parse(nir)
    except nir_rules.NirError as exc:
        raise InsiError(str(exc)) from exc
    return _call(
        "rechercherInsAvecCarteVitale",
        user,
        NumIdentifiant=parsed.value[:13],
        Cle=parsed.key,
        DateNaissance=birth_date.isoformat(),
        RangNaissance=birth_rank,
    )
