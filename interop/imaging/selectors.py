"""A patient's imaging studies from the PACS of the establishments that know the patient.

Each PACS is queried in parallel within ``DCC_IMAGING_TIMEOUT_SECONDS`` (twice that at worst) and
its answer is cached ``DCC_IMAGING_CACHE_SECONDS`` (a failure for a few seconds only, so a PACS
that is down does not slow every page); when the cache itself is down, the PACS are queried
directly and the page still renders.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

from identity.models import LocalIdentifier, Patient
from interop.imaging import dicom
from interop.imaging.models import AttachedStudy, Pacs

logger = logging.getLogger(__name__)
FAILURE_CACHE_SECONDS = 15
_MIN_DATE = datetime.date.min


@dataclass(frozen=True)
class StudyRow:
    pacs: Pacs
    study: dicom.Study

    @property
    def establishment(self):
        return self.pacs.establishment

    @property
    def viewer_url(self) -> str:
        return self.pacs.viewer_url(
            study_uid=self.study.study_uid, accession=self.study.accession, patient_id=self.study.patient_id
        )


@dataclass
class ImagingResult:
    studies: list[StudyRow] = field(default_factory=list)
    unavailable: list[Pacs] = field(default_factory=list)  # PACS that did not answer
    queried: int = 0

    @property
    def messages(self) -> list[str]:
        return [
            f"Le PACS de {pacs.establishment.name} ne répond pas : ses examens ne sont pas affichés. "
            "Réessayez dans quelques minutes."
            for pacs in self.unavailable
        ]


def queries_for(patient: Patient) -> list[tuple[Pacs, list[str]]]:
    """Each PACS to ask and the patient identifiers to match there (IPP of its establishment, INS)."""
    ipps: dict[int, list[str]] = {}
    for establishment_id, value in LocalIdentifier.objects.filter(patient=patient).values_list(
        "establishment_id", "value"
    ):
        ipps.setdefault(establishment_id, []).append(value)
    ins = patient.ins_matricule if patient.ins_exchangeable else ""
    queries = []
    for pacs in Pacs.objects.filter(is_active=True).select_related("establishment").order_by("pk"):
        ids = list(ipps.get(pacs.establishment_id, []))
        if ins and pacs.matches_ins:
            ids.append(ins)
        if ids:
            queries.append((pacs, ids))
    return queries


def _cache_key(pacs: Pacs, ids: list[str]) -> str:
    where = [pacs.qido_url, pacs.ae_title, pacs.host, str(pacs.port)]
    digest = hashlib.sha256("|".join([*where, *ids]).encode()).hexdigest()[:32]
    return f"dcc:imaging:{pacs.pk}:{digest}"


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # the cache is an optimisation: Redis down must not break the page
        logger.warning("cache indisponible pour l'imagerie", exc_info=True)
        return None


def _cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("cache indisponible pour l'imagerie", exc_info=True)


def _ask(pacs: Pacs, ids: list[str]) -> list[dict] | None:
    timeout = settings.DCC_IMAGING_TIMEOUT_SECONDS
    try:
        if pacs.qido_url:
            studies = dicom.find_studies_qido(base_url=pacs.qido_url, patient_ids=ids, timeout=timeout)
        else:
            studies = dicom.find_studies(
                host=pacs.host,
                port=pacs.port,
                called_ae=pacs.ae_title,
                patient_ids=ids,
                calling_ae=settings.DCC_IMAGING_CALLING_AE,
                timeout=timeout,
            )
    except dicom.PacsUnavailable as error:
        logger.warning("PACS %s indisponible : %s", pacs, error)
        return None
    except Exception:  # a broken PACS answer is reported as unavailable, never a 500
        logger.exception("PACS %s : réponse inexploitable", pacs)
        return None
    return [study.as_dict() for study in studies]


def patient_studies(patient: Patient) -> ImagingResult:
    """The patient's studies, newest first, from every PACS that knows the patient."""
    queries = queries_for(patient)
    result = ImagingResult(queried=len(queries))
    answers: dict[int, list[dict] | None] = {}
    pending = []
    for pacs, ids in queries:
        cached = _cache_get(_cache_key(pacs, ids))
        if cached is not None:
            answers[pacs.pk] = cached.get("studies")
        else:
            pending.append((pacs, ids))
    if pending:
        budget = 2 * settings.DCC_IMAGING_TIMEOUT_SECONDS + 1
        pool = ThreadPoolExecutor(max_workers=min(8, len(pending)), thread_name_prefix="pacs")
        futures = {pacs.pk: (pacs, ids, pool.submit(_ask, pacs, ids)) for pacs, ids in pending}
        for pk, (pacs, ids, future) in futures.items():
            try:
                studies = future.result(timeout=budget)
            except FuturesTimeout:
                studies = None
            answers[pk] = studies
            _cache_set(
                _cache_key(pacs, ids),
                {"studies": studies},
                settings.DCC_IMAGING_CACHE_SECONDS if studies is not None else FAILURE_CACHE_SECONDS,
            )
        pool.shutdown(wait=False, cancel_futures=True)
    for pacs, _ids in queries:
        studies = answers.get(pacs.pk)
        if studies is None:
            result.unavailable.append(pacs)
            continue
        result.studies.extend(StudyRow(pacs, dicom.Study.from_dict(item)) for item in studies)
    result.studies.sort(key=lambda row: (row.study.study_date or _MIN_DATE, row.study.study_uid), reverse=True)
    return result


def find_study(patient: Patient, *, pacs_id: int, study_uid: str) -> StudyRow | None:
    """One of the patient's studies as the PACS lists it (never trust a study described by the browser)."""
    for row in patient_studies(patient).studies:
        if row.pacs.pk == pacs_id and row.study.study_uid == study_uid:
            return row
    return None


def attached_studies(source_type: str, source_id) -> list[AttachedStudy]:
    return list(
        AttachedStudy.objects.filter(source_type=source_type, source_id=str(source_id))
        .select_related("pacs__establishment", "attached_by")
        .order_by("-study_date", "-attached_at")
    )
