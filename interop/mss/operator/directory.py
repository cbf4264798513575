"""Which addresses the local operator serves, and how the "receiving software" behind some of them answers.

One line per address: ``address [mdn=processed|mdn=902]``; ``*@domain`` serves every address of a domain (the
patients' ``patient.mssante.fr``); ``#`` starts a comment. The file is read again when it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Directory:
    path: Path | None = None
    addresses: dict[str, str] = field(default_factory=dict)  # address → behaviour ("", "processed", "902")
    domains: set[str] = field(default_factory=set)
    _mtime: float = -1.0

    def reload(self) -> None:
        if self.path is None:
            return
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            return
        if mtime == self._mtime:
            return
        addresses, domains = {}, set()
        for line in self.path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            address, *options = line.split()
            behaviour = next((o.split("=", 1)[1] for o in options if o.startswith("mdn=")), "")
            if address.startswith("*@"):
                domains.add(address[2:].lower())
            else:
                addresses[address.lower()] = behaviour
        self.addresses, self.domains, self._mtime = addresses, domains, mtime

    def add(self, address: str, behaviour: str = "") -> None:
        self.addresses[address.lower()] = behaviour

    def known(self, address: str) -> bool:
        self.reload()
        address = address.lower()
        return address in self.addresses or address.rsplit("@", 1)[-1] in self.domains

    def behaviour(self, address: str) -> str:
        self.reload()
        return self.addresses.get(address.lower(), "")
