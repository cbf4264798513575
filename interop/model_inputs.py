"""The directory and identity models as CDA builder inputs: establishment → Organization, professional →
Professional, patient → PatientIdentity. Shared by every producer (fiche RCP, PPS, PPAC…).

Each raises ``ProductionError`` with a French message the author can act on when the data cannot make a
conformant header (a signer without RPPS or specialty).
"""

from __future__ import annotations

from interop.cda import inputs
from interop.filing import ProductionError


def organization(establishment) -> inputs.Organization:
    return inputs.Organization(
        finess=establishment.finess_geo,
        name=establishment.name,
        address=inputs.Address(
            street_name=getattr(establishment, "address", "") or "",
            postal_code=getattr(establishment, "postcode", "") or "",
            city=getattr(establishment, "town", "") or "",
        ),
    )


def _title(pro) -> str:
    """JDV_J246 title: the directory's (Pr, Dr), else Dr for a physician; none for a nurse or a secretary."""
    if pro.civility in ("DR", "PR"):
        return pro.civility
    return "DR" if pro.specialty_id.startswith("G15_10") else ""


def professional(pro, organization: inputs.Organization, *, role: str = "") -> inputs.Professional:
    """A directory ``Professional`` as a CDA person; ``role`` names them in the error (« le signataire »…)."""
    if pro is None or not pro.rpps:
        raise ProductionError(
            f"{role or 'Un professionnel'} n'est pas rattaché à un professionnel de l'annuaire (RPPS) : "
            "le document ne peut pas être émis."
        )
    if pro.specialty_id is None:
        raise ProductionError(f"La spécialité de {pro} n'est pas renseignée dans l'annuaire.")
    return inputs.Professional(
        rpps=pro.rpps,
        family_name=pro.last_name.upper(),
        given_name=pro.first_name,
        specialty_code=pro.specialty_id,
        organization=organization,
        title=_title(pro),
        phone=pro.phone or "",
        civility=pro.civility or "",
    )


def identified(pro, organization: inputs.Organization) -> inputs.Professional | None:
    """An optional person of a header (GP, requester): named only when the directory identifies them (RPPS and
    specialty), since a CDA cannot carry an unidentified professional."""
    if pro is None or not pro.rpps or pro.specialty_id is None:
        return None
    return professional(pro, organization)


def signer(user, organization: inputs.Organization, *, document: str) -> inputs.Professional:
    """The user who validated ``document`` (« Le PPS »…), who must be a directory professional with an RPPS."""
    pro = getattr(user, "professional", None)
    if pro is None or not pro.rpps:
        raise ProductionError(
            f"{document} a été validé par {user}, qui n'est pas rattaché à un professionnel de l'annuaire (RPPS) : "
            "le document ne peut pas être signé."
        )
    return professional(pro, organization)


def local_identifier(patient, *, finess: str = ""):
    """The patient's IPP the CDA may carry: the one of the establishment ``finess`` first, else any IPP of an
    establishment with an OID (an IPP without its assigning authority's OID identifies nobody)."""
    usable = [ipp for ipp in patient.local_identifiers.all() if ipp.establishment.oid]
    usable.sort(key=lambda ipp: (ipp.establishment.finess_geo != finess, ipp.pk))
    return usable[0] if usable else None


def patient_identifiers(patient, *, finess: str = "") -> tuple[str, str, str, str]:
    """(INS, INS OID, local id, local id root) of the patient in a produced CDA. One rule, for every document:

    - the INS only when ``Patient.ins_exchangeable`` (a qualified identity: the RNIV rule);
    - a local identifier always: the IPP under its establishment's OID (the custodian's first), else the DCC's own
      patient number under ``DCC_OID_PATIENT_ROOT``. The Structuration minimale accepts a local identifier alone
      when no INS root is present, so a signed document is never blocked by the identity.
    """
    from django.conf import settings

    ins, ins_oid = (patient.ins_matricule, patient.ins_oid) if patient.ins_exchangeable else ("", "")
    ipp = local_identifier(patient, finess=finess)
    if ipp is not None:
        return ins, ins_oid, ipp.value, ipp.assigning_authority_oid
    return ins, ins_oid, f"DCC-{patient.pk}", settings.DCC_OID_PATIENT_ROOT


def patient_identity(patient, *, document: str = "Le document", finess: str = "") -> inputs.PatientIdentity:
    """The patient as a produced CDA names them (see ``patient_identifiers``) with their strict traits."""
    ins, ins_oid, local, local_root = patient_identifiers(patient, finess=finess)
    given = tuple((patient.given_names or patient.first_given_name).split()) or (patient.first_given_name,)
    return inputs.PatientIdentity(
        ins=ins,
        ins_oid=ins_oid,
        birth_family_name=patient.birth_name.upper(),
        given_names=given,
        sex=patient.sex if patient.sex in ("M", "F") else "U",
        birth_date=patient.birth_date,
        ipp=local,
        ipp_root=local_root,
        used_family_name=(patient.used_name or "").upper(),
        used_given_name=patient.used_first_name or "",
        birth_place_code=patient.birth_place_code or "",
    )


def datamatrix_png(patient) -> bytes | None:
    """The INS DataMatrix of a qualified identity (none otherwise: only a qualified INS may be printed as such)."""
    from identity.datamatrix import DataMatrixError, encode

    if not patient.ins_exchangeable:
        return None
    try:
        return encode(patient).png()
    except DataMatrixError:
        return None


def signed_header(
    patient,
    signer: inputs.Professional,
    custodian: inputs.Organization,
    chain,
    *,
    title: str,
    effective_time,
    document: str,
    **extra,
) -> inputs.DocumentHeader:
    """The header of a document signed (authored and legally authenticated) by ``signer``, placed in its version
    ``chain`` (``interop.filing.Chain``: setId, versionNumber, RPLC). ``document`` names it in the French errors;
    ``extra`` are further ``DocumentHeader`` fields (service_start…)."""
    if chain.set_id:
        extra["set_id"] = chain.set_id
    return inputs.DocumentHeader(
        patient=patient_identity(patient, document=document, finess=custodian.finess),
        author=signer,
        custodian=custodian,
        legal_authenticator=signer,
        title=title,
        effective_time=effective_time,
        version=chain.version,
        replaced_document_id=chain.replaced_document_id,
        **extra,
    )
