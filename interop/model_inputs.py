"""The directory and identity models as CDA builder inputs: establishment → Organization, professional →
Professional, patient → PatientIdentity. Shared by every producer (fiche RCP, PPS, PPAC…).

Each raises ``ProductionError`` with a French message the author can act on when the data cannot make a
conformant header (no INS, a signer without RPPS or specialty).
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
        title="DR" if pro.specialty_id.startswith("G15_10") else "",
        phone=pro.phone or "",
    )


def signer(user, organization: inputs.Organization, *, document: str) -> inputs.Professional:
    """The user who validated ``document`` (« Le PPS »…), who must be a directory professional with an RPPS."""
    pro = getattr(user, "professional", None)
    if pro is None or not pro.rpps:
        raise ProductionError(
            f"{document} a été validé par {user}, qui n'est pas rattaché à un professionnel de l'annuaire (RPPS) : "
            "le document ne peut pas être signé."
        )
    return professional(pro, organization)


def patient_identity(patient, *, document: str = "Le document") -> inputs.PatientIdentity:
    if not patient.ins_matricule:
        raise ProductionError(
            f"L'identité du patient n'a pas d'INS : {document[0].lower() + document[1:]} ne peut pas être produit "
            "au format CDA. Récupérez ou qualifiez l'identité (téléservice INSi) puis revalidez."
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


def datamatrix_png(patient) -> bytes | None:
    """The INS DataMatrix of a qualified identity (none otherwise: only a qualified INS may be printed as such)."""
    from identity.datamatrix import DataMatrixError, encode
    from identity.enums import RnivStatus

    if patient.rniv_status != RnivStatus.QUALIFIEE:
        return None
    try:
        return encode(patient).png()
    except DataMatrixError:
        return None


def signed_header(
    patient, signer: inputs.Professional, custodian: inputs.Organization, chain, *, title: str, effective_time,
    document: str, **extra,
) -> inputs.DocumentHeader:  # fmt: skip
    """The header of a document signed (authored and legally authenticated) by ``signer``, placed in its version
    ``chain`` (``interop.filing.Chain``: setId, versionNumber, RPLC). ``document`` names it in the French errors;
    ``extra`` are further ``DocumentHeader`` fields (service_start…)."""
    if chain.set_id:
        extra["set_id"] = chain.set_id
    return inputs.DocumentHeader(
        patient=patient_identity(patient, document=document),
        author=signer,
        custodian=custodian,
        legal_authenticator=signer,
        title=title,
        effective_time=effective_time,
        version=chain.version,
        replaced_document_id=chain.replaced_document_id,
        **extra,
    )
