"""Two years of history for the dashboards, so every table, chart and variation shows real figures.

Runs after every other app (ORDER 90) and writes with ``bulk_create`` only (a few seconds): closed sessions
with attendance for the year before the RCP demo's, dossiers with validated fiches (and their signed
versions) on the closed sessions of both years, PPS and concertations, imported documents (sharing one small
PDF/A), identities spread over their creation dates, logins by method, predefined-query runs per 3C.
Idempotent: a second run finds its history and adds nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from rcp.demo import session_quorum, session_signers

ORDER = 90
HISTORY_DAYS = 2 * 366 + 30
TOPOGRAPHY = {
    "digestif": ("C18.7", "8140/3"),
    "sein": ("C50.9", "8500/3"),
    "poumon": ("C34.1", "8140/3"),
    "appareil urinaire": ("C61", "8140/3"),
    "gynécologique": ("C54.1", "8380/3"),
    "hématologie": ("C83.3", "9680/3"),
}
PATIENT_SEX = {"sein": "F", "gynécologique": "F", "appareil urinaire": "M"}
# Codes of the FRCP « type de traitement » value set: surgery, chemotherapy, radiotherapy, hormone therapy,
# active surveillance (the fiche shows their labels and its document passes the value-set rule).
TREATMENTS = ["387713003", "C15632", "C15313", "C547", "424313000"]
SAMPLE_PDF = "demo/dashboards/document-importe.pdf"


def _aware(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed(context: dict) -> None:
    from dcc.accounts.models import User
    from identity.demo import DEMO_ADDRESS
    from identity.models import Patient
    from rcp.models import Rcp

    log = context["log"]
    today = timezone.localdate()
    if _already_seeded(today):
        log("Historique des tableaux de bord : déjà présent")
        return
    began = time.monotonic()
    rcps = list(Rcp.objects.select_related("three_c", "establishment").prefetch_related("recurrences"))
    patients = list(Patient.objects.filter(address=DEMO_ADDRESS).order_by("pk"))
    users = {user.email: user for user in User.objects.filter(email__endswith="@demo.dcc.test")}
    doctor = users.get("medecin@demo.dcc.test")
    if not rcps or not patients or doctor is None:
        log("Historique des tableaux de bord : pas de RCP, de patients ou de médecin de démonstration")
        return
    rng = random.Random(14)
    start = today - datetime.timedelta(days=HISTORY_DAYS)
    sessions = _older_sessions(rcps, start, rng)
    dossiers = _dossiers_and_fiches(start, today, patients, doctor, users, rng)
    pps = _programmes(dossiers, users, rng)
    documents = _imported_documents(patients, rcps, start, today, rng)
    _spread_identities(patients, users, start, rng)
    logins = _logins(users, start, today, rng)
    runs = _query_runs(users, rcps, start, today, rng)
    log(
        f"Historique des tableaux de bord : {sessions} séances, {len(dossiers)} fiches validées, {pps} PPS, "
        f"{documents} documents importés, {logins} connexions, {runs} requêtes 3C sur deux ans "
        f"({time.monotonic() - began:.1f} s)"
    )


def _already_seeded(today: datetime.date) -> bool:
    from rcp.models import FicheVersion

    return FicheVersion.objects.filter(signed_at__lt=_aware(today - datetime.timedelta(days=400))).exists()


def _older_sessions(rcps, start: datetime.date, rng: random.Random) -> int:
    """Closed sessions, every two weeks, from ``start`` to the first session the RCP demo generated."""
    from rcp.enums import AttendanceMode, SessionStatus
    from rcp.models import Attendance, RcpMember, Session

    first = dict(Session.objects.values_list("rcp_id").annotate(first=models_min("starts_at")).order_by())
    members: dict[int, list] = {}
    for member in RcpMember.objects.all():
        members.setdefault(member.rcp_id, []).append(member)
    rows = []
    for index, rcp in enumerate(rcps):
        recurrence = next(iter(rcp.recurrences.all()), None)
        weekday = recurrence.weekday if recurrence else index % 5
        hour = recurrence.start_time if recurrence else datetime.time(13, 0)
        stop = timezone.localtime(first[rcp.pk]).date() if rcp.pk in first else timezone.localdate()
        day = start + datetime.timedelta(days=(weekday - start.weekday()) % 7)
        while day < stop - datetime.timedelta(days=7):
            begins = timezone.make_aware(datetime.datetime.combine(day, hour))
            rows.append(
                Session(
                    rcp=rcp,
                    starts_at=begins,
                    ends_at=begins + datetime.timedelta(minutes=90),
                    status=SessionStatus.CLOSED,
                    place=rcp.default_place,
                )
            )
            day += datetime.timedelta(days=14)
    created = Session.objects.bulk_create(rows, batch_size=2000)
    attendances = []
    for session in created:
        for member in members.get(session.rcp_id, []):
            roll = rng.random()
            mode = (
                AttendanceMode.ROOM if roll < 0.5 else AttendanceMode.VIDEO if roll < 0.85 else AttendanceMode.EXCUSED
            )
            attendances.append(
                Attendance(
                    session=session, professional_id=member.professional_id, specialty_id=member.specialty_id, mode=mode
                )
            )
    Attendance.objects.bulk_create(attendances, batch_size=5000, ignore_conflicts=True)
    return len(created)


def models_min(field: str):
    from django.db.models import Min

    return Min(field)


def _dossiers_and_fiches(start, today, patients, doctor, users, rng: random.Random) -> list:
    """1 to 3 validated dossiers on every closed session of the history without any dossier."""
    from dcc.records.enums import CareRelationshipKind
    from dcc.records.models import CareRelationship
    from rcp.enums import DossierMotive, DossierStatus, SessionStatus
    from rcp.models import Attendance, Dossier, Fiche, FicheVersion, RcpMember, Session

    sessions = list(
        Session.objects.filter(status=SessionStatus.CLOSED, starts_at__gte=_aware(start), dossiers__isnull=True)
        .select_related("rcp")
        .order_by("starts_at")
    )
    # Signed as the application requires: by a member of the RCP recorded present, the session's quorum evaluated
    # on who was there (the same rules as the RCP demo).
    members: dict[int, list] = {}
    for member in RcpMember.objects.filter(rcp_id__in={s.rcp_id for s in sessions}).select_related("professional"):
        members.setdefault(member.rcp_id, []).append(member)
    attendance: dict[int, list] = {}
    for row in Attendance.objects.filter(session__in=sessions).select_related("professional", "specialty"):
        attendance.setdefault(row.session_id, []).append(row)
    signers = session_signers(sessions, members, attendance)
    quorum = {session.pk: session_quorum(session, attendance.get(session.pk, [])) for session in sessions}
    sessions = [session for session in sessions if session.pk in signers]
    # Stories that hold together: a patient is followed in one 3C; a gynaecological or breast RCP sees women, a
    # urological (prostate) one men; the requesting doctor is a member of the RCP, as in the RCP demo.
    three_cs = sorted({session.rcp.three_c_id for session in sessions if session.rcp.three_c_id})
    home = {three_c: patients[index :: len(three_cs)] for index, three_c in enumerate(three_cs)}
    dossiers, fiche_data = [], []
    for session in sessions:
        pool = home.get(session.rcp.three_c_id) or patients
        sex = PATIENT_SEX.get((session.rcp.organ or "").lower())
        if sex:
            pool = [patient for patient in pool if patient.sex == sex] or pool
        requesters = [member.professional_id for member in members.get(session.rcp_id, [])]
        for position in range(1, rng.randint(1, 3) + 1):
            patient = rng.choice(pool)
            dossiers.append(
                Dossier(
                    session=session,
                    patient=patient,
                    requesting_doctor_id=rng.choice(requesters) if requesters else doctor.professional_id,
                    motive=rng.choice([DossierMotive.FIRST] * 3 + [DossierMotive.FOLLOW_UP]),
                    question="Stratégie thérapeutique ?",
                    status=DossierStatus.VALIDATED,
                    position=position,
                    created_by=doctor,
                    is_late=rng.random() < 0.05,
                )
            )
            fiche_data.append(session)
    Dossier.objects.bulk_create(dossiers, batch_size=5000)
    fiches = []
    for dossier, session in zip(dossiers, fiche_data, strict=True):
        organ = (session.rcp.organ or "").lower()
        topography, morphology = TOPOGRAPHY.get(organ, ("C80.9", "8000/3"))
        signed = session.starts_at + datetime.timedelta(hours=rng.randint(1, 48))
        result, participants = quorum[session.pk]
        conform = None if rng.random() < 0.1 else rng.random() < 0.9
        fiches.append(
            Fiche(
                dossier=dossier,
                topography_code=topography,
                morphology_code=morphology,
                diagnosis_date=timezone.localtime(session.starts_at).date()
                - datetime.timedelta(days=rng.randint(7, 60)),
                tnm_kind="c",
                tnm_t=rng.choice(["T1", "T2", "T3", "T4"]),
                tnm_n=rng.choice(["N0", "N1"]),
                tnm_m="M0",
                question="Stratégie thérapeutique ?",
                treatments=[{"rank": 1, "code": rng.choice(TREATMENTS)}],
                proposition="Proposition de la RCP (historique de démonstration).",
                guideline_conform=conform,
                guideline_justification="" if conform is not False else "Comorbidités",
                guideline="Référentiel régional",
                clinical_trial_proposed=rng.random() < 0.08,
                case_summary="Cas de démonstration (patient fictif).",
                dossier_complete=True,
                quorum_reached=result.reached,
                quorum_explanation=result.explanation,
                off_quorum_reason="" if result.reached else "Spécialité manquante, avis à confirmer",
                participants=participants,
                validated_by=signers[session.pk],
                validated_at=signed,
            )
        )
    Fiche.objects.bulk_create(fiches, batch_size=5000)
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
        ],
        batch_size=5000,
    )
    # The people and structures of each RCP join the patient's care, as registering a dossier does
    # (rcp.services.dossiers.care_attach), so the signer can open what he signed.
    links = set()
    for dossier, session in zip(dossiers, fiche_data, strict=True):
        rcp = session.rcp
        links.add((dossier.patient_id, CareRelationshipKind.THREE_C, "three_c_id", rcp.three_c_id))
        links.add(
            (dossier.patient_id, CareRelationshipKind.TREATING_ESTABLISHMENT, "establishment_id", rcp.establishment_id)
        )
        links.add(
            (
                dossier.patient_id,
                CareRelationshipKind.REQUESTING_DOCTOR,
                "professional_id",
                dossier.requesting_doctor_id,
            )
        )
        for member in members.get(rcp.pk, []):
            links.add((dossier.patient_id, CareRelationshipKind.RCP_MEMBER, "professional_id", member.professional_id))
    CareRelationship.objects.bulk_create(
        [
            CareRelationship(patient_id=patient_id, kind=kind, source="demo:dashboards", **{field: value})
            for patient_id, kind, field, value in links
            if value
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    return fiches


def _programmes(fiches, users, rng: random.Random) -> int:
    """A PPS for about a third of the validated fiches, two weeks later; a clinical-trial EDP now and then."""
    from pps.enums import PpsStatus
    from pps.models import Pps, PpsElement

    author = users.get("annonce@demo.dcc.test") or users.get("medecin@demo.dcc.test")
    rows, elements = [], []
    for fiche in fiches:
        if rng.random() > 0.33:
            continue
        session = fiche.dossier.session
        validated = fiche.validated_at + datetime.timedelta(days=rng.randint(5, 30))
        if validated > timezone.now():
            continue
        rows.append(
            Pps(
                patient_id=fiche.dossier.patient_id,
                status=PpsStatus.VALIDATED,
                rcp_fiche=fiche,
                author=author,
                author_profile="annonce_pps",
                establishment_id=session.rcp.establishment_id,
                three_c_id=session.rcp.three_c_id,
                created_at=validated,
                validated_at=validated,
                validated_by=author,
            )
        )
    Pps.objects.bulk_create(rows, batch_size=5000)
    for pps in rows:
        day = timezone.localtime(pps.validated_at).date() + datetime.timedelta(days=rng.randint(3, 40))
        kind = "essai_clinique" if rng.random() < 0.05 else rng.choice(["chirurgie", "chimiotherapie", "radiotherapie"])
        elements.append(PpsElement(pps=pps, kind=kind, planned_date=day, position=1))
    PpsElement.objects.bulk_create(elements, batch_size=5000)
    return len(rows)


def _imported_documents(patients, rcps, start, today, rng: random.Random) -> int:
    from dcc.records.enums import DocumentOrigin, ValidationStatus
    from dcc.records.models import Document

    if not default_storage.exists(SAMPLE_PDF):
        from interop.pdf.render import html_to_pdfa

        pdf = html_to_pdfa(
            "<h1>Document importé (démonstration)</h1><p>Contenu synthétique.</p>",
            title="Document importé (démonstration)",
        )
        default_storage.save(SAMPLE_PDF, ContentFile(pdf))
    with default_storage.open(SAMPLE_PDF, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    kinds = [
        ("34794-8", "CR de réunion de concertation pluridisciplinaire", "Fiche RCP (reprise)"),
        ("18776-5", "Plan personnalisé de soins", "PPS (reçu)"),
        ("11526-1", "CR d'anatomie et de cytologie pathologiques", "CR-ACP"),
        ("18748-4", "CR d'imagerie médicale", "CR d'imagerie"),
    ]
    establishments = [rcp.establishment for rcp in rcps]
    rows = []
    span = (today - start).days
    for number in range(800):
        code, label, title = rng.choice(kinds)
        created = _aware(start + datetime.timedelta(days=rng.randint(0, span - 1)), rng.randint(7, 19))
        origin = rng.choice([DocumentOrigin.INTEROP] * 5 + [DocumentOrigin.UPLOADED] * 3 + [DocumentOrigin.MIGRATION])
        rows.append(
            Document(
                patient=rng.choice(patients),
                type_code=code,
                type_label=label,
                title=f"{title} (démonstration)",
                establishment=rng.choice(establishments),
                act_date=created - datetime.timedelta(days=rng.randint(0, 20)),
                origin=origin,
                document_id=f"urn:demo:dashboards:{number}",
                set_id=f"urn:demo:dashboards:set:{number}",
                pdf_file=SAMPLE_PDF,
                pdf_sha256=digest,
                validation_status=ValidationStatus.NOT_APPLICABLE,
                created_at=created,
            )
        )
    Document.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _spread_identities(patients, users, start, rng: random.Random) -> None:
    """The demo identities were all created today: spread their creation over the history."""
    from identity.models import Patient

    span = (timezone.localdate() - start).days
    for patient in patients:
        patient.created_at = _aware(start + datetime.timedelta(days=rng.randint(0, span)), rng.randint(8, 18))
    Patient.objects.bulk_update(patients, ["created_at"], batch_size=2000)


def _logins(users, start, today, rng: random.Random) -> int:
    """Logins of the demo accounts over the history, by method (password with or without code, PSC, contextual)."""
    from dcc.records.enums import TrailAction
    from dcc.records.models import AccessTrail

    habits = {
        "medecin@demo.dcc.test": ["psc"] * 5 + ["otp"] * 3 + ["contextual"] * 2,
        "medecin.landes@demo.dcc.test": ["contextual"] * 6 + ["psc"] * 4,
        "medecin.traitant@demo.dcc.test": ["psc"] * 7 + ["otp"] * 3,
    }
    rows = []
    span = (today - start).days
    for email, user in users.items():
        methods = habits.get(email, ["otp"] * 7 + ["password"] * 3)
        per_week = 4 if "secretaire" in email or "annonce" in email else 2
        for _ in range(span * per_week // 7):
            day = start + datetime.timedelta(days=rng.randint(0, span - 1))
            if day.weekday() >= 5:
                continue
            rows.append(
                AccessTrail(
                    user=user,
                    user_label=user.display_name,
                    action=TrailAction.LOGIN,
                    connection_method=rng.choice(methods),
                    at=_aware(day, rng.randint(7, 19)),
                    detail="Connexion (historique de démonstration)",
                )
            )
    AccessTrail.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _query_runs(users, rcps, start, today, rng: random.Random) -> int:
    """The 3C's data requests (about 27 a year in the region), run by the 3C secretary."""
    from dcc.dashboards.models import QueryRun
    from dcc.dashboards.queries import QUERIES

    secretary = users.get("secretaire.3c@demo.dcc.test")
    if secretary is None:
        return 0
    three_cs = sorted({rcp.three_c_id for rcp in rcps})
    span = (today - start).days
    rows = [
        QueryRun(
            query=rng.choice(list(QUERIES)),
            user=secretary,
            three_c_id=rng.choice(three_cs),
            parameters={},
            parameters_label="Historique de démonstration",
            rows=rng.randint(3, 300),
            at=_aware(start + datetime.timedelta(days=rng.randint(0, span - 1))),
        )
        for _ in range(27 * span // 365)
    ]
    QueryRun.objects.bulk_create(rows)
    return len(rows)
