"""The directory and identity models as CDA builder inputs: establishment → Organization, professional →
Professional, patient → PatientIdentity. Shared by every producer (fiche RCP, PPS, PPAC…).

Each raises ``ProductionError`` with a French message the author can act on when the data cannot make a
conformant header (no qualified INS nor IPP, a signer without RPPS or specialty).
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


def _of(document: str) -> str:
    """« Le PPS » → « du PPS », « La fiche RCP » → « de la fiche RCP »."""
    for article, contracted in (("Le ", "du "), ("La ", "de la "), ("L'", "de l'")):
        if document.startswith(article):
            return contracted + document[len(article) :]
    return "de " + document[0].lower() + document[1:]


def identification_problem(patient, *, finess: str = "", document: str = "Le document") -> str:
    """Why the patient cannot be identified in a CDA (French, for the author), or "" when they can.

    The INS travels only with a qualified identity (``Patient.ins_exchangeable``, the RNIV rule); otherwise the
    CI-SIS (Structuration minimale) accepts a local identifier: the IPP under its establishment's OID.
    """
    if patient.ins_exchangeable or local_identifier(patient, finess=finess) is not None:
        return ""
    return (
        f"Le document {_of(document)} ne peut pas être produit : l'identité du patient "
        "n'est pas qualifiée, son INS ne peut donc pas être transmis, et il n'a pas d'IPP dans un établissement "
        "identifié par un OID. Qualifiez l'identité (téléservice INSi et pièce d'identité) ou ajoutez l'IPP du "
        "patient sur sa page d'identité (« Identifiants locaux »)."
    )


def patient_identity(patient, *, document: str = "Le document", finess: str = "") -> inputs.PatientIdentity:
    """The patient as the CDA names them: the INS only when ``patient.ins_exchangeable``, the IPP when known."""
    problem = identification_problem(patient, finess=finess, document=document)
    if problem:
        raise ProductionError(problem)
    ipp = local_identifier(patient, finess=finess)
    exchangeable = patient.ins_exchangeable
    given = tuple((patient.given_names or patient.first_given_name).split()) or (patient.first_given_name,)
    return inputs.PatientIdentity(
        ins=patient.ins_matricule if exchangeable else "",
        ins_oid=patient.ins_oid if exchangeable else "",
        birth_family_name=patient.birth_name.upper(),
        given_names=given,
        sex=patient.sex if patient.sex in ("M", "F") else "U",
        birth_date=patient.birth_date,
        ipp=ipp.value if ipp else "",
        ipp_root=ipp.assigning_authority_oid if ipp else inputs.PatientIdentity.ipp_root,
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
    patient, signer: inputs.Professional, custodian: inputs.Organization, chain, *, title: str, effective_time,
    document: str, **extra,
) -> inputs.DocumentHeader:  # fmt: skip
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
