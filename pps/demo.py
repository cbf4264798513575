"""Demo data: the seed's groupement "Chir sein + Hormono", a few protocols, PPS for a few demo patients (following
their demo fiche RCP where they have one, else validated with a stated reason) and validated PPAC with their
documents; then the FRCP and PPS documents of the first demo patients (``pps.demo_documents``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from dcc.accounts.models import User
from identity.models import Patient
from pps import edp_library, services
from pps.demo_documents import seed_documents
from pps.enums import GroupScope, ProtocolKind, RuleKind
from pps.models import EdpGroup, Pps, Protocol

ORDER = 50
ANNONCE_EMAIL = "annonce@demo.dcc.test"

GROUPS = [
    (
        "Chir sein + Hormono",
        "Hormonothérapie pendant 5 ans : début 3 semaines après l'opération.",
        [
            ("consultation", RuleKind.GROUP_START, 0, "Consultation d'annonce", ""),
            ("chirurgie", RuleKind.WORKING_AFTER_PREVIOUS, 2, "", ""),
            ("consultation", RuleKind.CALENDAR_AFTER_PREVIOUS, 14, "Consultation post-opératoire", ""),
            ("hormonotherapie", RuleKind.WORKING_AFTER_START, 23, "", "1 comprimé par jour pendant 5 ans"),
        ],
    ),
    (
        "Pose de PAC + chimiothérapie",
        "Pose d'une chambre implantable avant le premier cycle de chimiothérapie.",
        [
            ("consultation", RuleKind.GROUP_START, 0, "Consultation d'annonce", ""),
            ("pose_iv", RuleKind.WORKING_AFTER_PREVIOUS, 5, "Pose de chambre implantable", ""),
            ("soins_support", RuleKind.WORKING_AFTER_START, 3, "Consultation diététique", ""),
            ("chimiotherapie", RuleKind.WORKING_AFTER_PREVIOUS, 3, "Premier cycle", ""),
        ],
    ),
]

PROTOCOLS = [
    ("CAELYX 28 j", ProtocolKind.CHIMIOTHERAPIE, "CAELYX", 28, 6, "1"),
    ("FOLFOX 4", ProtocolKind.CHIMIOTHERAPIE, "OXALIPLATINE, LEUCOVORINE, 5-FU", 14, 12, "1, 2"),
    ("PACLITAXEL hebdomadaire", ProtocolKind.CHIMIOTHERAPIE, "PACLITAXEL", 7, 12, "1"),
    ("AC 60", ProtocolKind.CHIMIOTHERAPIE, "DOXORUBICINE, CYCLOPHOSPHAMIDE", 21, 4, "1"),
    ("PEMBROLIZUMAB 21 j", ProtocolKind.IMMUNOTHERAPIE, "PEMBROLIZUMAB", 21, 8, "1"),
]


NO_RCP_REASON = "Démonstration : fiche RCP non reprise dans le DCC"
DEMO_COMMENT = "N'hésitez pas à appeler l'infirmière de coordination."


def _demo_patients() -> list[tuple[Patient, bool]]:
    """(patient, validate the PPS?): three patients with a validated fiche RCP (two PPS validated following it, one
    left as a draft), then two without one, validated « sans proposition RCP » with a reason."""
    from django.db.models import Case, Value, When

    from rcp.models import Fiche

    validated = Fiche.objects.filter(validated_at__isnull=False)
    # Breast and colon cases first: the demo has a coherent programme and follow-up template for those two.
    storied = set(validated.filter(topography_code__regex=r"^C(50|18)").values_list("dossier__patient_id", flat=True))
    with_fiche = set(validated.values_list("dossier__patient_id", flat=True))
    # Patients with an INS first: their documents carry it once their identity is qualified.
    without_ins = Case(When(ins_matricule="", then=Value(1)), default=Value(0))
    current = Patient.objects.current().order_by(without_ins, "pk")
    followed = list(current.filter(pk__in=storied)[:3])
    followed += list(current.filter(pk__in=with_fiche - storied)[: 3 - len(followed)])
    without = list(current.exclude(pk__in=with_fiche)[:2])
    return [(patient, index < 2) for index, patient in enumerate(followed)] + [(patient, True) for patient in without]


def _cancer_of(pps) -> str:
    """« sein », « côlon » or "" from the topography of the fiche RCP the programme follows."""
    topography = pps.rcp_fiche.topography_code if pps.rcp_fiche_id else ""
    if topography.startswith("C50"):
        return "sein"
    if topography.startswith(("C18", "C19", "C20")):
        return "côlon"
    return ""


def _group_for(pps) -> str:
    """The programme that matches the patient's cancer: surgery then hormonotherapy for a breast cancer, a port and
    chemotherapy otherwise (a breast programme for an ovarian cancer would contradict the fiche)."""
    return "Chir sein + Hormono" if _cancer_of(pps) == "sein" else "Pose de PAC + chimiothérapie"


def _complete_elements(pps, *, by) -> None:
    """What a nurse fills in before validating: the referring doctor of a port placement (the doctor who asked for
    the RCP), the protocol of a chemotherapy (FOLFOX for a colon cancer, AC otherwise)."""
    referent = pps.rcp_fiche.dossier.requesting_doctor if pps.rcp_fiche_id else None
    protocol = Protocol.objects.filter(name="FOLFOX 4" if _cancer_of(pps) == "côlon" else "AC 60").first()
    for element in pps.elements.all():
        if element.kind == "pose_iv" and element.referring_doctor_id is None and referent is not None:
            services.pps_element_update(element=element, by=by, referring_doctor=referent)
        elif element.kind == "pose_iv" and element.referring_doctor_id is None:
            from dcc.directory.models import Professional

            doctor = Professional.objects.filter(specialty__code__startswith="G15_10").order_by("pk").first()
            services.pps_element_update(element=element, by=by, referring_doctor=doctor)
        if element.kind == "chimiotherapie" and element.protocol_id is None and protocol is not None:
            services.pps_element_update(element=element, by=by, protocol=protocol)


def seed(context: dict) -> None:
    seed_pps(context)
    # Once the PPS exist: the FRCP their documents cite, then the PPS documents (through the real pipeline).
    seed_documents(context)


@transaction.atomic
def seed_pps(context: dict) -> None:
    log = context.get("log", print)
    for name, comment, items in GROUPS:
        group, created = EdpGroup.objects.get_or_create(
            name=name, scope=GroupScope.REGIONAL, defaults={"patient_comment": comment}
        )
        if created:
            for kind, rule_kind, delay, label, rhythm in items:
                edp_library.edp_group_element_add(
                    group=group, kind=kind, rule_kind=rule_kind, delay=delay, label=label, rhythm=rhythm
                )
    for name, kind, drugs, length, cycles, days in PROTOCOLS:
        Protocol.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "drugs": drugs,
                "cycle_length_days": length,
                "cycles": cycles,
                "administration_days": days,
            },
        )
    log(f"PPS : {len(GROUPS)} groupements régionaux, {len(PROTOCOLS)} protocoles")

    nurse = User.objects.filter(email=ANNONCE_EMAIL).first()
    if Pps.objects.filter(patient_comment=DEMO_COMMENT).exists():
        # Chosen once: later steps (the dashboards' history) add validated fiches that would change the choice.
        log("PPS : PPS de démonstration déjà en place")
        seed_ppac(context)
        return
    plan = _demo_patients() if nurse else []
    if not plan:
        log("PPS : aucun patient de démonstration, pas de PPS créé")
        seed_ppac(context)
        return
    groups = {group.name: group for group in EdpGroup.objects.filter(scope=GroupScope.REGIONAL)}
    made = 0
    for index, (patient, validate) in enumerate(plan):
        if Pps.objects.filter(patient=patient).exists():
            continue
        pps = services.pps_create(patient=patient, by=nurse)  # follows the patient's last validated fiche RCP
        start = timezone.localdate() - datetime.timedelta(days=14 * index)
        group = groups[_group_for(pps)]
        services.pps_group_apply(pps=pps, group=group, start_date=start, by=nurse)
        _complete_elements(pps, by=nurse)
        services.pps_update_details(pps=pps, by=nurse, patient_comment=DEMO_COMMENT)
        if nurse.professional_id:  # the contact the comment speaks of (a number reserved for fiction by the ARCEP)
            services.pps_contact_add(
                pps=pps,
                professional=nurse.professional,
                role="Infirmière de coordination",
                by=nurse,
                establishment=pps.establishment,
                phone="05 36 49 12 34",
            )
        if validate:
            reason = "" if pps.rcp_fiche_id else NO_RCP_REASON
            services.pps_validate(pps=pps, by=nurse, no_rcp_reason=reason)
        made += 1
    log(f"PPS : {made} PPS de démonstration")
    seed_ppac(context)


# --- PPAC (programme personnalisé de l'après-cancer) ---------------------------------------------

PPAC_TEMPLATES = [
    (
        "Sein — surveillance après traitement",
        "Sein",
        "Surveillance d'un cancer du sein traité, en alternance entre l'équipe hospitalière et le médecin traitant.",
        [
            ("consultation", "Examen clinique", [(6, 24), (12, 60)], None, "shared"),
            ("imagerie", "Mammographie bilatérale (± échographie)", [(12, 60)], None, "gp"),
            ("surveillance", "Suivi de l'hormonothérapie (tolérance, observance)", [(6, 60)], None, "gp"),
        ],
    ),
    (
        "Côlon — surveillance",
        "Côlon",
        "Surveillance d'un cancer du côlon opéré (stade II-III), sur 5 ans.",
        [
            ("consultation", "Examen clinique", [(3, 36), (6, 60)], None, "shared"),
            ("imagerie", "Scanner thoraco-abdomino-pelvien", [(6, 36), (12, 60)], None, "hospital"),
            ("examen", "Dosage de l'ACE", [(3, 36), (6, 60)], None, "gp"),
            ("examen", "Coloscopie", [(36, 48)], 12, "hospital"),
        ],
    ),
]


DEMO_PPAC = 2


@transaction.atomic
def seed_ppac(context: dict) -> None:
    """Two follow-up templates, and a validated PPAC with its document (PDF/A in a CDA N1) for two demo patients
    who have a validated PPS (idempotent)."""
    from interop.filing import document_generate
    from pps.models import PpacTemplate, Programme
    from pps.ppac_schedule import Phase
    from pps.ppac_services import ppac_create, ppac_template_line_add, ppac_validate

    log = context.get("log", print)
    for name, cancer_type, description, lines in PPAC_TEMPLATES:
        template, created = PpacTemplate.objects.get_or_create(
            name=name, defaults={"cancer_type": cancer_type, "description": description}
        )
        if created:
            for kind, label, phases, first, responsible in lines:
                ppac_template_line_add(
                    template=template,
                    kind=kind,
                    label=label,
                    phases=[Phase(*phase) for phase in phases],
                    first_offset_months=first,
                    responsible=responsible,
                )
    log(f"PPAC : {len(PPAC_TEMPLATES)} modèles de suivi")
    nurse = User.objects.filter(email=ANNONCE_EMAIL).first()
    if nurse is None or Pps.objects.filter(programme=Programme.PPAC).exists():
        return
    sources = Pps.objects.current().produced().filter(programme=Programme.PPS).order_by("patient_id", "id")
    templates = {"sein": PPAC_TEMPLATES[0][0], "côlon": PPAC_TEMPLATES[1][0]}
    produced = []
    matching = [source for source in sources.select_related("rcp_fiche") if _cancer_of(source) in templates]
    for source in matching[:DEMO_PPAC]:
        template = PpacTemplate.objects.get(name=templates[_cancer_of(source)])
        # The follow-up starts once the active treatments are done (surgery, chemotherapy); a long course that goes
        # on (5 years of hormonotherapy) is listed as continuing, not as received.
        ends = []
        for element in source.elements.exclude(kind="hormonotherapie").select_related("protocol"):
            ends.append(element.end_date or element.planned_date)
            if element.protocol is not None:  # a chemotherapy ends after all its cycles, not on its first day
                days = element.protocol.cycles * element.protocol.cycle_length_days
                ends.append(element.planned_date + datetime.timedelta(days=days))
        done = max(ends) if ends else None
        ppac = ppac_create(
            patient=source.patient,
            by=nurse,
            follow_up_start=max(filter(None, [done, timezone.localdate()])),
            template=template,
        )
        ppac_validate(ppac=ppac, by=nurse)
        generation = document_generate(source_type="pps.ppac", source_id=ppac.pk, requested_by_id=nurse.pk)
        produced.append(generation)
        if generation.failure_reason:
            log(f"PPAC : document du PPAC {ppac.pk} non produit — {generation.failure_reason.splitlines()[0]}")
    ready = sum(1 for generation in produced if generation.document_id)
    log(f"PPAC : {len(produced)} PPAC validé(s) de démonstration, {ready} document(s) produit(s)")
