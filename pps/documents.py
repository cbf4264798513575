"""The PPS as a document of the patient record: map a validated ``Pps`` onto the PPS 2025.01 inputs.

Registered in ``settings.DCC_DOCUMENT_PRODUCERS`` under ``pps.pps``; ``interop.filing`` calls
``source_info`` and ``produce``. The diagnosis (a mandatory PPS section) comes from the patient's most
recent fiche RCP (FRCP CDA) in the record: the PPS model has none of its own.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dcc.records.enums import DocumentStatus
from dcc.records.models import Document
from identity.datamatrix import DataMatrixError, encode
from identity.enums import RnivStatus
from interop.cda import inputs
from interop.cda.parsing import parse_xml_safely
from interop.documents import produce_pps
from interop.filing import Chain, Production, ProductionError, SourceInfo
from pps.edp_types import EDP_TYPES
from pps.enums import PpsStatus
from pps.models import Pps

PPS_CODE = "18776-5"
FRCP_CODE = "34794-8"
SUPPORTIVE_CATEGORIES = frozenset({"MED-572", "MED-573"})
NS = {"cda": "urn:hl7-org:v3"}
CIM_O_3 = "2.16.840.1.113883.6.43.1"


def _pps(source_id) -> Pps:
    return (
        Pps.objects.select_related("patient", "establishment", "three_c", "validated_by__professional__specialty")
        .prefetch_related("elements__establishment", "patient__local_identifiers__establishment")
        .get(pk=source_id)
    )


def source_info(source_id) -> SourceInfo:
    pps = Pps.objects.select_related("patient").get(pk=source_id)
    return SourceInfo(patient=pps.patient, previous_source_id=str(pps.previous_id) if pps.previous_id else None)


def _organization(establishment) -> inputs.Organization:
    return inputs.Organization(
        finess=establishment.finess_geo,
        name=establishment.name,
        address=inputs.Address(
            street_name=getattr(establishment, "address", "") or "",
            postal_code=getattr(establishment, "postcode", "") or "",
            city=getattr(establishment, "town", "") or "",
        ),
    )


def _professional(user, organization: inputs.Organization) -> inputs.Professional:
    pro = getattr(user, "professional", None)
    if pro is None or not pro.rpps:
        raise ProductionError(
            f"Le PPS a été validé par {user}, qui n'est pas rattaché à un professionnel de l'annuaire (RPPS) : "
            "le document ne peut pas être signé."
        )
    if pro.specialty_id is None:
        raise ProductionError(f"La spécialité de {pro} n'est pas renseignée dans l'annuaire.")
    return inputs.Professional(
        rpps=pro.rpps,
        family_name=pro.last_name.upper(),
        given_name=pro.first_name,
        specialty_code=pro.specialty_id,
        organization=organization,
        title="DR" if pro.specialty_id.startswith("G15_10") else "",
        phone=pro.phone or "",
    )


def _patient_identity(patient) -> inputs.PatientIdentity:
    if not patient.ins_matricule:
        raise ProductionError(
            "L'identité du patient n'a pas d'INS : le PPS ne peut pas être produit au format CDA. "
            "Récupérez ou qualifiez l'identité (téléservice INSi) puis revalidez."
        )
    ipp = next(iter(patient.local_identifiers.all()), None)
    given = tuple((patient.given_names or patient.first_given_name).split()) or (patient.first_given_name,)
    return inputs.PatientIdentity(
        ins=patient.ins_matricule,
        ins_oid=patient.ins_oid or inputs.INS_OID_TEST,
        birth_family_name=patient.birth_name.upper(),
        given_names=given,
        sex=patient.sex if patient.sex in ("M", "F") else "U",
        birth_date=patient.birth_date,
        ipp=ipp.value if ipp else "",
        ipp_root=(ipp.assigning_authority_oid or inputs.PatientIdentity.ipp_root) if ipp else "1.2.250.1.213.1.1.9.99",
        used_family_name=(patient.used_name or "").upper(),
        used_given_name=patient.used_first_name or "",
        birth_place_code=patient.birth_place_code or "",
    )


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


def _items(pps: Pps) -> tuple[list[inputs.ProgrammeItem], list[inputs.ProgrammeItem]]:
    programme, supportive = [], []
    for element in sorted(pps.elements.all(), key=lambda e: (e.planned_date, e.pk)):
        spec = EDP_TYPES[element.kind]
        detail = ", ".join(
            part
            for part in (element.label, element.establishment.name if element.establishment else "", element.rhythm)
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


def produce(source_id, chain: Chain) -> Production:
    pps = _pps(source_id)
    if pps.status == PpsStatus.DRAFT:
        raise ProductionError("Un PPS en brouillon ne produit pas de document : validez-le d'abord.")
    if pps.establishment is None:
        raise ProductionError("Le PPS n'est rattaché à aucun établissement : le document ne peut pas être émis.")
    organization = _organization(pps.establishment)
    signer = _professional(pps.validated_by, organization)
    programme, supportive = _items(pps)
    if not programme:
        raise ProductionError("Le programme thérapeutique et de suivi ne comporte aucun traitement ni suivi.")
    patient = pps.patient
    datamatrix = None
    if patient.rniv_status == RnivStatus.QUALIFIEE:
        try:
            datamatrix = encode(patient).png()
        except DataMatrixError:
            datamatrix = None
    moment = timezone.localtime(pps.validated_at)
    header_kwargs = {"set_id": chain.set_id} if chain.set_id else {}
    header = inputs.DocumentHeader(
        patient=_patient_identity(patient),
        author=signer,
        custodian=organization,
        legal_authenticator=signer,
        title="Programme personnalisé de soins",
        effective_time=moment,
        version=chain.version,
        replaced_document_id=chain.replaced_document_id,
        **header_kwargs,
    )
    diagnosis, screening = diagnosis_from_record(patient)
    content = inputs.PpsContent(
        programme=tuple(programme),
        supportive_care=tuple(supportive),
        diagnosis=diagnosis,
        discovered_by_screening=screening,
        handed_to_patient=pps.delivered_on,
        comment=pps.patient_comment[:2000],
        reference_establishment=organization,
    )
    issuer = pps.three_c.name if pps.three_c else pps.establishment.name
    produced = produce_pps(header, content, issuer=issuer, datamatrix_png=datamatrix)
    return Production(
        produced=produced,
        type_code=PPS_CODE,
        title=f"PPS — version {pps.version}" if pps.version > 1 else "PPS",
        act_date=pps.validated_at,
        author=pps.validated_by,
        establishment=pps.establishment,
    )
