"""The local MSSanté operator: a stand-in of the *Espace de confiance* for ``make run``, the tests and CI.

A real SMTP submission server (aiosmtpd: STARTTLS required, client certificate checked, DSN extension) and
a real IMAP4 server (Twisted ``imap4``: STARTTLS required before LOGIN, client certificate checked) on
loopback, sharing one SQLite store with one mailbox per address of the demo directory, plus a read-only web
page listing what each mailbox received. It delivers to known addresses and answers unknown ones with a
5.1.1 failure DSN; addresses marked ``mdn=processed`` or ``mdn=902`` in the directory file answer the
messages that ask for it (``Disposition-Notification-To``) with an MDN *processed* or an integration error
902 (patient inconnu). Nothing in here imports Django: the DCC talks to it only over the wire.

``python -m interop.mss.operator --help``
"""
