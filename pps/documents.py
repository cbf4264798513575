"""The PPS as a document of the patient record: map a validated ``Pps`` onto the PPS 2025.01 inputs.

Registered in ``settings.DCC_DOCUMENT_PRODUCERS`` under ``pps.pps``; ``interop.filing`` calls
``source_info`` and ``produce``. The diagnosis (a mandatory PPS section) and the RCP date come from the
fiche RCP the PPS follows (its latest validated version); a PPS without one takes the diagnosis of the
patient's most recent fiche RCP (FRCP CDA) in the record: the PPS model has none of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from dcc.records.enums import DocumentStatus
from dcc.records.models import Document
from interop import model_inputs
from interop.cda import inputs
from interop.cda.parsing import parse_xml_safely
from interop.documents import produce_pps
from interop.filing import Chain, Production, ProductionError, SourceInfo, versioned_title
from pps.edp_types import EDP_TYPES
from pps.enums import PpsStatus
from pps.models import Pps, Programme
from pps.selectors import contacts_prefetch
from rcp.enums import DiscoveryMode

PPS_CODE = "18776-5"
FRCP_CODE = "34794-8"
SUPPORTIVE_CATEGORIES = frozenset({"MED-572", "MED-573"})
NS = {"cda": "urn:hl7-org:v3"}
CIM_O_3 = "2.16.840.1.113883.6.43.1"


def _pps(source_id) -> Pps:
    pps = (
        Pps.objects.select_related(
            "patient__general_practitioner",
            "establishment",
            "three_c",
            "validated_by__professional__specialty",
            "rcp_fiche__dossier__session",
        )
        .prefetch_related(
            "elements__establishment",
            "elements__referring_doctor",
            "elements__protocol",
            contacts_prefetch(),
            "patient__local_identifiers__establishment",
        )
        .get(pk=source_id)
    )
    if pps.programme != Programme.PPS:
        raise ProductionError(
            f"Le programme n° {pps.pk} est un PPAC : son document est produit comme PPAC, pas comme PPS."
        )
    return pps


def source_info(source_id) -> SourceInfo:
    pps = Pps.objects.select_related("patient").get(pk=source_id)
    return SourceInfo(patient=pps.patient, previous_source_id=str(pps.previous_id) if pps.previous_id else None)


def diagnosis_from_record(patient) -> tuple[inputs.Diagnosis, bool | None]:
    """The diagnosis (and discovery by screening, if stated) of the patient's most recent fiche RCP in the record."""
    frcp = (
        Document.objects.filter(patient=patient, type_code=FRCP_CODE, status=DocumentStatus.CURRENT)
        .exclude(cda_file="")
        .order_by("-act_date", "-id")
        .first()
    )
    if frcp is None:
        raise ProductionError(
            "Aucune fiche RCP (avec diagnostic) n'est présente dans le dossier du patient : le diagnostic, "
            "obligatoire dans le PPS, ne peut pas être renseigné."
        )
    with frcp.cda_file.open("rb") as handle:
        root = parse_xml_safely(handle.read()).getroot()
    screening = None
    for observation in root.iterfind(".//cda:observation", NS):
        found = observation.find("cda:code", NS)
        value = observation.find("cda:value", NS)
        if found is not None and found.get("code") == "63921-1" and value is not None and value.get("value"):
            screening = value.get("value") == "true"
            break
    for value in root.iterfind(".//cda:observation/cda:value", NS):
        if value.get("codeSystem") != CIM_O_3:
            continue
        observation = value.getparent()
        site = observation.find("cda:targetSiteCode", NS)
        low = observation.find("cda:effectiveTime/cda:low", NS)
        if site is None or not site.get("code"):
            continue
        when = low.get("value", "") if low is not None else ""
        try:
            day = dt.datetime.strptime(when[:8], "%Y%m%d").date()
        except ValueError:
            day = frcp.act_date.date()
        diagnosis = inputs.Diagnosis(
            morphology_code=value.get("code"), topography_code=site.get("code"), diagnosis_date=day
        )
        return diagnosis, screening
    raise ProductionError(f"La fiche RCP « {frcp.title} » ne contient pas de diagnostic codé (CIM-O-3, CIM-10).")


def diagnosis_from_fiche(fiche) -> tuple[inputs.Diagnosis, bool | None, dt.date | None] | None:
    """The diagnosis (with laterality and TNM), discovery by screening (if stated) and discovery date of the fiche's
    latest validated version; ``None`` when it has no coded diagnosis (topography, morphology and a date)."""
    from rcp.frcp import fiche_as_of, fiche_diagnosis

    version = fiche.versions.order_by("-version").first()
    signed = fiche_as_of(version) if version is not None else fiche
    diagnosis = fiche_diagnosis(signed)
    if not (diagnosis.topography_code and diagnosis.morphology_code and diagnosis.diagnosis_date):
        return None
    screening = (signed.discovery_mode == DiscoveryMode.SCREENING) if signed.discovery_mode else None
    return diagnosis, screening, signed.discovery_date


def _diagnosis(pps: Pps) -> tuple[inputs.Diagnosis, bool | None, dt.date | None, dt.date | None]:
    """(diagnosis, discovered by screening, discovery date, RCP date): from the linked fiche, else the record."""
    fiche = pps.rcp_fiche
    if fiche is not None:
        rcp_date = timezone.localtime(fiche.dossier.session.starts_at).date()
        found = diagnosis_from_fiche(fiche)
        if found is not None:
            return (*found, rcp_date)
        diagnosis, screening = diagnosis_from_record(pps.patient)
        return diagnosis, screening, None, rcp_date
    diagnosis, screening = diagnosis_from_record(pps.patient)
    return diagnosis, screening, None, None


def _items(pps: Pps) -> tuple[list[inputs.ProgrammeItem], list[inputs.ProgrammeItem]]:
    programme, supportive = [], []
    for element in sorted(pps.elements.all(), key=lambda e: (e.planned_date, e.pk)):
        spec = EDP_TYPES[element.kind]
        referent = element.referring_doctor
        detail = ", ".join(
            part
            for part in (
                element.label,
                f"protocole {element.protocol.name}" if element.protocol else "",
                element.establishment.name if element.establishment else "",
                element.place,
                f"référent : {referent.display_name}" if referent else "",
                element.rhythm,
                element.comment,
            )
            if part
        )
        item = inputs.ProgrammeItem(
            category=spec.category.code,
            code=spec.code,
            start=element.planned_date,
            end=element.end_date,
            detail=detail[:200],
        )
        (supportive if spec.category.code in SUPPORTIVE_CATEGORIES else programme).append(item)
    return programme, supportive


def contact_rows(pps: Pps) -> tuple[tuple[str, str], ...]:
    """The programme's useful contacts as the patient reads them: role, then who, where and the phone number."""
    rows = []
    for contact in pps.contacts.all():
        parts = [contact.professional.display_name]
        if contact.establishment:
            parts.append(contact.establishment.name)
        phone = contact.phone or contact.professional.phone
        if phone:
            parts.append(f"tél. {phone}")
        rows.append((contact.role, " — ".join(parts)))
    return tuple(rows)


@dataclass(frozen=True)
class SignedHeader:
    header: inputs.DocumentHeader
    organization: inputs.Organization
    signer: inputs.Professional


def signed_header(pps: Pps, chain: Chain, *, title: str, document: str) -> SignedHeader:
    """The CDA header of a validated programme (PPS or PPAC), signed by who validated it, in its version chain.

    ``document`` names it in the French errors (« Le PPS », « Le PPAC »).
    """
    if pps.status == PpsStatus.DRAFT:
        raise ProductionError(f"{document} en brouillon ne produit pas de document : validez-le d'abord.")
    if pps.establishment is None:
        raise ProductionError(f"{document} n'est rattaché à aucun établissement : le document ne peut pas être émis.")
    organization = model_inputs.organization(pps.establishment)
    signer = model_inputs.signer(pps.validated_by, organization, document=document)
    header = model_inputs.signed_header(
        pps.patient,
        signer,
        organization,
        chain,
        title=title,
        effective_time=timezone.localtime(pps.validated_at),
        document=document,
    )
    return SignedHeader(header=header, organization=organization, signer=signer)


@dataclass(frozen=True)
class PpsInputs:
    header: inputs.DocumentHeader
    content: inputs.PpsContent
    issuer: str
    datamatrix_png: bytes | None


def pps_inputs(pps: Pps, chain: Chain) -> PpsInputs:
    """The header and content of a validated PPS's document; French ``ProductionError`` when it cannot be made."""
    signed = signed_header(pps, chain, title="Programme personnalisé de soins", document="Le PPS")
    header, organization = signed.header, signed.organization
    programme, supportive = _items(pps)
    if not programme:
        raise ProductionError("Le programme thérapeutique et de suivi ne comporte aucun traitement ni suivi.")
    diagnosis, screening, discovered_on, rcp_date = _diagnosis(pps)
    content = inputs.PpsContent(
        programme=tuple(programme),
        supportive_care=tuple(supportive),
        diagnosis=diagnosis,
        discovered_by_screening=screening,
        discovery_date=discovered_on,
        rcp_date=rcp_date,
        handed_to_patient=pps.delivered_on,
        comment=pps.patient_comment[:2000],
        reference_establishment=organization,
        general_practitioner=model_inputs.identified(pps.patient.general_practitioner, organization),
        contacts=contact_rows(pps),
    )
    issuer = pps.three_c.name if pps.three_c else pps.establishment.name
    return PpsInputs(header, content, issuer, model_inputs.datamatrix_png(pps.patient))


def produce(source_id, chain: Chain) -> Production:
    pps = _pps(source_id)
    made = pps_inputs(pps, chain)
    produced = produce_pps(made.header, made.content, issuer=made.issuer, datamatrix_png=made.datamatrix_png)
    return Production(
        produced=produced,
        type_code=PPS_CODE,
        title=versioned_title("PPS", pps.version),
        act_date=pps.validated_at,
        author=pps.validated_by,
        establishment=pps.establishment,
    )
