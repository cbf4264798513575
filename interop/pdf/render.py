"""PDF/A-1b rendering of produced documents with WeasyPrint.

`render_document(PdfDocument)` lays out a French, printable document (header with the RCP/3C, patient identity
block with an optional INS DataMatrix, sections, signature block, page numbers, document id and version) from
`templates/documents/pdf/document.html` and `static/css/print-document.css`, and returns PDF/A-1b bytes.

WeasyPrint writes its XMP packet with every namespace declared once on `rdf:RDF` and the PDF/A identification
(`pdfaid:part`, `pdfaid:conformance`) as attributes of an `rdf:Description`. PDFBox Preflight (the validator of
the tests) builds XMP schemas from the namespaces declared on each `rdf:Description`, so it reports
"7.3 : Error on MetaData, Schema is not set in this document : http://www.aiim.org/pdfa/ns/id/" although the
packet is valid RDF. `PdfAMetadata` writes the same properties with each schema's namespace declared on its own
`rdf:Description` and properties as elements, which both readers accept; the report is fixed, not silenced.
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from identity.enums import INS_OID_NIA, INS_OID_NIR, INS_OID_TEST

CSS_PATH = Path(settings.BASE_DIR) / "static" / "css" / "print-document.css"
INS_LABELS = {INS_OID_NIR: "INS-NIR", INS_OID_NIA: "INS-NIA", INS_OID_TEST: "INS (test)"}


@dataclass(frozen=True)
class PdfSection:
    title: str
    paragraphs: tuple[str, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()  # (label, value) lines shown as a table
    highlight: bool = False


@dataclass(frozen=True)
class PdfPatient:
    birth_family_name: str
    given_names: str
    sex_label: str
    birth_date: dt.date
    ins: str = ""
    ins_oid: str = ""
    used_family_name: str = ""
    ipp: str = ""
    birth_place_code: str = ""
    datamatrix_png: bytes | None = None  # INS DataMatrix image (opaque PNG, no alpha channel: PDF/A-1)

    @property
    def ins_label(self) -> str:
        return INS_LABELS.get(self.ins_oid, "INS")

    @property
    def datamatrix_uri(self) -> str:
        if not self.datamatrix_png:
            return ""
        return "data:image/png;base64," + base64.b64encode(self.datamatrix_png).decode("ascii")


@dataclass(frozen=True)
class PdfDocument:
    title: str
    issuer: str  # e.g. "3C Vienne Nord Deux-Sèvres"
    subtitle: str  # e.g. "RCP Sein — séance du 20/11/2026"
    patient: PdfPatient
    document_id: str
    version: int
    signed_by: str
    signed_role: str
    signed_at: dt.datetime
    sections: tuple[PdfSection, ...] = field(default_factory=tuple)
    participants: tuple[str, ...] = ()
    participants_notice: str = ""  # shown, emphasised, above the participants (e.g. validation hors quorum)
    author: str = ""


def _metadata_class():
    from weasyprint import __version__
    from weasyprint.pdf.metadata import DocumentMetadata

    class PdfAMetadata(DocumentMetadata):
        """XMP packet with per-Description namespace declarations (see the module docstring)."""

        def generate_rdf_metadata(self, variant, version, conformance):
            from lxml import etree

            rdf_ns = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
            rdf = etree.Element(f"{{{rdf_ns}}}RDF", nsmap={"rdf": rdf_ns})

            def description(prefix: str, uri: str) -> etree._Element:
                element = etree.SubElement(rdf, f"{{{rdf_ns}}}Description", nsmap={prefix: uri})
                element.set(f"{{{rdf_ns}}}about", "")
                return element

            pdfaid = "http://www.aiim.org/pdfa/ns/id/"
            ident = description("pdfaid", pdfaid)
            etree.SubElement(ident, f"{{{pdfaid}}}part").text = str(version)
            etree.SubElement(ident, f"{{{pdfaid}}}conformance").text = conformance
            pdf_ns = "http://ns.adobe.com/pdf/1.3/"
            producer = description("pdf", pdf_ns)
            etree.SubElement(producer, f"{{{pdf_ns}}}Producer").text = f"WeasyPrint {__version__}"
            if self.keywords:
                etree.SubElement(producer, f"{{{pdf_ns}}}Keywords").text = ", ".join(self.keywords)
            dc = "http://purl.org/dc/elements/1.1/"
            if self.title or self.authors or self.description:
                dublin = description("dc", dc)
                for tag, value in (("title", self.title), ("description", self.description)):
                    if value:
                        alt = etree.SubElement(etree.SubElement(dublin, f"{{{dc}}}{tag}"), f"{{{rdf_ns}}}Alt")
                        item = etree.SubElement(alt, f"{{{rdf_ns}}}li")
                        item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
                        item.text = value
                if self.authors:
                    seq = etree.SubElement(etree.SubElement(dublin, f"{{{dc}}}creator"), f"{{{rdf_ns}}}Seq")
                    for author in self.authors:
                        etree.SubElement(seq, f"{{{rdf_ns}}}li").text = author
            xmp = "http://ns.adobe.com/xap/1.0/"
            if self.generator or self.created or self.modified:
                basic = description("xmp", xmp)
                for tag, value in (
                    ("CreatorTool", self.generator),
                    ("CreateDate", self.created),
                    ("ModifyDate", self.modified),
                ):
                    if value:
                        etree.SubElement(basic, f"{{{xmp}}}{tag}").text = value
            return etree.tostring(rdf, encoding="utf-8")

    return PdfAMetadata


def render_html(document: PdfDocument) -> str:
    return render_to_string("documents/pdf/document.html", {"doc": document})


def render_document(document: PdfDocument) -> bytes:
    """The document as PDF/A-1b bytes."""
    return html_to_pdfa(render_html(document), title=document.title, author=document.author or document.signed_by)


_local = threading.local()


def _resources(stylesheets: tuple[Path, ...]):
    """Parsed stylesheets, a font configuration and a URL fetcher reused by the renders of a thread (WeasyPrint
    objects are not shared across threads).

    The fetcher only reads ``data:`` URIs (the INS DataMatrix): a document never reaches the network or the
    server's disk, whatever its text holds. Reusing it also spares each render WeasyPrint's default fetcher,
    whose HTTPS handler loads the system's certificate store (about 50 ms a document).
    """
    cache = getattr(_local, "cache", None)
    if cache is None:
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        cache = _local.cache = {
            "fonts": FontConfiguration(),
            "fetcher": URLFetcher(allowed_protocols={"data"}, allow_redirects=False),
        }
    if stylesheets not in cache:
        from weasyprint import CSS

        cache[stylesheets] = [CSS(filename=str(path), font_config=cache["fonts"]) for path in stylesheets]
    return cache["fonts"], cache["fetcher"], cache[stylesheets]


def html_to_pdfa(html: str, *, title: str, author: str = "", stylesheets: tuple[Path, ...] = (CSS_PATH,)) -> bytes:
    from weasyprint import HTML

    fonts, fetcher, styles = _resources(tuple(stylesheets))
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).render(
        stylesheets=styles, font_config=fonts
    )
    pdf.metadata = _metadata_class()(**vars(pdf.metadata))
    pdf.metadata.title = title
    pdf.metadata.authors = [author] if author else []
    pdf.metadata.lang = "fr"
    # WeasyPrint opens its sRGB ICC profile without closing it (the file is released, unclosed, inside
    # write_pdf): ignore that one ResourceWarning category for the duration of the call only.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        return pdf.write_pdf(pdf_variant="pdf/a-1b")
