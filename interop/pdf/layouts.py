"""Map builder inputs (`interop.cda.inputs`) to the printable layout, so a fiche RCP or a PPS renders to PDF/A-1b
from the same data as its CDA."""

from __future__ import annotations

from interop.cda import jdv
from interop.cda.builders import CATEGORY_LABELS, CATEGORY_VALUE_SETS
from interop.cda.inputs import DocumentHeader, FrcpContent, PatientIdentity, PpsContent, Professional

from .render import PdfDocument, PdfPatient, PdfSection

SEX_LABELS = {"F": "Féminin", "M": "Masculin", "UN": "Inconnu"}
TITLES = {"DR": "Dr", "PR": "Pr"}
DOCTOR_TITLES = frozenset(TITLES)


def pdf_patient(patient: PatientIdentity, datamatrix_png: bytes | None = None) -> PdfPatient:
    return PdfPatient(
        birth_family_name=patient.birth_family_name,
        used_family_name=patient.used_family_name,
        given_names=" ".join(patient.given_names),
        sex_label=SEX_LABELS.get(patient.sex, patient.sex),
        birth_date=patient.birth_date,
        ins=patient.ins,
        ins_oid=patient.ins_oid,
        ipp=patient.ipp,
        birth_place_code=patient.birth_place_code,
        datamatrix_png=datamatrix_png,
    )


def person_name(pro: Professional) -> str:
    """« Dr Prénom NOM » or « Pr Prénom NOM » (CDA title DR, PR), « Prénom NOM » otherwise."""
    name = f"{pro.given_name} {pro.family_name}"
    prefix = TITLES.get(pro.title, "")
    return f"{prefix} {name}" if prefix else name


def _contact(pro: Professional) -> str:
    return f"{_who(pro)} — tél. {pro.phone}" if pro.phone else _who(pro)


def _specialty(pro: Professional) -> str:
    return jdv.concept("JDV_J01_XdsAuthorSpecialty_CISIS", pro.specialty_code).display_name


def _who(pro: Professional) -> str:
    return f"{person_name(pro)} ({_specialty(pro)})"


def signed_pdf(
    header: DocumentHeader,
    *,
    title: str,
    issuer: str,
    subtitle: str,
    sections,
    signed_role: str,
    datamatrix_png: bytes | None = None,
    participants: tuple[str, ...] = (),
    participants_notice: str = "",
) -> PdfDocument:
    """The printable document of ``header``: its patient, id, version and signature (the legal authenticator)."""
    return PdfDocument(
        title=title,
        issuer=issuer,
        subtitle=subtitle,
        patient=pdf_patient(header.patient, datamatrix_png),
        document_id=header.document_id,
        version=header.version,
        signed_by=person_name(header.legal_authenticator),
        signed_role=signed_role,
        signed_at=header.effective_time,
        sections=tuple(sections),
        participants=participants,
        participants_notice=participants_notice,
    )


def _diagnosis_rows(content) -> tuple[tuple[str, str], ...]:
    return diagnosis_rows(content.diagnosis)


def diagnosis_rows(diagnosis) -> tuple[tuple[str, str], ...]:
    """The coded diagnosis as the printed rows (morphology, topography, date, laterality, TNM)."""
    morphology = jdv.concept("jdv-morphologie-cisis", diagnosis.morphology_code)
    topography = jdv.concept("jdv-tumeur-cisis", diagnosis.topography_code)
    rows = [
        ("Morphologie (CIM-O-3)", f"{morphology.code} — {morphology.display_name}"),
        ("Topographie (CIM-10)", f"{topography.code} — {topography.display_name}"),
        ("Date du diagnostic", f"{diagnosis.diagnosis_date:%d/%m/%Y}"),
    ]
    if diagnosis.laterality_code:
        rows.append(("Latéralité", jdv.concept("jdv-lateralite-cisis", diagnosis.laterality_code).display_name))
    if diagnosis.tnm:
        tnm = diagnosis.tnm
        stage = f", stade {tnm.stage}" if tnm.stage else ""
        rows.append((f"TNM (UICC {tnm.edition}e édition)", f"{tnm.t} {tnm.n} {tnm.m}{stage}"))
    return tuple(rows)


def frcp_document(
    header: DocumentHeader, content: FrcpContent, *, issuer: str, datamatrix_png=None, participants=None
) -> PdfDocument:
    """The printable fiche RCP. ``participants`` lists everyone present (the CDA names only the quorum members the
    directory identifies); by default, those quorum members."""
    meeting = content.meeting
    nature = jdv.concept("jdv-nature-discussion-cisis", content.nature_code).display_name
    proposition = tuple(
        f"{act.rank}. {jdv.concept('jdv-type-traitement-frcp-cisis', act.treatment_code).display_name}"
        + (f" — {act.detail}" if act.detail else "")
        for act in sorted(content.proposition, key=lambda a: a.rank)
    )
    frame = []
    if content.guideline:
        frame.append(("Référentiel", content.guideline))
    frame.append(
        (
            "Proposition d'inclusion dans un essai clinique",
            f"oui — {content.clinical_trial}" if content.clinical_trial_proposed else "non",
        )
    )
    quorum = jdv.concept("jdv-statut-quorum-cisis", content.quorum_code).display_name
    off_quorum = content.off_quorum_notice
    sections = [
        PdfSection(title="Type de RCP", rows=(("Nature de la discussion", nature),)),
        PdfSection(title="Diagnostic", rows=_diagnosis_rows(content)),
        PdfSection(title="Synthèse du cas présenté", paragraphs=(content.case_summary,)),
    ]
    if content.motive:
        sections.append(PdfSection(title="Motif de présentation", paragraphs=(content.motive,)))
    sections.append(PdfSection(title="Question posée", paragraphs=(content.question,)))
    if content.ecog_code:
        ecog = jdv.concept("jdv-indice-performance-ecog-cisis", content.ecog_code).display_name
        sections.append(PdfSection(title="État général", rows=(("Indice de performance ECOG", ecog),)))
    sections += [
        PdfSection(
            title="Proposition de la RCP",
            paragraphs=proposition + ((content.proposition_comment,) if content.proposition_comment else ()),
            highlight=True,
        ),
        PdfSection(title="Cadre de la proposition thérapeutique", rows=tuple(frame)),
        PdfSection(
            title="Statut du dossier et quorum",
            paragraphs=(off_quorum,) if off_quorum else (),
            rows=(("Dossier complet", "oui" if content.dossier_complete else "non"), ("Quorum", quorum)),
            highlight=bool(off_quorum),
        ),
    ]
    people = []
    if content.requester:
        people.append(("Médecin demandeur", _contact(content.requester)))
    people.append(("Coordonnateur de la RCP", _contact(meeting.coordinator)))
    if content.general_practitioner:
        people.append(("Médecin traitant", _who(content.general_practitioner)))
    if content.contact:
        people.append(("Pour toute question", content.contact))
    sections.append(PdfSection(title="Interlocuteurs", rows=tuple(people)))
    return signed_pdf(
        header,
        title="Fiche de réunion de concertation pluridisciplinaire",
        issuer=issuer,
        subtitle=f"{meeting.rcp_label} — séance du {meeting.meeting_time:%d/%m/%Y}",
        sections=sections,
        signed_role="médecin présent à la séance, signataire de la fiche",
        datamatrix_png=datamatrix_png,
        participants=tuple(participants) if participants is not None else tuple(map(_who, content.quorum_members)),
    )


# Official display names that read badly to a patient (the CDA keeps the official one).
READABLE = {"Autre soins de support": "Autres soins de support"}


def _pps_signer_role(signer: Professional) -> str:
    """Who validated the PPS: the referring doctor, or the nurse of the announcement consultation."""
    if signer.title in DOCTOR_TITLES:
        return "médecin référent"
    if signer.specialty_code.startswith("G15_60"):
        nurse = "infirmière" if signer.civility == "MME" else "infirmier"
        return f"{nurse} de coordination (dispositif d'annonce)"
    return _specialty(signer)


def pps_document(header: DocumentHeader, content: PpsContent, *, issuer: str, datamatrix_png=None) -> PdfDocument:
    def rows(items):
        result = []
        for item in items:
            kind = jdv.concept(CATEGORY_VALUE_SETS[item.category], item.code).display_name
            kind = READABLE.get(kind, kind)
            when = f"à partir du {item.start:%d/%m/%Y}" if item.start else "date à définir"
            if item.start and item.end:
                when += f" jusqu'au {item.end:%d/%m/%Y}"
            detail = f" — {item.detail}" if item.detail else ""
            result.append((CATEGORY_LABELS[item.category], f"{kind}{detail} ({when})"))
        return tuple(result)

    sections = [
        PdfSection(title="Programme thérapeutique et de suivi", rows=rows(content.programme), highlight=True),
    ]
    if content.supportive_care:
        sections.append(
            PdfSection(
                title="Soins oncologiques de support, accompagnement social et socioprofessionnel",
                rows=rows(content.supportive_care),
            )
        )
    sections.append(PdfSection(title="Diagnostic", rows=_diagnosis_rows(content)))
    if content.comment:
        sections.append(PdfSection(title="Commentaire pour vous", paragraphs=(content.comment,)))
    contacts = list(content.contacts)
    if content.general_practitioner and not any(role == "Médecin traitant" for role, _ in contacts):
        contacts.append(("Médecin traitant", _contact(content.general_practitioner)))
    if contacts:
        sections.append(PdfSection(title="Vos contacts", rows=tuple(contacts)))
    return signed_pdf(
        header,
        title="Programme personnalisé de soins",
        issuer=issuer,
        subtitle=f"Date de la RCP : {content.rcp_date:%d/%m/%Y}" if content.rcp_date else "",
        sections=sections,
        # Signed by who validated the PPS: the referring doctor, or a nurse of the announcement consultation.
        signed_role=_pps_signer_role(header.legal_authenticator),
        datamatrix_png=datamatrix_png,
    )
