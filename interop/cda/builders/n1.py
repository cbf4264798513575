"""N1: a CDA R2 level 1 document whose body is the PDF itself."""

from __future__ import annotations

import base64

from ..inputs import DocumentHeader, PdfCopy
from .elements import CDA_NS, BuildError, BuiltDocument, E
from .header import build_header, serialize

TEMPLATE_NON_STRUCTURED = "1.3.6.1.4.1.19376.1.2.20"


def build_n1(header: DocumentHeader, pdf: PdfCopy, *, document_code: str) -> BuiltDocument:
    """A CDA R2 level 1 document whose body is the PDF (CR de concertation, attestation…)."""
    if not pdf.content.startswith(b"%PDF-"):
        raise BuildError("Le corps d'un document CDA N1 doit être un fichier PDF.")
    root = build_header(header, volet_template=None, document_code=document_code)
    last_template = root.findall(f"{{{CDA_NS}}}templateId")[-1]
    last_template.addnext(E.templateId(root=TEMPLATE_NON_STRUCTURED))
    root.append(
        E.component(
            E.nonXMLBody(
                E.text(base64.b64encode(pdf.content).decode("ascii"), mediaType="application/pdf", representation="B64")
            )
        )
    )
    return serialize(root, header, TEMPLATE_NON_STRUCTURED)
