"""A local OpenID Connect provider with Pro Santé Connect's conventions, served over real HTTP.

It stands in for PSC in the tests: discovery at ``<issuer>/.well-known/wallet-openid-configuration``,
an authorization endpoint that approves at once (as if the professional had validated on e-CPS)
and redirects back with a code, a token endpoint with client_secret_basic, RS256 ID tokens signed
with a key generated per run, a userinfo endpoint answering JSON or a signed JWT, and the JWKS.
The DCC's client code talks to it exactly as it talks to PSC.

Each test sets what the next login returns: ``provider.userinfo`` (claims), ``provider.acr``,
``provider.userinfo_as_jwt``, ``provider.id_token_overrides``.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.parse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

REALM = "/auth/realms/esante-wallet"
CLIENT_ID = "dcc-test"
CLIENT_SECRET = "secret-de-test-psc"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class LocalOidcProvider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "psc-test-1", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[tuple[str, dict]] = []
        self.acr = "eidas1"
        self.userinfo_as_jwt = True
        self.id_token_overrides: dict = {}
        self.userinfo = {}
        self.forge_signature = False
        self.logouts: list[dict] = []
        self.server: WSGIServer | None = None

    # --- lifecycle --------------------------------------------------------------------

    def __enter__(self) -> LocalOidcProvider:
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=_QuietHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def issuer(self) -> str:
        return self.base_url + REALM

    def professional(self, rpps: str, **extra) -> dict:
        """Realistic PSC userinfo claims for a professional (see the interop notes, §3)."""
        claims = {
            "sub": f"f:psc:{rpps}",
            "preferred_username": f"8{rpps}",
            "SubjectNameID": f"8{rpps}",
            "given_name": "CAMILLE",
            "family_name": "TESTPSC",
            "codeCivilite": "DR",
            "SubjectRole": ["10^1.2.250.1.213.1.1.5.5"],
            "Palier_Authentification": "APPPRIP3^1.2.250.1.213.1.5.1.1.1",
            "SubjectRefPro": {"codeCivilite": "DR", "exercices": [{"codeProfession": "10", "activities": []}]},
        }
        claims.update(extra)
        self.userinfo = claims
        return claims

    # --- the WSGI application ---------------------------------------------------------

    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        self.requests.append((path, query))
        routes = {
            REALM + "/.well-known/wallet-openid-configuration": self._discovery,
            "/auth": self._authorize,
            REALM + "/protocol/openid-connect/token": self._token,
            REALM + "/protocol/openid-connect/userinfo": self._userinfo,
            REALM + "/protocol/openid-connect/certs": self._certs,
            REALM + "/protocol/openid-connect/logout": self._logout,
        }
        handler = routes.get(path)
        if handler is None:
            return self._send(start_response, "404 Not Found", {"error": "not_found"})
        return handler(environ, query, start_response)

    def _send(self, start_response, status, payload, content_type="application/json", headers=()):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers])
        return [body]

    def _discovery(self, environ, query, start_response):
        return self._send(
            start_response,
            "200 OK",
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.base_url + "/auth",
                "token_endpoint": self.issuer + "/protocol/openid-connect/token",
                "userinfo_endpoint": self.issuer + "/protocol/openid-connect/userinfo",
                "jwks_uri": self.issuer + "/protocol/openid-connect/certs",
                "end_session_endpoint": self.issuer + "/protocol/openid-connect/logout",
                "acr_values_supported": ["eidas1"],
                "scopes_supported": ["openid", "scope_all"],
                "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "userinfo_signing_alg_values_supported": ["RS256"],
            },
        )

    def _authorize(self, environ, query, start_response):
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return self._send(start_response, "400 Bad Request", {"error": "invalid_request"})
        if query.get("acr_values") != "eidas1" or set(query.get("scope", "").split()) != {"openid", "scope_all"}:
            return self._send(start_response, "400 Bad Request", {"error": "invalid_scope"})
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": query.get("nonce"), "redirect_uri": query["redirect_uri"]}
        location = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query.get("state")})
        return self._send(start_response, "302 Found", b"", "text/plain", headers=[("Location", location)])

    def _token(self, environ, query, start_response):
        size = int(environ.get("CONTENT_LENGTH") or 0)
        form = dict(urllib.parse.parse_qsl(environ["wsgi.input"].read(size).decode()))
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if environ.get("HTTP_AUTHORIZATION") != expected:
            return self._send(start_response, "401 Unauthorized", {"error": "invalid_client"})
        grant = self.codes.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return self._send(start_response, "400 Bad Request", {"error": "invalid_grant"})
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": self.userinfo.get("sub", "unknown"),
            "iat": now,
            "exp": now + 120,
            "nonce": grant["nonce"],
            "acr": self.acr,
            "azp": CLIENT_ID,
            **self.id_token_overrides,
        }
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = dict(self.userinfo)
        return self._send(
            start_response,
            "200 OK",
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 120,
                "id_token": self.sign(claims, RSAKey.generate_key(2048) if self.forge_signature else None),
                "scope": "openid scope_all",
            },
        )

    def _userinfo(self, environ, query, start_response):
        token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        claims = self.tokens.get(token)
        if claims is None:
            return self._send(start_response, "401 Unauthorized", {"error": "invalid_token"})
        if self.userinfo_as_jwt:
            signed = {**claims, "iss": self.issuer, "aud": CLIENT_ID}
            return self._send(start_response, "200 OK", self.sign(signed).encode(), "application/jwt")
        return self._send(start_response, "200 OK", claims)

    def _logout(self, environ, query, start_response):
        """End the (simulated) PSC session, then go back to the relying party."""
        try:
            jwt.decode(query.get("id_token_hint", ""), self.key)
        except (ValueError, JoseError):
            return self._send(start_response, "400 Bad Request", {"error": "invalid id_token_hint"})
        self.logouts.append(query)
        location = query["post_logout_redirect_uri"] + "?" + urllib.parse.urlencode({"state": query.get("state")})
        return self._send(start_response, "302 Found", b"", "text/plain", headers=[("Location", location)])

    def _certs(self, environ, query, start_response):
        return self._send(start_response, "200 OK", KeySet([self.key]).as_dict(private=False))

    def sign(self, claims: dict, key: RSAKey | None = None) -> str:
        return jwt.encode({"alg": "RS256", "kid": "psc-test-1", "typ": "JWT"}, claims, key or self.key)


def configure(settings, provider: LocalOidcProvider) -> None:
    """Point the DCC at the local provider (``settings`` is pytest-django's fixture)."""
    settings.DCC_PSC_ENABLED = True
    settings.DCC_PSC_ISSUER = provider.issuer
    settings.DCC_PSC_CLIENT_ID = CLIENT_ID
    settings.DCC_PSC_CLIENT_SECRET = CLIENT_SECRET
    settings.DCC_PSC_REDIRECT_URI = ""
    # As dcc.settings.base does when PSC is enabled: logging out (a form) may redirect to PSC.
    form_action = [*settings.SECURE_CSP["form-action"], provider.base_url]
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": form_action}


def follow_authorization(url: str) -> str:
    """Play the professional's browser at the provider: GET the authorization URL, return where it redirects."""
    import http.client

    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        response.read()
        return response.getheader("Location") or ""
    finally:
        connection.close()
