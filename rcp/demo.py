"""Demo RCP catalogue: ~60 RCPs across the 18 3C, members, recurrences, a year of past sessions
with attendance and the coming months' agenda. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from dcc.directory.models import Establishment, Professional, ThreeC
from identity.models import Patient
from rcp.demo_diseases import disease_for
from rcp.demo_documents import seed_record_documents
from rcp.enums import AttendanceMode, DossierMotive, DossierStatus, MemberRole, Nature, RecurrenceKind, SessionStatus
from rcp.models import Attendance, Rcp, RcpMember, Recurrence, Session, SessionTransition, SpecialtyTag
from rcp.quorum import Attendee, QuorumRule, evaluate_quorum
from rcp.reference import ensure_reference_data
from rcp.selectors import MEDICAL_SPECIALTY_PREFIX
from rcp.services.agenda import session_cancel, sessions_generate
from rcp.services.catalogue import RcpData, rcp_create, value_set_load
from rcp.services.dossiers import care_attach
from rcp.services.fiches import fiche_document_request
from rcp.value_sets import DATA_DIR, FICHE_VALUE_SETS

ORDER = 40

# (title, nature, organ, tags, haematology)
GENERIC = [
    ("Tumeurs digestives", Nature.ORGANE, "digestif", ["A1"], False),
    ("Sénologie", Nature.ORGANE, "sein", ["A"], False),
    ("Urologie", Nature.ORGANE, "appareil urinaire", ["A"], False),
    ("Thorax", Nature.ORGANE, "poumon", ["A"], False),
    ("Gynécologie", Nature.ORGANE, "gynécologique", ["A"], False),
    ("Hématologie", Nature.ORGANE, "hématologie", ["A"], True),
    ("ORL", Nature.ORGANE, "voies aérodigestives supérieures", ["A"], False),
    ("Soins oncologiques de support", Nature.TRANSVERSALE, "soins de support", [], False),
]
# Seed examples, exactly: (3C, establishment, title, nature, organ, tags, haematology)
SEED_EXAMPLES = [
    ("3C Vienne, Nord Deux-Sèvres", "CHU LA MILETRIE - POITIERS", "Tumeurs digestives", Nature.ORGANE, "digestif",
     ["A1", "B1", "CRSC"], False),
    ("3C Haute-Vienne", "CHU DUPUYTREN - LIMOGES", "Tumeurs digestives", Nature.ORGANE, "digestif",
     ["A1", "B1", "CRSC"], False),
    ("3C Deux-Sèvres", "CH NIORT", "Tumeurs digestives", Nature.ORGANE, "digestif", ["A1"], False),
    ("3C Charente-Maritime Nord", "GH LA ROCHELLE-RE-AUNIS", "Tumeurs digestives", Nature.ORGANE, "digestif",
     ["A1"], False),
    ("3C Charente-Maritime Sud et Est", "CH DE SAINTONGE", "Tumeurs digestives", Nature.ORGANE, "digestif",
     ["A1"], False),
    ("3C Landes", "CH DAX", "Tumeurs digestives", Nature.ORGANE, "digestif", ["A1"], False),
    ("3C Vienne, Nord Deux-Sèvres", "CHU LA MILETRIE - POITIERS", "Moléculaire", Nature.TRANSVERSALE,
     "biologie moléculaire", ["A"], False),
    ("3C CHU Bordeaux", "CHU DE BORDEAUX - HOPITAL PELLEGRIN", "Tumeurs rares ORL", Nature.ORGANE, "ORL",
     ["RCPCR"], False),
    ("3C CHU Bordeaux", "CHU DE BORDEAUX - HOPITAL HAUT-LEVEQUE", "Carcinose péritonéale", Nature.ORGANE,
     "péritoine", ["B1", "Estomac", "Foie", "Pancréas", "Rectum", "Œsophage"], False),
    ("3C Institut Bergonié", "INSTITUT BERGONIE", "Sarcomes", Nature.ORGANE, "tissus mous", ["RCPCR", "CRSC"],
     False),
    ("3C CHU Bordeaux", "CHU DE BORDEAUX - HOPITAL PELLEGRIN", "Oncopédiatrie", Nature.ORGANE, "pédiatrie", ["C"],
     False),
]  # fmt: skip
RCPS_PER_THREE_C = 3
PAST_DAYS = 365


def _members_for(rcp: Rcp, pool: list[Professional], rng: random.Random) -> None:
    if rcp.members.exists() or not pool:
        return
    chosen: list[Professional] = []
    specialties: set[str] = set()
    for professional in rng.sample(pool, len(pool)):
        if professional.specialty_id not in specialties or len(chosen) < 4:
            chosen.append(professional)
            specialties.add(professional.specialty_id)
        if len(chosen) >= 7:
            break
    RcpMember.objects.bulk_create(
        [
            RcpMember(
                rcp=rcp,
                professional=professional,
                specialty_id=professional.specialty_id,
                role=MemberRole.COORDINATOR if index == 0 else MemberRole.MEMBER,
            )
            for index, professional in enumerate(chosen)
        ]
    )


def _recurrence_for(rcp: Rcp, index: int, start: datetime.date) -> None:
    if rcp.recurrences.exists():
        return
    kind = [RecurrenceKind.WEEKLY, RecurrenceKind.WEEKLY, RecurrenceKind.MONTHLY][index % 3]
    Recurrence.objects.create(
        rcp=rcp,
        kind=kind,
        interval_weeks=1 if index % 2 else 2,
        weekday=index % 5,
        week_of_month=(index % 4) + 1 if kind == RecurrenceKind.MONTHLY else None,
        start_time=datetime.time(12 + index % 6, 30 if index % 2 else 0),
        duration_minutes=90,
        start_date=start,
    )


def _close_past_sessions(rng: random.Random) -> int:
    """Past planned sessions become closed (with their log) and get an attendance sheet."""
    now = timezone.now()
    past = list(
        Session.objects.filter(status=SessionStatus.PLANNED, ends_at__lt=now).select_related("rcp").order_by("pk")
    )
    if not past:
        return 0
    members: dict[int, list[RcpMember]] = {}
    for member in RcpMember.objects.filter(rcp_id__in={s.rcp_id for s in past}):
        members.setdefault(member.rcp_id, []).append(member)
    transitions, attendances = [], []
    for session in past:
        session.status = SessionStatus.CLOSED
        transitions.append(
            SessionTransition(
                session=session, from_status=SessionStatus.PLANNED, to_status=SessionStatus.OPEN, note="Séance ouverte."
            )
        )
        transitions.append(
            SessionTransition(
                session=session, from_status=SessionStatus.OPEN, to_status=SessionStatus.CLOSED, note="Séance clôturée."
            )
        )
        for member in members.get(session.rcp_id, []):
            roll = rng.random()
            mode = (
                AttendanceMode.ROOM if roll < 0.55 else AttendanceMode.VIDEO if roll < 0.85 else AttendanceMode.EXCUSED
            )
            attendances.append(
                Attendance(
                    session=session, professional_id=member.professional_id, specialty_id=member.specialty_id, mode=mode
                )
            )
    Session.objects.bulk_update(past, ["status"], batch_size=1000)
    SessionTransition.objects.bulk_create(transitions, batch_size=2000)
    Attendance.objects.bulk_create(attendances, batch_size=2000, ignore_conflicts=True)
    return len(past)


# The demo doctors sit on their hospital's digestive board (their own agenda and ICS feed show it).
DEMO_MEMBERS = [
    ("medecin@demo.dcc.test", "Tumeurs digestives", "CHU LA MILETRIE - POITIERS"),
    ("medecin.landes@demo.dcc.test", "Tumeurs digestives", "CH DAX"),
]


def _demo_personas_membership() -> None:
    from dcc.accounts.models import User

    for email, title, establishment_name in DEMO_MEMBERS:
        user = User.objects.filter(email=email, professional__isnull=False).select_related("professional").first()
        rcp = Rcp.objects.filter(title=title, establishment__name=establishment_name).first()
        if user and rcp:
            RcpMember.objects.get_or_create(
                rcp=rcp, professional=user.professional, defaults={"specialty_id": user.professional.specialty_id}
            )


def _cancel_a_few(today: datetime.date) -> None:
    """Show what a cancelled session looks like: one per seed example board, in about three weeks."""
    if Session.objects.filter(status=SessionStatus.CANCELLED).exists():
        return
    soon = today + datetime.timedelta(days=21)
    for rcp in Rcp.objects.filter(title__in=["Moléculaire", "Tumeurs rares ORL"]):
        session = (
            rcp.sessions.filter(status=SessionStatus.PLANNED, occurrence_date__gte=soon).order_by("starts_at").first()
        )
        if session:
            session_cancel(session=session, reason="Congrès national : séance annulée.", notify=False)


def seed(context: dict) -> None:
    from rcp.models import MentionCategory

    ensure_reference_data(MentionCategory, SpecialtyTag)
    rng = random.Random(5)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=PAST_DAYS)
    tags = {tag.code: tag for tag in SpecialtyTag.objects.all()}
    establishments = {e.name: e for e in Establishment.objects.select_related("three_c")}
    pools: dict[int, list[Professional]] = {}
    for professional in (
        Professional.objects.active()
        .filter(specialty__code__startswith=MEDICAL_SPECIALTY_PREFIX, places__establishment__three_c__isnull=False)
        .prefetch_related("places__establishment")
        .distinct()
    ):
        for place in professional.places.all():
            pool = pools.setdefault(place.establishment.three_c_id, [])
            if place.establishment.three_c_id and professional not in pool:
                pool.append(professional)

    wanted: list[tuple[Establishment, str, str, str, list[str], bool]] = []
    for _three_c, establishment_name, title, nature, organ, tag_codes, haematology in SEED_EXAMPLES:
        if establishment_name in establishments:
            wanted.append((establishments[establishment_name], title, nature, organ, tag_codes, haematology))
    for three_c in ThreeC.objects.filter(is_active=True).order_by("name"):
        hosts = [e for e in establishments.values() if e.three_c_id == three_c.pk]
        if not hosts:
            continue
        for offset in range(RCPS_PER_THREE_C):
            title, nature, organ, tag_codes, haematology = GENERIC[(three_c.pk + offset) % len(GENERIC)]
            host = sorted(hosts, key=lambda e: e.name)[offset % len(hosts)]
            wanted.append((host, title, nature, organ, tag_codes, haematology))

    created = 0
    for index, (establishment, title, nature, organ, tag_codes, haematology) in enumerate(wanted):
        rcp = Rcp.objects.filter(title=title, establishment=establishment).first()
        if rcp is None:
            rcp = rcp_create(
                data=RcpData(
                    title=title,
                    three_c=establishment.three_c,
                    establishment=establishment,
                    nature=nature,
                    organ=organ,
                    is_haematology=haematology,
                    is_recourse=any(code in {"B1", "CRSC", "RCPCR"} for code in tag_codes),
                    is_paediatric="C" in tag_codes,
                    default_place=f"Salle de staff, {establishment.name}",
                    video_link=f"https://visio.demo.dcc.test/rcp-{establishment.pk}-{index}",
                    registration_deadline_days=2 if index % 3 else 3,
                    max_dossiers=25 if index % 2 else 40,
                ),
                tags=[tags[code] for code in tag_codes if code in tags],
            )
            created += 1
        _members_for(rcp, pools.get(establishment.three_c_id, []), rng)
        _recurrence_for(rcp, index, start)
    _demo_personas_membership()
    for value_set in FICHE_VALUE_SETS.values():
        value_set_load(path=DATA_DIR / value_set.filename)
    generated = 0
    for recurrence in Recurrence.objects.filter(rcp__in=Rcp.objects.all()).order_by("pk"):
        generated += sessions_generate(recurrence=recurrence, since=start)
    closed = _close_past_sessions(rng)
    _cancel_a_few(today)
    context["log"](
        f"RCP : {Rcp.objects.count()} RCP ({created} créées), {generated} séances générées, "
        f"{closed} séances passées clôturées avec présences"
    )
    seed_dossiers(context)
    seed_record_documents(context)


# --- Dossiers and fiches --------------------------------------------------------------------

SUPPORTIVE_CARE = "C15747"  # jdv-traitement-soins-frcp-cisis: soins de support (RCP transversales)
PAST_SESSIONS_WITH_DOSSIERS = 60
COMING_SESSIONS_WITH_DOSSIERS = 40


def _demo_signer_account(professional: Professional, rcp: Rcp):
    """A doctor who signs demo fiches gets the account a real signer has: Médecin profile on the RCP's 3C and
    establishment (no usable password: only the demo personas log in)."""
    from dcc.accounts.enums import Profile
    from dcc.accounts.models import ProfileGrant, User

    email = f"signataire.{professional.rpps or professional.pk}@demo.dcc.test"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, first_name=professional.first_name, last_name=professional.last_name
        )
        user.professional = professional
        user.save(update_fields=["professional"])
    grant, _ = ProfileGrant.objects.get_or_create(user=user, profile=Profile.MEDECIN)
    grant.three_cs.add(rcp.three_c)
    grant.establishments.add(rcp.establishment)
    return user


def session_quorum(session: Session, attendance: list[Attendance]) -> tuple:
    """(quorum result, participants) of a past session, from who was there (here and in the dashboards' history)."""
    present = [a for a in attendance if a.mode != AttendanceMode.EXCUSED]
    result = evaluate_quorum(
        QuorumRule.inca_default(is_haematology=session.rcp.is_haematology),
        [Attendee(name=a.professional.display_name, specialty=a.specialty_id) for a in present],
    )
    participants = [
        {
            "professional_id": a.professional_id,
            "name": a.professional.display_name,
            "specialty": a.specialty.short_label if a.specialty else "",
            "mode": a.mode,
        }
        for a in present
    ]
    return result, participants


def session_signers(past, members, attendance) -> dict[int, object]:
    """The doctor who signs each past session's fiches (here and in the dashboards' history), as the application
    requires: a member of the RCP, recorded present. A demo persona who is a member signs (and is marked present);
    otherwise a present member doctor, given an account. ``attendance`` is updated in place with the presences
    added."""
    from dcc.accounts.enums import Profile
    from dcc.accounts.models import User

    accounts = {
        user.professional_id: user
        for user in User.objects.filter(
            professional__isnull=False, profile_grants__profile=Profile.MEDECIN, email__endswith="@demo.dcc.test"
        ).select_related("professional")
    }
    signers, added = {}, []
    for session in past:
        pool = [m for m in members.get(session.rcp_id, []) if m.professional.rpps and m.professional.specialty_id]
        present = {a.professional_id: a for a in attendance.get(session.pk, []) if a.mode != AttendanceMode.EXCUSED}
        persona = next((m for m in pool if m.professional_id in accounts), None)
        chosen = persona or next((m for m in pool if m.professional_id in present), None) or (pool[0] if pool else None)
        if chosen is None:
            continue
        if chosen.professional_id not in present:
            row = next((a for a in attendance.get(session.pk, []) if a.professional_id == chosen.professional_id), None)
            if row is None:
                row = Attendance(session=session, professional=chosen.professional, specialty_id=chosen.specialty_id)
                attendance.setdefault(session.pk, []).append(row)
            row.mode = AttendanceMode.ROOM
            added.append(row)
        signers[session.pk] = accounts.get(chosen.professional_id) or _demo_signer_account(
            chosen.professional, session.rcp
        )
    for row in added:
        row.save()
    return signers


def _sessions_first_for(three_c_id: int | None, queryset, limit: int) -> list[Session]:
    """Sessions of the demo doctor's 3C first (what a demo login shows), then the region's."""
    chosen = list(queryset.filter(rcp__three_c_id=three_c_id)[: limit // 2]) if three_c_id else []
    chosen += list(queryset.exclude(pk__in=[s.pk for s in chosen])[: limit - len(chosen)])
    return chosen


def seed_dossiers(context: dict) -> None:
    """Validated fiches on recent past sessions, registered dossiers on coming ones (idempotent)."""
    from dcc.accounts.models import User
    from rcp.models import Dossier, DossierTransition, Fiche, FicheVersion

    try:
        from identity.demo import DEMO_ADDRESS
    except ImportError:  # identity's demo data absent: nothing to register
        return
    if Dossier.objects.exists():
        context["log"](f"Dossiers RCP : déjà présents ({Dossier.objects.count()})")
        return
    patients = list(Patient.objects.filter(address=DEMO_ADDRESS).order_by("pk")[:400])
    doctor = User.objects.filter(email="medecin@demo.dcc.test", professional__isnull=False).first()
    secretary = User.objects.filter(email="secretaire.3c@demo.dcc.test").first()
    author = doctor or secretary or User.objects.filter(is_superuser=True).first()
    if not patients or author is None:
        context["log"]("Dossiers RCP : pas de patients ou d'utilisateurs de démonstration, rien à inscrire")
        return
    rng = random.Random(7)
    three_c_id = None
    if doctor:
        three_c_id = (
            Rcp.objects.filter(members__professional_id=doctor.professional_id)
            .values_list("three_c_id", flat=True)
            .first()
        )
    now = timezone.now()
    base = Session.objects.select_related("rcp").order_by("-starts_at")
    past = _sessions_first_for(three_c_id, base.filter(status=SessionStatus.CLOSED), PAST_SESSIONS_WITH_DOSSIERS)
    coming = _sessions_first_for(
        three_c_id,
        Session.objects.select_related("rcp")
        .filter(status=SessionStatus.PLANNED, starts_at__gt=now)
        .order_by("starts_at"),
        COMING_SESSIONS_WITH_DOSSIERS,
    )
    members: dict[int, list[RcpMember]] = {}
    for member in RcpMember.objects.filter(rcp_id__in={s.rcp_id for s in past + coming}).select_related("professional"):
        members.setdefault(member.rcp_id, []).append(member)
    attendance: dict[int, list[Attendance]] = {}
    for row in Attendance.objects.filter(session__in=past).select_related("professional", "specialty"):
        attendance.setdefault(row.session_id, []).append(row)
    signers = session_signers(past, members, attendance)
    patient_cycle = iter(patients * 3)
    dossiers: list[Dossier] = []
    plan: list[tuple[Dossier, bool]] = []
    for session, validated in [(s, True) for s in past] + [(s, False) for s in coming]:
        pool = members.get(session.rcp_id) or []
        if not pool:
            continue
        for position in range(1, rng.choice([2, 3, 4])):
            dossier = Dossier(
                session=session,
                patient=next(patient_cycle),
                requesting_doctor=rng.choice(pool).professional,
                motive=rng.choice(list(DossierMotive.values)),
                question=rng.choice(
                    [
                        "Quelle stratégie thérapeutique ?",
                        "Traitement adjuvant ?",
                        "Chirurgie première ?",
                        "Place de la radiothérapie ?",
                        "Prise en charge de la rechute ?",
                    ]
                ),
                status=DossierStatus.VALIDATED if validated else DossierStatus.REGISTERED,
                position=position,
                created_by=author,
            )
            dossiers.append(dossier)
            plan.append((dossier, validated))
    Dossier.objects.bulk_create(dossiers)
    transitions, fiches = [], []
    quorum_by_session: dict[int, tuple] = {}
    for dossier, validated in plan:
        transitions.append(
            DossierTransition(dossier=dossier, to_status=DossierStatus.DRAFT, note="Demande d'avis créée.")
        )
        transitions.append(
            DossierTransition(
                dossier=dossier,
                from_status=DossierStatus.DRAFT,
                to_status=DossierStatus.REGISTERED,
                note="Inscription.",
            )
        )
        _organ, topography, morphology, treatment_codes, appareil = disease_for(dossier.session.rcp)
        organ_rcp = dossier.session.rcp.nature == Nature.ORGANE
        fiche = Fiche(
            dossier=dossier,
            nature=dossier.session.rcp.nature,
            appareil_code=appareil if organ_rcp else "",
            treatment_care_code="" if organ_rcp else SUPPORTIVE_CARE,
            question=dossier.question,
            topography_code=topography,
            morphology_code=morphology,
            # A month before the session, and never in the future (a coming session's diagnosis is already made).
            diagnosis_date=min(
                timezone.localtime(dossier.session.starts_at).date() - datetime.timedelta(days=30),
                timezone.localdate() - datetime.timedelta(days=10),
            ),
            discovery_mode=rng.choice(["depistage", "symptomes", "fortuite"]),
            ecog_code=rng.choice(["LA9622-7", "LA9623-5"]),
            # No TNM for a lymphoma or a leukaemia (they are staged otherwise).
            tnm_kind="" if dossier.session.rcp.is_haematology else "c",
            tnm_t="" if dossier.session.rcp.is_haematology else rng.choice(["T1", "T2", "T3"]),
            tnm_n="" if dossier.session.rcp.is_haematology else rng.choice(["N0", "N1"]),
            tnm_m="" if dossier.session.rcp.is_haematology else "M0",
            case_summary="Cas de démonstration (patient fictif).",
            dossier_complete=validated,
            updated_by=author,
        )
        if validated:
            session = dossier.session
            if session.pk not in quorum_by_session:
                quorum_by_session[session.pk] = session_quorum(session, attendance.get(session.pk, []))
            result, participants = quorum_by_session[session.pk]
            # The disease's usual sequence (surgery then chemotherapy for a colon cancer…), ranked as options.
            fiche.treatments = [
                {"rank": rank, "code": code, "detail": ""} for rank, code in enumerate(treatment_codes[:2], start=1)
            ]
            fiche.guideline_conform = True
            fiche.guideline = "Référentiel régional"
            fiche.proposition = "Proposition de démonstration."
            fiche.quorum_reached = result.reached
            fiche.quorum_explanation = result.explanation
            fiche.off_quorum_reason = "" if result.reached else "Démonstration : avis rendu hors quorum (urgence)."
            fiche.participants = participants
            fiche.validated_by = signers.get(session.pk, author)
            fiche.validated_at = session.ends_at
            transitions.append(
                DossierTransition(
                    dossier=dossier, from_status=DossierStatus.REGISTERED, to_status=DossierStatus.PRESENTED
                )
            )
            transitions.append(
                DossierTransition(
                    dossier=dossier,
                    from_status=DossierStatus.PRESENTED,
                    to_status=DossierStatus.VALIDATED,
                    note="Fiche RCP validée.",
                )
            )
        fiches.append(fiche)
    DossierTransition.objects.bulk_create(transitions)
    Fiche.objects.bulk_create(fiches)
    FicheVersion.objects.bulk_create(
        [
            FicheVersion(
                fiche=fiche,
                version=1,
                content=fiche.content(),
                quorum_reached=fiche.quorum_reached,
                off_quorum_reason=fiche.off_quorum_reason,
                participants=fiche.participants,
                signed_by=fiche.validated_by,
                signed_at=fiche.validated_at,
            )
            for fiche in fiches
            if fiche.validated_at
        ]
    )
    for dossier in dossiers:
        care_attach(dossier)
    context["log"](
        f"Dossiers RCP : {sum(1 for _, v in plan if v)} fiches validées sur {len(past)} séances passées, "
        f"{sum(1 for _, v in plan if not v)} dossiers inscrits sur {len(coming)} séances à venir"
    )


# --- Fiche documents ------------------------------------------------------------------------


def file_fiche_documents(log, *, patients=(), now: int | None = None) -> None:
    """File the FRCP (CDA + PDF/A) of the demo's validated fiches through the real pipeline (idempotent).

    Produced synchronously: every version of ``patients``' fiches (oldest first, so a PPS finds its diagnosis)
    and the ``now`` (``settings.DCC_DEMO_FICHE_DOCUMENTS``) most recent other versions; the remaining versions
    are queued to the worker.
    """
    from django.conf import settings

    from dcc.records.enums import GenerationStatus
    from dcc.records.models import DocumentGeneration
    from interop.queueing import document_generate_or_queue
    from rcp.enums import FICHE_DOCUMENT_SOURCE
    from rcp.models import FicheVersion

    if DocumentGeneration.objects.filter(source_type=FICHE_DOCUMENT_SOURCE).exists():
        # Filed once, on the first run: later steps (the dashboards' history) add signed versions of their own.
        log("Fiches RCP : documents FRCP déjà classés")
        return
    versions = FicheVersion.objects.select_related("fiche__dossier__patient", "signed_by")
    done = set(
        DocumentGeneration.objects.filter(
            source_type=FICHE_DOCUMENT_SOURCE, status=GenerationStatus.SUCCEEDED
        ).values_list("source_id", flat=True)
    )
    first = list(versions.filter(fiche__dossier__patient__in=list(patients)).order_by("signed_at", "version"))
    recent = list(versions.exclude(pk__in=[v.pk for v in first]).order_by("-signed_at", "-pk"))
    now = settings.DCC_DEMO_FICHE_DOCUMENTS if now is None else now
    produced = failed = queued = 0
    for version in first + sorted(recent[:now], key=lambda v: (v.signed_at, v.version)):
        if str(version.pk) in done:
            continue
        generation = document_generate_or_queue(source_type=FICHE_DOCUMENT_SOURCE, source_id=version.pk)
        if generation.document_id:
            produced += 1
        elif generation.status == GenerationStatus.PENDING:
            queued += 1
        else:
            failed += 1
            log(f"Fiches RCP : version {version.pk} non produite — {generation.failure_reason.splitlines()[0]}")
    for version in recent[now:]:
        if str(version.pk) not in done:
            queued += fiche_document_request(
                version=version, patient=version.fiche.dossier.patient, by=version.signed_by
            )
    log(f"Fiches RCP : {produced} document(s) FRCP produit(s), {failed} en échec, {queued} confié(s) au worker")
