"""IMAP4 of the local operator on Twisted's ``imap4`` server: STARTTLS required before LOGIN (Twisted announces
LOGINDISABLED until then), a client certificate required by the TLS context and checked against the login.

One mailbox (INBOX) per address, read from the shared store; flags (\\Seen, \\Deleted) and EXPUNGE persist.
"""

from __future__ import annotations

import email
import io
import logging
from email.message import Message as EmailMessage

from twisted.cred import checkers, credentials, error, portal
from twisted.internet import defer
from twisted.mail import imap4
from zope.interface import implementer

from interop.mss.operator.directory import Directory
from interop.mss.operator.store import Store, StoredMessage

logger = logging.getLogger("mss.operator.imap")


@implementer(imap4.IMessagePart)
class Part:
    def __init__(self, message: EmailMessage) -> None:
        self.message = message

    def getHeaders(self, negate, *names):
        if not names and negate:
            return {k.lower(): str(v) for k, v in self.message.items()}
        wanted = {(n.decode() if isinstance(n, bytes) else n).lower() for n in names}
        return {k.lower(): str(v) for k, v in self.message.items() if (k.lower() in wanted) != negate}

    def _body(self) -> bytes:
        raw = self.message.as_bytes()
        for separator in (b"\r\n\r\n", b"\n\n"):
            if separator in raw:
                return raw.split(separator, 1)[1]
        return b""

    def getBodyFile(self):
        return io.BytesIO(self._body())

    def getSize(self):
        return len(self.message.as_bytes())

    def isMultipart(self):
        return self.message.is_multipart()

    def getSubPart(self, part):
        payload = self.message.get_payload()
        if not isinstance(payload, list) or part >= len(payload):
            raise IndexError(part)
        return Part(payload[part])


@implementer(imap4.IMessage, imap4.IMessageFile)
class Message(Part):
    def __init__(self, stored: StoredMessage, raw: bytes) -> None:
        super().__init__(email.message_from_bytes(raw))
        self.stored = stored
        self.raw = raw

    def open(self):
        return io.BytesIO(self.raw)

    def getBodyFile(self):
        for separator in (b"\r\n\r\n", b"\n\n"):
            if separator in self.raw:
                return io.BytesIO(self.raw.split(separator, 1)[1])
        return io.BytesIO(b"")

    def getSize(self):
        return len(self.raw)

    def getUID(self):
        return self.stored.uid

    def getFlags(self):
        return list(self.stored.flags)

    def getInternalDate(self):
        return self.stored.rfc2822_date


@implementer(imap4.IMailboxInfo, imap4.IMailbox, imap4.ISearchableMailbox)
class Mailbox:
    FLAGS = ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"]

    def __init__(self, store: Store, address: str) -> None:
        self.boxes = store
        self.address = address
        self.listeners = []

    # info
    def getFlags(self):
        return self.FLAGS

    def getHierarchicalDelimiter(self):
        return "/"

    # state
    def _messages(self) -> list[StoredMessage]:
        return self.boxes.messages(self.address)

    def getUIDValidity(self):
        return self.boxes.mailbox_state(self.address)[0]

    def getUIDNext(self):
        return self.boxes.mailbox_state(self.address)[1]

    def getUID(self, message):
        messages = self._messages()
        return messages[message - 1].uid

    def getMessageCount(self):
        return len(self._messages())

    def getRecentCount(self):
        return 0

    def getUnseenCount(self):
        return sum(1 for m in self._messages() if "\\Seen" not in m.flags)

    def isWriteable(self):
        return True

    def destroy(self):
        raise imap4.MailboxException("Suppression de boîte non prise en charge")

    def requestStatus(self, names):
        return imap4.statusRequestHelper(self, names)

    def addListener(self, listener):
        self.listeners.append(listener)

    def removeListener(self, listener):
        self.listeners.remove(listener)

    def addMessage(self, message, flags=(), date=None):
        raw = message.read() if hasattr(message, "read") else bytes(message)
        uid = self.boxes.deliver(self.address, raw)
        return defer.succeed(uid)

    def expunge(self):
        return self.boxes.expunge(self.address)

    def _select(self, messages, uid):
        stored = self._messages()
        if not stored:
            return []
        if uid:
            messages.last = stored[-1].uid
            wanted = set(messages)
            return [(i, m) for i, m in enumerate(stored, 1) if m.uid in wanted]
        messages.last = len(stored)
        wanted = set(messages)
        return [(i, m) for i, m in enumerate(stored, 1) if i in wanted]

    def fetch(self, messages, uid):
        return [(seq, Message(m, self.boxes.raw(m.id))) for seq, m in self._select(messages, uid)]

    def store(self, messages, flags, mode, uid):
        flags = [f.decode() if isinstance(f, bytes) else f for f in flags]
        result = {}
        for seq, message in self._select(messages, uid):
            current = set(message.flags)
            if mode == 0:
                current = set(flags)
            elif mode == 1:
                current |= set(flags)
            else:
                current -= set(flags)
            self.boxes.set_flags(message.id, sorted(current))
            result[seq] = sorted(current)
        return result

    def search(self, query, uid):
        """ALL, SEEN, UNSEEN, DELETED, UNDELETED and HEADER name value (the terms the DCC uses), ANDed."""
        terms = [t.decode() if isinstance(t, bytes) else str(t) for t in _flatten(query)]
        stored = self._messages()
        keep = list(enumerate(stored, 1))
        i = 0
        while i < len(terms):
            term = terms[i].upper()
            if term == "ALL":
                i += 1
            elif term in ("SEEN", "UNSEEN", "DELETED", "UNDELETED"):
                flag = "\\Seen" if term.endswith("SEEN") else "\\Deleted"
                present = not term.startswith("UN")
                keep = [(s, m) for s, m in keep if (flag in m.flags) == present]
                i += 1
            elif term == "HEADER" and i + 2 < len(terms):
                name, value = terms[i + 1].lower(), terms[i + 2].lower()
                if name == "message-id":
                    keep = [(s, m) for s, m in keep if value in m.message_id.lower()]
                else:
                    keep = [
                        (s, m)
                        for s, m in keep
                        if value in str(email.message_from_bytes(self.boxes.raw(m.id)).get(name, "")).lower()
                    ]
                i += 3
            else:
                raise imap4.IllegalQueryError(f"Critère de recherche non pris en charge : {term}")
        return [seq for seq, _ in keep]


def _flatten(items):
    for item in items:
        if isinstance(item, list | tuple):
            yield from _flatten(item)
        else:
            yield item


@implementer(imap4.IAccount)
class Account:
    def __init__(self, store: Store, address: str) -> None:
        self.store = store
        self.address = address
        self.inbox = Mailbox(store, address)

    def addMailbox(self, name, mbox=None):
        raise imap4.MailboxException("Création de boîte non prise en charge")

    def create(self, pathspec):
        return False

    def select(self, name, rw=True):
        name = name.decode() if isinstance(name, bytes) else name
        return self.inbox if name.upper() == "INBOX" else None

    def delete(self, name):
        raise imap4.MailboxException("Suppression de boîte non prise en charge")

    def rename(self, oldname, newname):
        raise imap4.MailboxException("Renommage non pris en charge")

    def isSubscribed(self, name):
        return True

    def subscribe(self, name):
        return True

    def unsubscribe(self, name):
        return True

    def listMailboxes(self, ref, wildcard):
        return [("INBOX", self.inbox)]


@implementer(portal.IRealm)
class Realm:
    def __init__(self, store: Store) -> None:
        self.store = store

    def requestAvatar(self, avatar_id, mind, *interfaces):
        if imap4.IAccount not in interfaces:
            raise NotImplementedError
        address = avatar_id.decode() if isinstance(avatar_id, bytes) else avatar_id
        return imap4.IAccount, Account(self.store, address.lower()), lambda: None


@implementer(checkers.ICredentialsChecker)
class DirectoryChecker:
    """A mailbox of the directory, with the operator's (demo) password."""

    credentialInterfaces = (credentials.IUsernamePassword,)

    def __init__(self, directory: Directory, password: str) -> None:
        self.directory = directory
        self.password = password.encode()

    def requestAvatarId(self, creds):
        username = creds.username.decode() if isinstance(creds.username, bytes) else creds.username
        if self.directory.known(username) and creds.checkPassword(self.password):
            return defer.succeed(username.lower().encode())
        return defer.fail(error.UnauthorizedLogin("Identifiants refusés"))


class CertifiedIMAP4Server(imap4.IMAP4Server):
    """LOGIN only after STARTTLS, and only for the mailbox named in the client certificate."""

    def authenticateLogin(self, user, passwd):
        name = user.decode() if isinstance(user, bytes) else user
        certificate = self.transport.getPeerCertificate() if self.startedTLS else None
        identities = set()
        if certificate is not None:
            subject = certificate.get_subject()
            identities |= {str(subject.CN or "").lower(), str(getattr(subject, "emailAddress", "") or "").lower()}
        if name.lower() not in identities:
            logger.warning("IMAP : connexion de %s refusée (certificat client absent ou différent)", name)
            return defer.fail(error.UnauthorizedLogin("Certificat client requis pour cette boîte"))
        return super().authenticateLogin(user, passwd)


class IMAPFactory:
    """A protocol factory building certified IMAP servers (Twisted's ServerFactory)."""

    def __new__(cls, *, store: Store, directory: Directory, password: str, tls_options):
        from twisted.internet.protocol import ServerFactory

        the_portal = portal.Portal(Realm(store), [DirectoryChecker(directory, password)])

        class Factory(ServerFactory):
            def buildProtocol(self, addr):
                server = CertifiedIMAP4Server(contextFactory=tls_options)
                server.portal = the_portal
                server.factory = self
                return server

        return Factory()
