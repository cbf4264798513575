"""CDA R2 builders: the Structuration minimale header, FRCP 2025.01 and PPS 2025.01 bodies (N3) and N1 (PDF body).

Entry points: `build_frcp`, `build_pps`, `build_n1`. They return a `BuiltDocument` (UTF-8 bytes and ids); callers
validate it with `validation.validate_cda` before storing or sending it. Every entry gets a fresh UUID; coded
answers are looked up in their CI-SIS value set (`jdv.concept`), so an unknown code raises `UnknownCodeError`.

The package: `elements` (namespaces, code systems, `BuildError`, `BuiltDocument`, element helpers), `header` (the
Structuration minimale header), `sections` (the sections FRCP and PPS share), `frcp`, `pps` and `n1` (one volet each).
"""

from .elements import BuildError, BuiltDocument
from .frcp import build_frcp
from .header import build_header
from .n1 import build_n1
from .pps import CATEGORY_LABELS, CATEGORY_VALUE_SETS, build_pps

__all__ = [
    "CATEGORY_LABELS",
    "CATEGORY_VALUE_SETS",
    "BuildError",
    "BuiltDocument",
    "build_frcp",
    "build_header",
    "build_n1",
    "build_pps",
]
