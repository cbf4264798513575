"""Reads on patient identities: search, duplicate candidates, comparison with INSi, creator counts."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from dcc.accounts.enums import Profile
from dcc.records.access import care_scope, has_patient_care_profile
from dcc.records.models import BreakGlassGrant, CareRelationship
from identity import nir as nir_rules
from identity.enums import STRICT_TRAITS, IdentityOrigin, RnivStatus, Sex
from identity.models import IdentityChange, IdentityNorm, InsiLookup, LocalIdentifier, Patient, PatientMerge

SEARCH_LIMIT = 50
RELEVANCE_CAP = 300
DUPLICATE_NAME_THRESHOLD = 0.5
LIKELY_DUPLICATE = 60


def visible_patients(user, *, include_break_glass: bool = False) -> QuerySet[Patient]:
    """The patients whose record ``user`` may open (through bris de glace too when asked)."""
    links = CareRelationship.objects.current().filter(care_scope(user)).values("patient_id")
    visible = Q(pk__in=links)
    if include_break_glass and has_patient_care_profile(user):
        visible |= Q(pk__in=BreakGlassGrant.objects.active().filter(user_id=user.pk).values("patient_id"))
    return Patient.objects.current().filter(visible)


def _fragments(query: str) -> list[str]:
    """Name fragments in the indexed form (upper case, no accents), at most 5."""
    normalised = nir_rules.normalize_trait(query)
    return [part for part in re.split(r"[\s'\-]+", normalised) if part][:5]


def search_patients(
    *,
    name: str = "",
    birth_date: datetime.date | None = None,
    ins: str = "",
    ipp: str = "",
    scope: QuerySet[Patient] | None = None,
) -> QuerySet[Patient]:
    """Current patients matching every criterion given (name fragments on birth and used names), among
    ``scope`` when given (a user's patients: ``visible_patients``)."""
    patients = Patient.objects.current()
    if scope is not None:
        patients = patients.filter(pk__in=scope.values("pk"))
    criteria = False
    for fragment in _fragments(name):
        patients = patients.filter(search_text__contains=fragment)
        criteria = True
    if birth_date:
        patients = patients.filter(birth_date=birth_date)
        criteria = True
    if ins:
        patients = patients.filter(ins_matricule=nir_rules.clean(ins))
        criteria = True
    if ipp:
        patients = patients.filter(pk__in=LocalIdentifier.objects.filter(value=ipp.strip()).values("patient_id"))
        criteria = True
    if not criteria:
        return Patient.objects.none()
    fragments = _fragments(name)
    if not fragments:
        return patients.order_by("birth_name", "first_given_name", "pk")
    # Birth names starting with the first fragment come first, in name order (btree prefix index,
    # read in order: a page costs a page even when 30,000 names share the prefix). When they are
    # fewer than a page, names containing the fragments anywhere (trigram index, birth and used
    # names) complete it, ranked by similarity among at most RELEVANCE_CAP of them.
    first = fragments[0]
    prefix = list(
        patients.filter(name_norm__startswith=first)
        .order_by("name_norm", "pk")
        .values_list("pk", flat=True)[:SEARCH_LIMIT]
    )
    others = []
    if len(prefix) < SEARCH_LIMIT:
        others = list(patients.exclude(pk__in=prefix).values_list("pk", flat=True)[:RELEVANCE_CAP])
    return (
        Patient.objects.filter(pk__in=prefix + others)
        .annotate(
            prefix_match=Case(When(pk__in=prefix, then=Value(1)), default=Value(0)),
            relevance=Greatest(
                TrigramSimilarity(F("name_norm"), Value(first)),
                TrigramSimilarity(IdentityNorm(F("used_name")), Value(first)),
            ),
        )
        .order_by("-prefix_match", "-relevance", "name_norm", "first_given_name", "pk")
    )


def prefix_matches(patients: QuerySet[Patient], first: str):
    """Ids of the first page of birth names starting with ``first`` (normalised), in name order."""
    return (patients.filter(name_norm__startswith=first).order_by("name_norm", "pk").values_list("pk", flat=True))[
        :SEARCH_LIMIT
    ]


def contains_matches(patients: QuerySet[Patient], *, exclude: list[int]):
    """Ids of at most RELEVANCE_CAP patients matching every fragment anywhere in their names."""
    return patients.exclude(pk__in=exclude).order_by().values_list("pk", flat=True)[:RELEVANCE_CAP]


def _spaced(expression):
    """Names compared word by word: spaces, hyphens and apostrophes all count as one space."""
    return Func(
        expression, Value(r"[\s'\-]+"), Value(" "), Value("g"), function="regexp_replace", output_field=CharField()
    )


def exact_identity_matches(
    *, name: str = "", birth_date: datetime.date | None = None, ins: str = ""
) -> QuerySet[Patient]:
    """Patients found by an exact identity only: the INS, or birth name + first name + birth date.

    Enough to avoid creating a duplicate, never a way to browse the region's patients by a fragment.
    """
    patients = Patient.objects.current()
    if ins:
        return patients.filter(ins_matricule=nir_rules.clean(ins)).order_by("pk")
    fragments = _fragments(name)
    if birth_date is None or len(fragments) < 2:
        return Patient.objects.none()
    splits = Q(pk__in=[])
    for cut in range(1, len(fragments)):
        splits |= Q(exact_birth=" ".join(fragments[:cut]), exact_first=" ".join(fragments[cut:]))
    return (
        patients.filter(birth_date=birth_date)
        .annotate(exact_birth=_spaced(F("name_norm")), exact_first=_spaced(IdentityNorm(F("first_given_name"))))
        .filter(splits)
        .order_by("pk")
    )


def search_for_user(
    user,
    *,
    name: str = "",
    birth_date: datetime.date | None = None,
    ins: str = "",
    ipp: str = "",
    limit: int = SEARCH_LIMIT,
) -> list[dict]:
    """A user's search: any criterion among his patients; outside them, exact identities only (in_care False)."""
    scope = visible_patients(user)
    in_care = list(search_patients(name=name, birth_date=birth_date, ins=ins, ipp=ipp, scope=scope)[:limit])
    exact = exact_identity_matches(name=name, birth_date=birth_date, ins=ins)
    outside = []
    if not exact.query.is_empty():  # a name alone finds no one outside the user's patients
        outside = list(
            exact.exclude(pk__in=scope.values("pk")).exclude(pk__in=[patient.pk for patient in in_care])[:limit]
        )
    return [{"patient": patient, "in_care": True} for patient in in_care] + [
        {"patient": patient, "in_care": False} for patient in outside
    ]


def duplicate_rows_for_user(user, traits: dict, candidates: list[DuplicateCandidate]) -> list[dict]:
    """The duplicate warning of a creation, as ``user`` may see it: his patients in full; outside his care, an
    identity only when it is exactly the one typed (INS, or birth name + first name + birth date), as in a search;
    any other close identity is announced without a single trait (``disclosed`` False)."""
    visible = set(
        visible_patients(user).filter(pk__in=[item.patient.pk for item in candidates]).values_list("pk", flat=True)
    )
    name = nir_rules.normalize_trait(traits.get("birth_name") or "")
    first = nir_rules.normalize_trait(traits.get("first_given_name") or "")
    ins = traits.get("ins_matricule") or ""
    rows = []
    for item in candidates:
        patient = item.patient
        exact = (ins and patient.ins_matricule == ins) or (
            bool(name and first)
            and patient.birth_date == traits.get("birth_date")
            and nir_rules.normalize_trait(patient.birth_name) == name
            and nir_rules.normalize_trait(patient.first_given_name) == first
        )
        in_care = patient.pk in visible
        rows.append({"candidate": item, "in_care": in_care, "disclosed": in_care or bool(exact)})
    return rows


def search_results(user, patients) -> list[dict]:
    """Each result with whether ``user`` is part of the patient's care (else identity only)."""
    patients = list(patients)
    visible = set(visible_patients(user).filter(pk__in=[p.pk for p in patients]).values_list("pk", flat=True))
    return [{"patient": patient, "in_care": patient.pk in visible} for patient in patients]


def patient_detail(pk: int) -> Patient:
    return (
        Patient.objects.select_related("general_practitioner", "created_by", "proof_checked_by", "merged_into")
        .prefetch_related("local_identifiers__establishment")
        .get(pk=pk)
    )


def identity_history(patient: Patient) -> QuerySet[IdentityChange]:
    return patient.identity_changes.select_related("user").order_by("-at", "-id")


def pending_lookup(patient: Patient) -> InsiLookup | None:
    return patient.insi_lookups.filter(decision="pending").select_related("requested_by").first()


# --- INSi comparison -------------------------------------------------------------------------


@dataclass(frozen=True)
class TraitComparison:
    name: str
    label: str
    stored: str
    returned: str
    verdict: str  # "same", "normalised", "different"

    @property
    def verdict_label(self) -> str:
        return {
            "same": "Identique",
            "normalised": "Identique après normalisation",
            "different": "Différent",
        }[self.verdict]


def compare_traits(patient: Patient, traits: dict) -> list[TraitComparison]:
    """The stored strict traits beside the INSi ones, field by field, with the INS normalisation."""
    rows = []
    for name in STRICT_TRAITS:
        stored = patient.strict_traits[name] or ""
        returned = traits.get(name) or ""
        if name == "sex":
            stored_label, returned_label = (
                Sex(stored).label if stored else "",
                (Sex(returned).label if returned in Sex.values else returned),
            )
        elif name == "birth_date":
            stored_label = datetime.date.fromisoformat(stored).strftime("%d/%m/%Y") if stored else ""
            returned_label = datetime.date.fromisoformat(returned).strftime("%d/%m/%Y") if returned else ""
        else:
            stored_label, returned_label = stored, returned
        if stored == returned:
            verdict = "same"
        elif nir_rules.loose_trait(stored) == nir_rules.loose_trait(returned):
            verdict = "normalised"
        else:
            verdict = "different"
        label = str(Patient._meta.get_field(name).verbose_name)
        rows.append(TraitComparison(name, label[0].upper() + label[1:], stored_label, returned_label, verdict))
    return rows


# --- Duplicates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateCandidate:
    patient: Patient
    score: int
    reasons: tuple[str, ...]


def _score(candidate: Patient, *, traits: dict, name_similarity: float, first_similarity: float) -> DuplicateCandidate:
    score, reasons = 0, []
    if traits.get("ins_matricule") and candidate.ins_matricule == traits["ins_matricule"]:
        score += 100
        reasons.append("même INS")
    score += round(40 * name_similarity)
    if name_similarity >= 0.99:
        reasons.append("même nom")
    elif name_similarity >= 0.4:
        reasons.append("nom proche")
    score += round(20 * first_similarity)
    if first_similarity >= 0.99:
        reasons.append("même prénom")
    elif first_similarity >= 0.4:
        reasons.append("prénom proche")
    birth_date = traits.get("birth_date")
    if birth_date and candidate.birth_date == birth_date:
        score += 25
        reasons.append("même date de naissance")
    elif birth_date and (
        (
            candidate.birth_date.year == birth_date.year
            and candidate.birth_date.month == birth_date.day
            and candidate.birth_date.day == birth_date.month
        )
        or sum(a != b for a, b in zip(f"{candidate.birth_date:%Y%m%d}", f"{birth_date:%Y%m%d}", strict=True)) == 1
    ):
        score += 12
        reasons.append("date de naissance proche (inversion ou un chiffre)")
    if traits.get("sex") and candidate.sex == traits["sex"]:
        score += 5
    if traits.get("birth_place_code") and candidate.birth_place_code == traits["birth_place_code"]:
        score += 10
        reasons.append("même lieu de naissance")
    return DuplicateCandidate(candidate, min(score, 100), tuple(reasons))


def duplicate_candidates(traits: dict, *, exclude_pk: int | None = None, limit: int = 10) -> list[DuplicateCandidate]:
    """Current patients that may be the same person as ``traits``, best first (score 0–100).

    Candidates come from the indexes: same INS, or same birth date, or a birth/used name close to
    the given birth name (trigram on the unaccented upper-case form).
    """
    name = nir_rules.normalize_trait(traits.get("birth_name") or "")
    first = nir_rules.normalize_trait(traits.get("first_given_name") or "")
    birth_date = traits.get("birth_date")
    if not name and not traits.get("ins_matricule"):
        return []
    where = Q(pk__in=[])
    if name:
        close_name = Q(name_norm__trigram_similar=name)
        if birth_date:  # a close name with a date mistyped: same year, or same day and month
            close_name &= Q(birth_date__year=birth_date.year) | Q(
                birth_date__month=birth_date.month, birth_date__day=birth_date.day
            )
        where |= close_name
    if birth_date:
        where |= Q(birth_date=birth_date)
    if traits.get("ins_matricule"):
        where |= Q(ins_matricule=traits["ins_matricule"])
    candidates = (
        Patient.objects.current()
        .filter(where)
        .annotate(
            name_similarity=Greatest(
                TrigramSimilarity(F("name_norm"), Value(name)),
                TrigramSimilarity(IdentityNorm(F("used_name")), Value(name)),
            ),
            first_similarity=TrigramSimilarity(IdentityNorm(F("first_given_name")), Value(first)),
        )
    )
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    with transaction.atomic(), connection.cursor() as cursor:
        # The % operator's threshold (0.3 by default) is too loose at a million patients.
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(DUPLICATE_NAME_THRESHOLD)])
        rows = list(candidates.order_by("-name_similarity")[:200])
    scored = [
        _score(
            candidate,
            traits=traits,
            name_similarity=candidate.name_similarity,
            first_similarity=candidate.first_similarity,
        )
        for candidate in rows
    ]
    scored = [item for item in scored if item.score >= 40]
    scored.sort(key=lambda item: (-item.score, item.patient.pk))
    return scored[:limit]


@dataclass(frozen=True)
class SuspectedPair:
    first: Patient
    second: Patient
    score: int


def suspected_duplicates(patients: QuerySet[Patient], *, limit: int = 100) -> list[SuspectedPair]:
    """Pairs among ``patients`` born the same day with close names (data-quality page)."""
    ids = patients.values("pk")
    sql_ids, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.id, b.id,
                   similarity(a.name_norm, b.name_norm) AS name_sim,
                   similarity(identity_norm(a.first_given_name), identity_norm(b.first_given_name)) AS first_sim,
                   (a.ins_matricule <> '' AND a.ins_matricule = b.ins_matricule) AS same_ins,
                   (a.birth_place_code <> '' AND a.birth_place_code = b.birth_place_code) AS same_place,
                   a.sex = b.sex AS same_sex
            FROM identity_patient a
            JOIN identity_patient b ON a.birth_date = b.birth_date AND a.id < b.id
            WHERE a.merged_into_id IS NULL AND b.merged_into_id IS NULL
              AND a.id IN ({sql_ids}) AND b.id IN ({sql_ids})
              AND (similarity(a.name_norm, b.name_norm) > 0.45
                   OR (a.ins_matricule <> '' AND a.ins_matricule = b.ins_matricule))
            LIMIT 2000
            """,  # noqa: S608 - the only interpolation is Django's own compiled sub-query
            [*params, *params],
        )
        rows = cursor.fetchall()
    pairs = []
    for first_id, second_id, name_sim, first_sim, same_ins, same_place, same_sex in rows:
        score = 25 + round(40 * name_sim) + round(20 * first_sim) + 10 * same_place + 5 * same_sex + 100 * same_ins
        pairs.append((min(score, 100), first_id, second_id))
    pairs.sort(key=lambda item: (-item[0], item[1], item[2]))
    pairs = [pair for pair in pairs if pair[0] >= LIKELY_DUPLICATE][:limit]
    by_pk = Patient.objects.in_bulk({pk for _, a, b in pairs for pk in (a, b)})
    return [SuspectedPair(by_pk[a], by_pk[b], score) for score, a, b in pairs]


def merges(limit: int = 50) -> QuerySet[PatientMerge]:
    return PatientMerge.objects.select_related("kept", "absorbed", "merged_by", "reverted_by")[:limit]


# --- Dashboard -------------------------------------------------------------------------------


def identity_creators(*, since: datetime.date | None = None) -> list[dict]:
    """ "Qui crée l'identité": patients created, by the creator's main profile and the origin.

    Rows ``{"profile": code, "profile_label", "origin", "origin_label", "count"}``; patients
    created by interop or INSi without a user have the profile "" ("Système").
    """
    patients = Patient.objects.all()
    if since:
        patients = patients.filter(created_at__date__gte=since)
    rows = patients.values("origin", "created_by").annotate(count=Count("pk"))
    from dcc.accounts.models import User

    users = User.objects.prefetch_related("profile_grants").in_bulk(
        {row["created_by"] for row in rows if row["created_by"]}
    )
    totals: dict[tuple[str, str], int] = {}
    for row in rows:
        user = users.get(row["created_by"])
        profile = (user.main_profile or "") if user else ""
        key = (profile, row["origin"])
        totals[key] = totals.get(key, 0) + row["count"]
    labels = dict(Profile.choices)
    origins = dict(IdentityOrigin.choices)
    return [
        {
            "profile": profile,
            "profile_label": labels.get(profile, "Système"),
            "origin": origin,
            "origin_label": origins.get(origin, origin),
            "count": count,
        }
        for (profile, origin), count in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    ]


def status_counts() -> dict[str, int]:
    counts = dict(Patient.objects.current().values_list("rniv_status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in RnivStatus.values}
