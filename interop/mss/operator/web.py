"""A read-only web page of the local operator: the mailboxes, their messages, one message and its parts.

``/`` lists mailboxes, ``/boite?adresse=…`` a mailbox, ``/message?id=…`` one message (headers, text, the
attachments and the files of an ``IHE_XDM.ZIP``); ``/api/boites.json`` and ``/api/boite.json?adresse=…``
give the same as JSON and ``/api/message.eml?id=…`` the raw message, for scripts
(the benchmark counts deliveries with it). Loopback only, no write.
"""

from __future__ import annotations

import datetime as dt
import email
import html
import io
import json
import zipfile
from email.policy import default

from twisted.web import resource, server

from interop.mss.operator.store import Store

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b;max-width:70rem}"
    "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #bbb;padding:.4rem;text-align:left;"
    "vertical-align:top}a{color:#0645ad}pre{white-space:pre-wrap;background:#f4f4f4;padding:1rem}"
    ".muted{color:#444}"
)


def _page(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<style>{STYLE}</style></head><body><p class="muted">Opérateur MSSanté local (démonstration) — '
        f'<a href="/">toutes les boîtes</a></p><h1>{html.escape(title)}</h1>{body}</body></html>'
    ).encode()


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%d/%m/%Y %H:%M:%S")


def _arg(request, name: str) -> str:
    values = request.args.get(name.encode(), [b""])
    return values[0].decode("utf-8", "replace")


class Root(resource.Resource):
    isLeaf = True

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def render_GET(self, request):
        path = request.path.decode()
        handlers = {
            "/": self.mailboxes,
            "/boite": self.mailbox,
            "/message": self.message,
            "/api/boites.json": self.api_mailboxes,
            "/api/boite.json": self.api_mailbox,
            "/api/message.eml": self.api_raw,
        }
        handler = handlers.get(path)
        if handler is None:
            request.setResponseCode(404)
            return _page("Page introuvable", "<p>Cette page n'existe pas.</p>")
        return handler(request)

    def mailboxes(self, request):
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        rows = "".join(
            f'<tr><td><a href="/boite?adresse={html.escape(address)}">{html.escape(address)}</a></td>'
            f"<td>{count}</td><td>{unseen or 0}</td></tr>"
            for address, count, unseen in self.store.mailboxes()
        )
        table = (
            '<table><caption>Boîtes ayant reçu des messages</caption><thead><tr><th scope="col">Adresse</th>'
            f'<th scope="col">Messages</th><th scope="col">Non lus</th></tr></thead><tbody>{rows}</tbody></table>'
        )
        return _page("Boîtes aux lettres", table if rows else "<p>Aucun message reçu pour l'instant.</p>")

    def mailbox(self, request):
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        address = _arg(request, "adresse")
        rows = "".join(
            f"<tr><td>{_when(m.internal_date)}</td><td>{html.escape(m.sender)}</td>"
            f'<td><a href="/message?id={m.id}">{html.escape(m.subject or "(sans objet)")}</a></td>'
            f"<td>{'lu' if chr(92) + 'Seen' in m.flags else 'non lu'}</td></tr>"
            for m in reversed(self.store.messages(address))
        )
        table = (
            f'<table><caption>Messages de {html.escape(address)}</caption><thead><tr><th scope="col">Reçu le</th>'
            '<th scope="col">De</th><th scope="col">Objet</th><th scope="col">État</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
        return _page(address, table if rows else "<p>Cette boîte est vide.</p>")

    def message(self, request):
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        try:
            stored = self.store.get(int(_arg(request, "id")))
        except ValueError:
            stored = None
        if stored is None:
            request.setResponseCode(404)
            return _page("Message introuvable", "<p>Ce message n'existe pas.</p>")
        parsed = email.message_from_bytes(stored.raw, policy=default)
        headers = "".join(
            f'<tr><th scope="row">{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>' for k, v in parsed.items()
        )
        text, attachments = "", []
        for part in parsed.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            content_type = part.get_content_type()
            if filename or content_type in ("application/zip", "application/pdf", "message/rfc822"):
                payload = part.get_payload(decode=True) or b""
                entry = f"{html.escape(filename or content_type)} ({len(payload)} octets)"
                if payload[:2] == b"PK":
                    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                        names = "".join(f"<li>{html.escape(n)}</li>" for n in archive.namelist())
                    entry += f"<ul>{names}</ul>"
                attachments.append(f"<li>{entry}</li>")
            elif content_type.startswith("text/") or content_type.startswith("message/"):
                try:
                    content = part.get_content()
                except (LookupError, ValueError):
                    content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
                text += f"<h2>{html.escape(content_type)}</h2><pre>{html.escape(str(content))}</pre>"
        body = (
            f"<table><caption>En-têtes</caption><tbody>{headers}</tbody></table>{text}"
            f"<h2>Pièces jointes</h2><ul>{''.join(attachments) or '<li>aucune</li>'}</ul>"
        )
        return _page(stored.subject or "(sans objet)", body)

    def api_mailboxes(self, request):
        request.setHeader(b"content-type", b"application/json")
        data = [{"adresse": a, "messages": c, "non_lus": u or 0} for a, c, u in self.store.mailboxes()]
        return json.dumps(data).encode()

    def api_mailbox(self, request):
        request.setHeader(b"content-type", b"application/json")
        data = [
            {
                "id": m.id,
                "uid": m.uid,
                "message_id": m.message_id,
                "objet": m.subject,
                "de": m.sender,
                "drapeaux": m.flags,
            }
            for m in self.store.messages(_arg(request, "adresse"))
        ]
        return json.dumps(data).encode()

    def api_raw(self, request):
        try:
            raw = self.store.raw(int(_arg(request, "id")))
        except ValueError:
            raw = b""
        if not raw:
            request.setResponseCode(404)
            return b""
        request.setHeader(b"content-type", b"message/rfc822")
        return raw


def site(store: Store) -> server.Site:
    return server.Site(Root(store))
