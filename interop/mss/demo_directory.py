"""The local operator's directory file for ``make run``: every MSSanté address of the DCC's directory.

Two demo addresses answer with an MDN *processed* and one with an integration error 902, so every path can be
seen; the demo GP's address answers nothing more than the delivery notice (his fiches stop at « délivré »).
"""

from __future__ import annotations

from pathlib import Path

from dcc.directory.models import Professional

GP_ADDRESS = "medecin.traitant@pro.mssante.demo.test"


def write(path: Path, *, patient_domain: str) -> dict[str, str]:
    addresses = list(
        Professional.objects.exclude(mss_address="").order_by("rpps", "pk").values_list("mss_address", flat=True)
    )
    others = [a for a in addresses if a.lower() != GP_ADDRESS]
    behaviours = dict.fromkeys(others[:2], "processed")
    if len(others) > 2:
        behaviours[others[2]] = "902"
    lines = ["# Written by make run (interop/mss/demo_directory.py)", f"*@{patient_domain}"]
    lines += [f"{a} mdn={behaviours[a]}" if a in behaviours else a for a in addresses]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return behaviours
