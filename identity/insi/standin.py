"""A local INSi teleservice: a small SOAP 1.2 server (WSGI + lxml) for the demo and the tests.

It serves the reconstructed contract ``wsdl/DESIR_ICIR_EXP_1.5.0.wsdl`` (``GET ?wsdl``) and answers
``rechercherInsAvecTraitsIdentite`` and ``rechercherInsAvecCarteVitale`` from ``TEST_IDENTITIES``,
a fixed set of synthetic people (INS with the test OID 1.2.250.1.213.1.4.10; never a real
person). Traits are compared in their INS form (upper case, no accents, hyphens and apostrophes
read as spaces): one match answers CR 00, none CR 01, several CR 02.

Two birth names trigger failures for the tests and the demo: ``ERREURSOAP`` answers a SOAP
fault, ``LENTEUR`` waits ``DCC_INSI_STANDIN_DELAY`` seconds (default 5) before answering.

Run: ``python -m identity.insi.standin [--port 8089]``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import ssl
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from lxml import etree

from identity.enums import INS_OID_TEST
from identity.nir import compute_key, loose_trait

WSDL_PATH = Path(__file__).resolve().parent / "wsdl" / "DESIR_ICIR_EXP_1.5.0.wsdl"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
NS_RECSANS = "http://www.cnamts.fr/INSiRecSans"
NS_RECVIT = "http://www.cnamts.fr/INSiRecVit"
NS_RESULTAT = "http://www.cnamts.fr/INSiResultat"
NS_CTXBAM = "urn:siram:bam:ctxbam"
NS_CTXLPS = "urn:siram:lps:ctxlps"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class TestIdentity:
    birth_name: str
    given_names: str
    sex: str
    birth_date: datetime.date
    birth_place_code: str
    order: int

    @property
    def matricule(self) -> str:
        body = f"{'1' if self.sex == 'M' else '2'}{self.birth_date:%y%m}{self.birth_place_code}{self.order:03d}"
        return body + compute_key(body)

    @property
    def oid(self) -> str:
        return INS_OID_TEST


TEST_IDENTITIES: tuple[TestIdentity, ...] = (
    TestIdentity("CORNEBIS", "HELENE MARIE", "F", datetime.date(1954, 3, 12), "86194", 401),
    TestIdentity("ORSINI-ACQUAVIVA", "JEAN-BAPTISTE ANTOINE", "M", datetime.date(1961, 7, 4), "2A004", 402),
    TestIdentity("CASANOVA", "MARIE-PAULE", "F", datetime.date(1972, 2, 19), "2B033", 403),
    TestIdentity("NDIAYE", "AMINATA", "F", datetime.date(1979, 11, 23), "99341", 404),
    TestIdentity("DUPLESSAC", "LUCIEN PAUL", "M", datetime.date(1948, 1, 30), "86066", 405),
    TestIdentity("MARTINEAU", "CLAUDE", "F", datetime.date(1950, 5, 5), "86194", 406),
    TestIdentity("MARTINEAU", "CLAUDE", "F", datetime.date(1950, 5, 5), "79191", 407),
    TestIdentity("L'HERMITTE-OEUVRARD", "ZOE", "F", datetime.date(1990, 9, 14), "17300", 408),
    TestIdentity("VAREILLAS", "GERARD ANDRE", "M", datetime.date(1957, 10, 2), "87085", 409),
    TestIdentity("BROUSSAUD", "ODILE", "F", datetime.date(1966, 6, 27), "16015", 410),
)


def _matches_traits(identity: TestIdentity, *, name: str, first: str, sex: str, birth: str, place: str) -> bool:
    given = identity.given_names.split(" ")
    return (
        loose_trait(identity.birth_name) == loose_trait(name)
        and loose_trait(first) in (loose_trait(given[0]), loose_trait(identity.given_names))
        and identity.sex == sex
        and identity.birth_date.isoformat() == birth
        and (not place or identity.birth_place_code == place)
    )


def _text(parent, path: str, ns: dict) -> str:
    node = parent.find(path, ns)
    return (node.text or "").strip() if node is not None else ""


class SoapFault(Exception):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


def _envelope(body_child) -> bytes:
    envelope = etree.Element(f"{{{SOAP12}}}Envelope", nsmap={"soap": SOAP12})
    etree.SubElement(envelope, f"{{{SOAP12}}}Header")
    etree.SubElement(envelope, f"{{{SOAP12}}}Body").append(body_child)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _fault(fault: SoapFault) -> bytes:
    node = etree.Element(f"{{{SOAP12}}}Fault")
    code = etree.SubElement(node, f"{{{SOAP12}}}Code")
    etree.SubElement(code, f"{{{SOAP12}}}Value").text = f"soap:{fault.code}"
    reason = etree.SubElement(node, f"{{{SOAP12}}}Reason")
    text = etree.SubElement(reason, f"{{{SOAP12}}}Text")
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "fr")
    text.text = fault.reason
    return _envelope(node)


def _result(found: list[TestIdentity]) -> etree._Element:
    ns = f"{{{NS_RESULTAT}}}"
    result = etree.Element(f"{ns}RESULTAT", nsmap={"insi_resultat": NS_RESULTAT})
    cr = etree.SubElement(result, f"{ns}CR")
    code = "00" if len(found) == 1 else ("01" if not found else "02")
    etree.SubElement(cr, f"{ns}CodeCR").text = code
    etree.SubElement(cr, f"{ns}LibelleCR").text = {
        "00": "OK",
        "01": "Aucune identite trouvee",
        "02": "Plusieurs identites trouvees",
    }[code]
    if code == "00":
        identity = found[0]
        individual = etree.SubElement(result, f"{ns}INDIVIDU")
        active = etree.SubElement(individual, f"{ns}INSACTIF")
        id_node = etree.SubElement(active, f"{ns}IdIndividu")
        etree.SubElement(id_node, f"{ns}NumIdentifiant").text = identity.matricule[:13]
        etree.SubElement(id_node, f"{ns}Cle").text = identity.matricule[13:]
        etree.SubElement(active, f"{ns}OID").text = identity.oid
        tiq = etree.SubElement(individual, f"{ns}TIQ")
        etree.SubElement(tiq, f"{ns}NomNaissance").text = identity.birth_name
        etree.SubElement(tiq, f"{ns}ListePrenom").text = identity.given_names
        etree.SubElement(tiq, f"{ns}Sexe").text = identity.sex
        etree.SubElement(tiq, f"{ns}DateNaissance").text = identity.birth_date.isoformat()
        etree.SubElement(tiq, f"{ns}LieuNaissance").text = identity.birth_place_code
    return result


def answer(envelope_bytes: bytes) -> etree._Element:
    """The RESULTAT for one SOAP request (raises SoapFault)."""
    try:
        root = etree.fromstring(envelope_bytes, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapFault("Sender", "Requete XML illisible") from exc
    if root.tag != f"{{{SOAP12}}}Envelope":
        raise SoapFault("Sender", "Enveloppe SOAP 1.2 attendue")
    header = root.find(f"{{{SOAP12}}}Header")
    if header is None or header.find(f"{{{NS_CTXBAM}}}ContexteBAM") is None:
        raise SoapFault("Sender", "Contexte BAM absent")
    lps = header.find(f"{{{NS_CTXLPS}}}ContexteLPS")
    if lps is None or not _text(lps, "l:IDAM", {"l": NS_CTXLPS}):
        raise SoapFault("Sender", "Contexte LPS absent ou incomplet")
    body = root.find(f"{{{SOAP12}}}Body")
    request = body[0] if body is not None and len(body) else None
    if request is not None and request.tag == f"{{{NS_RECSANS}}}RECSANSVITALE":
        ns = {"r": NS_RECSANS}
        name = _text(request, "r:NomNaissance", ns)
        if loose_trait(name) == "ERREURSOAP":
            raise SoapFault("Receiver", "Erreur technique du service (simulee)")
        if loose_trait(name) == "LENTEUR":
            time.sleep(float(os.environ.get("DCC_INSI_STANDIN_DELAY", "5")))
        criteria = {
            "name": name,
            "first": _text(request, "r:Prenom", ns),
            "sex": _text(request, "r:Sexe", ns),
            "birth": _text(request, "r:DateNaissance", ns),
            "place": _text(request, "r:LieuNaissance", ns),
        }
        if not all(criteria[key] for key in ("name", "first", "sex", "birth")):
            raise SoapFault("Sender", "Traits obligatoires manquants")
        return _result([item for item in TEST_IDENTITIES if _matches_traits(item, **criteria)])
    if request is not None and request.tag == f"{{{NS_RECVIT}}}RECVITALE":
        ns = {"r": NS_RECVIT}
        matricule = _text(request, "r:NumIdentifiant", ns) + _text(request, "r:Cle", ns)
        birth = _text(request, "r:DateNaissance", ns)
        return _result(
            [item for item in TEST_IDENTITIES if item.matricule == matricule and item.birth_date.isoformat() == birth]
        )
    raise SoapFault("Sender", "Operation inconnue")


def application(environ, start_response):
    """The WSGI application."""
    method = environ.get("REQUEST_METHOD", "GET")
    if method == "GET":
        if "wsdl" not in environ.get("QUERY_STRING", "").lower():
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"GET ?wsdl pour le contrat du service INSi local."]
        host = environ.get("HTTP_HOST", "127.0.0.1")
        wsdl = WSDL_PATH.read_bytes().replace(
            b"http://127.0.0.1:8089/insi", f"http://{host}{environ.get('PATH_INFO', '/')}".encode()
        )
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [wsdl]
    if method != "POST":
        start_response("405 Method Not Allowed", [("Allow", "GET, POST")])
        return [b""]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    payload = environ["wsgi.input"].read(min(length, 1_000_000))
    try:
        body, status = _envelope(answer(payload)), "200 OK"
    except SoapFault as fault:
        body, status = _fault(fault), "500 Internal Server Error"
    start_response(
        status, [("Content-Type", "application/soap+xml; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("[insi] " + (format % args) + "\n")


def serve(host: str, port: int, *, cert: str = "", key: str = "", client_ca: str = "") -> None:
    """Serve over HTTP, or over HTTPS requiring a client certificate signed by ``client_ca``."""
    server = make_server(host, port, application, server_class=_ThreadingServer, handler_class=_QuietHandler)
    scheme = "http"
    if cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert, key or None)
        if client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(client_ca)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    sys.stderr.write(f"[insi] téléservice INSi local sur {scheme}://{host}:{port}/insi\n")
    sys.stderr.flush()
    server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Téléservice INSi local (identités de test synthétiques).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DCC_INSI_STANDIN_PORT", "8089")))
    parser.add_argument("--tls-cert", default="", help="certificat serveur (PEM) : active HTTPS")
    parser.add_argument("--tls-key", default="", help="clé du certificat serveur (PEM)")
    parser.add_argument("--tls-client-ca", default="", help="AC des certificats clients exigés (PEM)")
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port, cert=args.tls_cert, key=args.tls_key, client_ca=args.tls_client_ca)
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
