"""Gunicorn for the DCC: a sync worker whose refusals before Django (URL or headers too long) are French pages.

Gunicorn answers a request line longer than ``limit_request_line`` itself, before the application, with an
English page. ``FrenchSyncWorker`` answers those cases (414, 431) with a short French page instead; every
other error goes through gunicorn's own handling. Settings in ``dcc/gunicorn_conf.py``.
"""

from __future__ import annotations

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.sync import SyncWorker

PAGE = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
<main>
<h1>{title}</h1>
<p>{text}</p>
<p><a href="/">Retour à l'accueil du DCC</a></p>
</main>
</body>
</html>
"""

FRENCH_REFUSALS = {
    LimitRequestLine: (
        414,
        "URI Too Long",
        "Adresse trop longue",
        "L'adresse demandée est trop longue pour être traitée. Revenez à la page précédente et recommencez.",
    ),
    LimitRequestHeaders: (
        431,
        "Request Header Fields Too Large",
        "En-têtes trop volumineux",
        "La demande envoyée par votre navigateur est trop volumineuse. Supprimez les cookies du site et recommencez.",
    ),
}


def french_refusal(exc) -> bytes | None:
    for kind, (status, reason, title, text) in FRENCH_REFUSALS.items():
        if isinstance(exc, kind):
            body = PAGE.format(title=title, text=text).encode()
            head = (
                f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Language: fr\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode("latin-1")
            return head + body
    return None


class FrenchSyncWorker(SyncWorker):
    def handle_error(self, req, client, addr, exc):
        response = french_refusal(exc)
        if response is None:
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Requête refusée avant l'application (%s) depuis %s", exc.__class__.__name__, addr)
        try:
            util.write_nonblock(client, response)
        except Exception:  # the client may be gone already
            self.log.debug("Réponse de refus non envoyée", exc_info=True)
