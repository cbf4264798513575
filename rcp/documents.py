"""The fiche RCP as a document of the patient record: one FRCP 2025.01 (CDA R2 N3 embedding its PDF/A-1b) per
validated ``FicheVersion``.

Registered in ``settings.DCC_DOCUMENT_PRODUCERS`` under ``rcp.ficheversion``; ``interop.filing`` calls
``source_info`` and ``produce``. A version is immutable, so its document is too: an amendment (version n+1)
makes a new document with the same setId, versionNumber n+1 and relatedDocument RPLC, and the record marks the
previous one replaced. The clinical content comes from the version's snapshot (``rcp.frcp.fiche_as_of``), the
header, meeting and people from the directory.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from dcc.directory.models import PlaceOfPractice, Professional
from dcc.records.enums import CareRelationshipKind
from dcc.records.models import CareRelationship
from interop import model_inputs
from interop.cda import inputs
from interop.cda.jdv import UnknownCodeError
from interop.documents import produce_frcp
from interop.filing import Chain, Production, ProductionError, SourceInfo, versioned_title
from rcp.enums import FICHE_DOCUMENT_SOURCE, MemberRole
from rcp.frcp import fiche_as_of, frcp_content
from rcp.models import Fiche, FicheVersion, RcpMember

SOURCE_TYPE = FICHE_DOCUMENT_SOURCE
FRCP_CODE = "34794-8"
REQUIRED = {
    "diagnosis_date": "la date du diagnostic",
    "topography_code": "la topographie (CIM-10)",
    "morphology_code": "la morphologie (CIM-O-3)",
    "case_summary": "le résumé du cas",
}
_PLACES = Prefetch("places", queryset=PlaceOfPractice.objects.select_related("establishment"))


def _version(source_id) -> FicheVersion:
    return FicheVersion.objects.select_related(
        "signed_by__professional__specialty",
        "fiche__dossier__patient__general_practitioner",
        "fiche__dossier__requesting_doctor",
        "fiche__dossier__session__rcp__establishment",
        "fiche__dossier__session__rcp__three_c",
    ).get(pk=source_id)


def source_info(source_id) -> SourceInfo:
    version = FicheVersion.objects.select_related("fiche__dossier__patient").get(pk=source_id)
    previous = (
        FicheVersion.objects.filter(fiche_id=version.fiche_id, version__lt=version.version)
        .order_by("-version")
        .values_list("pk", flat=True)
        .first()
    )
    return SourceInfo(patient=version.fiche.dossier.patient, previous_source_id=str(previous) if previous else None)


def _organization_of(pro: Professional, default: inputs.Organization) -> inputs.Organization:
    """Where the professional practises (primary place first), else the RCP's establishment."""
    places = sorted(pro.places.all(), key=lambda place: (not place.is_primary, place.pk))
    return model_inputs.organization(places[0].establishment) if places else default


def _identified(pro: Professional | None, default: inputs.Organization) -> inputs.Professional | None:
    """An optional person of the header (requester, GP, quorum member): named only when the directory identifies
    them (RPPS and specialty), since a CDA cannot carry an unidentified professional."""
    if pro is None or not pro.rpps or pro.specialty_id is None:
        return None
    return model_inputs.professional(pro, _organization_of(pro, default))


def _coordinator(fiche: Fiche, default: inputs.Organization, signer: inputs.Professional) -> inputs.Professional:
    """The RCP's coordinator (a member with that role, identified in the directory), else the signer."""
    members = (
        RcpMember.objects.filter(rcp_id=fiche.dossier.session.rcp_id, role=MemberRole.COORDINATOR)
        .exclude(professional__rpps__isnull=True)
        .exclude(professional__rpps="")
        .exclude(professional__specialty__isnull=True)
        .select_related("professional")
        .prefetch_related(Prefetch("professional__places", queryset=_PLACES.queryset))
        .order_by("pk")
    )
    member = next(iter(members), None)
    if member is None:
        return signer
    return model_inputs.professional(member.professional, _organization_of(member.professional, default))


def _quorum_members(version: FicheVersion, default: inputs.Organization) -> tuple[inputs.Professional, ...]:
    """The participants present when the version was signed (snapshot), as directory professionals."""
    ids = [person["professional_id"] for person in version.participants if person.get("professional_id")]
    found = {pro.pk: pro for pro in Professional.objects.filter(pk__in=ids).prefetch_related(_PLACES)}
    members = (_identified(found.get(pk), default) for pk in dict.fromkeys(ids))
    return tuple(member for member in members if member is not None)


def _present(participants: list[dict]) -> tuple[str, ...]:
    """Everyone present in the snapshot, « Nom (spécialité) », identified in the directory or not."""
    return tuple(
        f"{person['name']} ({person['specialty']})" if person.get("specialty") else person["name"]
        for person in participants
        if person.get("name")
    )


def _general_practitioner(patient) -> Professional | None:
    """The patient's médecin traitant: the identity's, else the GP told of an RCP (care relationship)."""
    if patient.general_practitioner_id:
        return patient.general_practitioner
    link = (
        CareRelationship.objects.current()
        .filter(patient=patient, kind=CareRelationshipKind.GENERAL_PRACTITIONER, professional__isnull=False)
        .select_related("professional")
        .order_by("-created_at")
        .first()
    )
    return link.professional if link else None


def inscription_id(dossier_id: int) -> str:
    """A stable identifier of the patient's registration to the session (inFulfillmentOf/order), the same for
    every version of the fiche."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"dcc:{settings.DCC_RRC_ACRONYM}:rcp.dossier:{dossier_id}")).upper()


def meeting(fiche: Fiche, location: inputs.Organization, coordinator: inputs.Professional) -> inputs.RcpMeeting:
    session = fiche.dossier.session
    rcp = session.rcp
    return inputs.RcpMeeting(
        rrc_id=settings.DCC_RRC_ACRONYM,
        gestionnaire_id=rcp.three_c.code,
        rcp_id=f"RCP-{rcp.pk}",
        session_id=f"SEANCE-{session.pk}",
        rcp_label=f"{settings.DCC_RRC_ACRONYM} / {rcp.three_c.name} / {rcp.title}",
        meeting_time=timezone.localtime(session.starts_at),
        location=location,
        coordinator=coordinator,
        inscription_id=inscription_id(fiche.dossier_id),
    )


def signing_problems(dossier, signer) -> list[str]:
    """What would keep the fiche's document from being produced once ``signer`` signs it (plain French): checked
    *before* signing, since a signed fiche can no longer be corrected but by an amendment. The patient's identity
    never blocks it (``interop.model_inputs.patient_identifiers``: INS when qualified, else a local identifier)."""
    problems = []
    pro = getattr(signer, "professional", None)
    if pro is None or not pro.rpps:
        problems.append(
            "Votre compte n'est pas rattaché à un professionnel de l'annuaire (RPPS) : la fiche signée ne pourrait "
            "pas porter votre signature. Demandez à l'administrateur régional de rattacher votre compte."
        )
    elif pro.specialty_id is None:
        problems.append(
            "Votre spécialité n'est pas renseignée dans l'annuaire : la fiche signée ne pourrait pas être émise. "
            "Demandez à l'administrateur régional de la compléter."
        )
    return problems


def _check_complete(fiche: Fiche) -> None:
    missing = [label for name, label in REQUIRED.items() if not getattr(fiche, name)]
    if missing:
        raise ProductionError(
            f"La version {fiche.version} de la fiche ne renseigne pas " + ", ".join(missing) + " : la fiche RCP ne "
            "peut pas être émise au format CDA. Amendez la fiche pour compléter ces éléments."
        )


@dataclass(frozen=True)
class FrcpInputs:
    """Everything ``interop.documents.produce_frcp`` needs for one version."""

    header: inputs.DocumentHeader
    content: inputs.FrcpContent
    issuer: str
    datamatrix_png: bytes | None
    participants: tuple[str, ...]  # everyone present when the version was signed, as the PDF lists them


def frcp_inputs(version: FicheVersion, chain: Chain) -> FrcpInputs:
    """The FRCP header and content of a validated version; French ``ProductionError`` when it cannot be made."""
    fiche = fiche_as_of(version)
    dossier = fiche.dossier
    rcp = dossier.session.rcp
    _check_complete(fiche)
    organization = model_inputs.organization(rcp.establishment)
    signer = model_inputs.signer(version.signed_by, organization, document="La fiche RCP")
    patient = dossier.patient
    try:
        the_meeting = meeting(fiche, organization, _coordinator(fiche, organization, signer))
        header = model_inputs.signed_header(
            patient,
            signer,
            organization,
            chain,
            title=f"Fiche RCP — {rcp.title}",
            effective_time=timezone.localtime(version.signed_at),
            document="La fiche RCP",
            service_start=the_meeting.meeting_time,
        )
        content = frcp_content(
            fiche,
            meeting=the_meeting,
            quorum_members=_quorum_members(version, organization),
            requester=_identified(dossier.requesting_doctor, organization),
            general_practitioner=_identified(_general_practitioner(patient), organization),
        )
    except UnknownCodeError as error:
        raise ProductionError(f"{error} Corrigez la fiche (amendement) puis relancez la production.") from error
    return FrcpInputs(
        header, content, rcp.three_c.name, model_inputs.datamatrix_png(patient), _present(version.participants)
    )


def produce(source_id, chain: Chain) -> Production:
    version = _version(source_id)
    made = frcp_inputs(version, chain)
    try:
        produced = produce_frcp(
            made.header,
            made.content,
            issuer=made.issuer,
            datamatrix_png=made.datamatrix_png,
            participants=made.participants,
        )
    except UnknownCodeError as error:
        raise ProductionError(f"{error} Corrigez la fiche (amendement) puis relancez la production.") from error
    session = version.fiche.dossier.session
    return Production(
        produced=produced,
        type_code=FRCP_CODE,
        title=versioned_title(
            f"Fiche RCP {session.rcp.title} du {timezone.localtime(session.starts_at):%d/%m/%Y}", version.version
        ),
        act_date=session.starts_at,
        author=version.signed_by,
        establishment=session.rcp.establishment,
    )
