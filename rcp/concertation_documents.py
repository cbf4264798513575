"""The CR de concertation as a document of the patient record: a CDA R2 level 1 (N1) embedding its PDF/A-1b.

Registered in ``settings.DCC_DOCUMENT_PRODUCERS`` under ``rcp.concertation``; ``interop.filing`` calls
``source_info`` and ``produce``. A concertation is never amended (a new one is written), so every document
is a version 1 of its own set.

Document type (JDV_J07_XdsTypeCode_CISIS): 11488-4 « CR ou fiche de consultation ou de visite ». A CR de
concertation is an opinion given outside a session by the colleagues a doctor consulted, i.e. a specialist
consultation's report. 34794-8 (« CR de réunion de concertation pluridisciplinaire ») is not used on purpose:
it names the fiche RCP of a session, whose structured FRCP volet the PPS producer reads for the diagnosis, and
a concertation has neither a session, a quorum nor a coded diagnosis.
"""

from __future__ import annotations

from django.utils import timezone

from interop import model_inputs
from interop.cda import inputs
from interop.documents import produce_n1
from interop.filing import Chain, Production, ProductionError, SourceInfo
from interop.pdf.layouts import signed_pdf
from interop.pdf.render import PdfSection
from rcp import selectors
from rcp.models import Concertation

CONCERTATION_SOURCE = "rcp.concertation"
CONCERTATION_CODE = "11488-4"
TITLE = "Compte rendu de concertation"


def _concertation(source_id) -> Concertation:
    return (
        Concertation.objects.select_related(
            "patient", "rcp__establishment", "rcp__three_c", "requesting_doctor__specialty", "author__professional"
        )
        .prefetch_related("consulted__specialty", "patient__local_identifiers", "requesting_doctor__places")
        .get(pk=source_id)
    )


def source_info(source_id) -> SourceInfo:
    return SourceInfo(patient=Concertation.objects.select_related("patient").get(pk=source_id).patient)


def _establishment(concertation: Concertation):
    """The RCP's organising establishment, else the requesting doctor's main place of practice."""
    if concertation.rcp is not None:
        return concertation.rcp.establishment
    places = sorted(concertation.requesting_doctor.places.all(), key=lambda place: (not place.is_primary, place.pk))
    if not places:
        raise ProductionError(
            "Le compte rendu n'est rattaché à aucune RCP et le médecin demandeur n'a aucun lieu d'exercice dans "
            "l'annuaire : l'établissement responsable du document ne peut pas être renseigné."
        )
    return places[0].establishment


def _who(professional) -> str:
    return (
        f"{professional.display_name} ({professional.specialty.label})"
        if professional.specialty_id
        else str(professional.display_name)
    )


def layout(concertation: Concertation, header: inputs.DocumentHeader, *, issuer: str, datamatrix_png=None):
    """The printable CR de concertation: the request, the question, the opinion and the proposed treatments."""
    request_rows = [("Médecin demandeur", _who(concertation.requesting_doctor))]
    if concertation.rcp is not None:
        request_rows.append(("RCP de rattachement", concertation.rcp.title))
    treatments = tuple(f"{item['rank']}. {item['label']}" for item in selectors.concertation_treatments(concertation))
    sections = [
        PdfSection(title="Demande", rows=tuple(request_rows)),
        PdfSection(title="Question posée", paragraphs=(concertation.question,)),
        PdfSection(title="Avis", paragraphs=(concertation.opinion,), highlight=True),
    ]
    if treatments:
        sections.append(PdfSection(title="Traitements proposés", paragraphs=treatments))
    return signed_pdf(
        header,
        title=TITLE,
        issuer=issuer,
        subtitle=f"Avis donné hors séance le {timezone.localtime(concertation.signed_at):%d/%m/%Y}",
        sections=sections,
        signed_role="médecin signataire",
        datamatrix_png=datamatrix_png,
        participants=tuple(_who(professional) for professional in concertation.consulted.all()),
    )


def produce(source_id, chain: Chain) -> Production:
    concertation = _concertation(source_id)
    establishment = _establishment(concertation)
    organization = model_inputs.organization(establishment)
    signer = model_inputs.signer(concertation.author, organization, document="Le compte rendu de concertation")
    patient = concertation.patient
    moment = timezone.localtime(concertation.signed_at)
    header = model_inputs.signed_header(
        patient,
        signer,
        organization,
        chain,
        title=TITLE,
        effective_time=moment,
        document="Le compte rendu de concertation",
    )
    issuer = concertation.rcp.three_c.name if concertation.rcp is not None else establishment.name
    pdf_layout = layout(concertation, header, issuer=issuer, datamatrix_png=model_inputs.datamatrix_png(patient))
    return Production(
        produced=produce_n1(header, pdf_layout, document_code=CONCERTATION_CODE),
        type_code=CONCERTATION_CODE,
        title=f"{TITLE} du {moment:%d/%m/%Y}",
        act_date=concertation.signed_at,
        author=concertation.author,
        establishment=establishment,
    )
