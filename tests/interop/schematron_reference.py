"""A reference ISO Schematron engine for the differential test of ``interop.cda.schematron``.

The ISO Schematron "skeleton" by Rick Jelliffe (MIT licence, in the header of each file), the pipeline the ANS
batch files run (``iso_dsdl_include`` → ``iso_abstract_expand`` → ``iso_svrl_for_…``), in the XSLT 1 edition that
lxml ships (``lxml/isoschematron/resources/xsl/iso-schematron-xslt1/``, nothing copied here). The ANS rules declare
``queryBinding="xslt2"``, which that edition refuses: the expanded schema is given ``xslt`` for the last stage, and
the generated stylesheet is then run as XSLT 2.0 (its instructions are XSLT 1, its expressions the rules' XPath 2),
with ``xml:base`` set to the schematron's address so that ``document()`` resolves as in the official pipeline.
Saxon runs every stage, with its optimiser off (at the default level, Saxon 13 fails on the stylesheet generated
for the terminology rules: "Bad parent pointer in expression tree").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import lxml.isoschematron
from lxml import etree
from saxonche import PySaxonProcessor

SKELETON = Path(lxml.isoschematron.__file__).parent / "resources" / "xsl" / "iso-schematron-xslt1"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass(frozen=True)
class Firing:
    """A failed assert or a successful report: which pattern, which rule, which test, where."""

    kind: str
    pattern: str
    rule_id: str
    rule_context: str
    test: str
    location: str
    role: str


class ReferenceEngine:
    def __init__(self) -> None:
        self.processor = PySaxonProcessor(license=False)
        self.processor.set_configuration_property("http://saxon.sf.net/feature/optimizationLevel", "0")
        self.xslt = self.processor.new_xslt30_processor()
        self.stages = [
            self.xslt.compile_stylesheet(stylesheet_file=str(SKELETON / f"{name}.xsl"))
            for name in ("iso_dsdl_include", "iso_abstract_expand", "iso_svrl_for_xslt1")
        ]
        self._compiled: dict[Path, object] = {}

    def compile(self, schematron: Path):
        if schematron not in self._compiled:
            include, expand, svrl = self.stages
            included = include.transform_to_value(xdm_node=self.processor.parse_xml(xml_file_name=str(schematron)))
            expanded = etree.fromstring(expand.transform_to_string(xdm_node=included.head).encode())
            expanded.set("queryBinding", "xslt")
            generated = svrl.transform_to_string(
                xdm_node=self.processor.parse_xml(xml_text=etree.tostring(expanded, encoding="unicode"))
            )
            sheet = etree.fromstring(generated.encode())
            sheet.set("version", "2.0")
            sheet.set(XML_BASE, schematron.resolve().as_uri())
            self._compiled[schematron] = self.xslt.compile_stylesheet(
                stylesheet_text=etree.tostring(sheet, encoding="unicode")
            )
        return self._compiled[schematron]

    def run(self, schematron: Path, document: bytes) -> list[Firing]:
        node = self.processor.parse_xml(xml_text=document.decode("utf-8"))
        output = etree.fromstring(self.compile(schematron).transform_to_string(xdm_node=node).encode())
        firings = []
        pattern = rule_id = context = ""
        for element in output:
            if element.tag == SVRL + "active-pattern":
                pattern, rule_id, context = element.get("id", ""), "", ""
            elif element.tag == SVRL + "fired-rule":
                rule_id, context = element.get("id", ""), element.get("context", "")
            elif element.tag in (SVRL + "failed-assert", SVRL + "successful-report"):
                kind = "assert" if element.tag == SVRL + "failed-assert" else "report"
                firings.append(
                    Firing(kind, pattern, rule_id, context, element.get("test", ""), element.get("location", ""),
                           element.get("role", ""))
                )  # fmt: skip
        return firings
