"""The PPAC as a document of the patient record: a patient-friendly PDF/A-1b in a CDA R2 level 1 (N1).

Registered in ``settings.DCC_DOCUMENT_PRODUCERS`` under ``pps.ppac``; ``interop.filing`` calls ``source_info`` and
``produce``, stores the validated document and chains the versions (a new PPAC version replaces the previous
document: same setId, ``relatedDocument`` RPLC).

The PDF speaks to the patient: the follow-up plan (the surveillance EDPs over the years), who does what (hospital
team, GP), the contacts and the advice sections.
"""

from __future__ import annotations

from interop import model_inputs
from interop.documents import produce_n1
from interop.filing import Chain, Production, ProductionError, versioned_title
from interop.pdf.layouts import diagnosis_rows, signed_pdf
from interop.pdf.render import PdfDocument, PdfSection
from pps.documents import SignedHeader, _diagnosis, contact_rows, signed_header
from pps.documents import source_info as source_info  # same version chain as the PPS: the previous version
from pps.models import Pps
from pps.ppac_selectors import ppac_detail

# LOINC 18776-5 « Plan personnalisé de soins » (JDV_J07_XdsTypeCode_CISIS). No CDA volet and no JDV_J07 code exists
# for the PPAC (the ANS lists no after-cancer programme; see shared/specs/cisis/NOTES.md §5); the PPAC is the care
# plan that follows the PPS once the active treatments end, so it is filed, like the PPS, as a personalised care
# plan. The title (« Programme personnalisé de l'après-cancer ») and the N1 template (no PPS volet templateId) tell
# the two apart; 83869-8 « Plan personnalisé de prévention » is a prevention plan, not a cancer follow-up.
PPAC_CODE = "18776-5"
TITLE = "Programme personnalisé de l'après-cancer"


def _ppac(source_id) -> Pps:
    try:
        return ppac_detail(int(source_id))
    except Pps.DoesNotExist:
        raise ProductionError(f"Le PPAC n° {source_id} n'existe pas (ou n'est pas un PPAC).") from None


def _introduction(ppac: Pps) -> PdfSection:
    plan = ppac.ppac
    paragraphs = [
        f"Vos traitements actifs sont terminés. Ce programme décrit votre suivi à partir du "
        f"{plan.follow_up_start:%d/%m/%Y} : les consultations et examens prévus, qui les réalise, les personnes à "
        "contacter et des conseils pour votre vie après le cancer. Gardez-le avec vous et montrez-le aux "
        "professionnels que vous consultez."
    ]
    if ppac.patient_comment.strip():
        paragraphs.append(ppac.patient_comment.strip())
    return PdfSection(title="Votre suivi après le cancer", paragraphs=tuple(paragraphs), highlight=True)


def _who_does_what(ppac: Pps) -> PdfSection:
    rows = []
    for follow_up in ppac.follow_ups.all():
        text = f"{follow_up.rhythm_text[:1].upper()}{follow_up.rhythm_text[1:]} — {follow_up.responsible_text}"
        if follow_up.comment:
            text += f". {follow_up.comment}"
        rows.append((follow_up.label, text))
    return PdfSection(title="Qui fait quoi", rows=tuple(rows))


def _calendar(ppac: Pps) -> list[PdfSection]:
    """One section per year of follow-up: each planned consultation or examination and who does it."""
    responsible = {
        occurrence.pk: follow_up.get_responsible_display()
        for follow_up in ppac.follow_ups.all()
        for occurrence in follow_up.occurrences.all()
    }
    years: dict[int, list[tuple[str, str]]] = {}
    for element in sorted(ppac.elements.all(), key=lambda item: (item.planned_date, item.pk)):
        who = responsible.get(element.pk)
        text = f"{element.title} — {who}" if who else element.title
        years.setdefault(element.planned_date.year, []).append((f"{element.planned_date:%d/%m/%Y}", text))
    title = "Votre calendrier de suivi — {}"
    return [PdfSection(title=title.format(year), rows=tuple(rows)) for year, rows in sorted(years.items())]


def _contacts(ppac: Pps) -> PdfSection:
    """The contacts the introduction promises: the programme's, the GP, and always the team that wrote it."""
    rows = list(contact_rows(ppac))
    gp = ppac.patient.general_practitioner
    if gp is not None and not any(role.lower() == "médecin traitant" for role, _ in rows):
        rows.append(("Médecin traitant", f"{gp.display_name}" + (f" — tél. {gp.phone}" if gp.phone else "")))
    team = ppac.establishment
    if team is not None:
        phone = getattr(team, "phone", "") or ""
        rows.append(("Équipe qui vous suit", team.name + (f" — tél. {phone}" if phone else "")))
    return PdfSection(title="Vos contacts", rows=tuple(rows))


def _diagnosis_section(ppac: Pps) -> PdfSection | None:
    """The cancer the follow-up is about, from the fiche RCP the programme follows (or the record's FRCP)."""
    try:
        diagnosis, _screening, _discovered, _rcp_date = _diagnosis(ppac)
    except ProductionError:
        return None
    return PdfSection(title="Votre maladie", rows=diagnosis_rows(diagnosis))


def layout(ppac: Pps, signed: SignedHeader) -> PdfDocument:
    plan = ppac.ppac
    sections = [_introduction(ppac)]
    if plan.treatment_summary.strip():
        lines = tuple(line.strip() for line in plan.treatment_summary.splitlines() if line.strip())
        sections.append(PdfSection(title="Traitements reçus", paragraphs=lines))
    diagnosis = _diagnosis_section(ppac)
    if diagnosis is not None:
        sections.append(diagnosis)
    sections.append(_who_does_what(ppac))
    sections.extend(_calendar(ppac))
    sections.append(_contacts(ppac))
    advice = sorted((item for item in ppac.advice.all() if item.text.strip()), key=lambda item: item.position)
    sections.extend(PdfSection(title=item.get_section_display(), paragraphs=(item.text.strip(),)) for item in advice)
    return signed_pdf(
        signed.header,
        title=TITLE,
        issuer=ppac.three_c.name if ppac.three_c else ppac.establishment.name,
        subtitle=f"Suivi à partir du {plan.follow_up_start:%d/%m/%Y}",
        sections=sections,
        signed_role="pour l'équipe qui vous suit",
        datamatrix_png=model_inputs.datamatrix_png(ppac.patient),
    )


def produce(source_id, chain: Chain) -> Production:
    ppac = _ppac(source_id)
    signed = signed_header(ppac, chain, title=TITLE, document="Le PPAC")
    if not ppac.follow_ups.all():
        raise ProductionError("Le PPAC ne comporte aucun élément de suivi : le document ne peut pas être émis.")
    produced = produce_n1(signed.header, layout(ppac, signed), document_code=PPAC_CODE)
    return Production(
        produced=produced,
        type_code=PPAC_CODE,
        title=versioned_title("PPAC", ppac.version),
        act_date=ppac.validated_at,
        author=ppac.validated_by,
        establishment=ppac.establishment,
    )
