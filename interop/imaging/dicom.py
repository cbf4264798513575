"""DICOM C-FIND (study root, STUDY level) against one PACS, within a hard time budget.

No Django here: the selectors call ``find_studies`` for each PACS in parallel and cache the result.
pydicom and pynetdicom are imported on the first query, not with the URL configuration: importing
them takes seconds, which every web process would otherwise pay before its first page.
"""

from __future__ import annotations

import datetime
import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

PENDING = (0xFF00, 0xFF01)
QIDO_MAX_BYTES = 4 * 1024 * 1024
QIDO_FIELDS = (
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "ModalitiesInStudy",
    "StudyDescription",
    "AccessionNumber",
    "PatientID",
)
SUCCESS = 0x0000
MAX_STUDIES = 200
DEMO_AE_TITLE = "DCC-PACS-DEMO"  # the stand-in's AE title (make run, the demo's PACS)

# pynetdicom logs every association at INFO and every refused one at ERROR: the caller reports those.
logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)


class PacsUnavailable(Exception):
    """The PACS did not answer in time, refused the association or failed the query (French message)."""


@dataclass(frozen=True)
class Study:
    study_uid: str
    patient_id: str
    study_date: datetime.date | None
    modality: str
    description: str
    accession: str

    def as_dict(self) -> dict:
        data = asdict(self)
        data["study_date"] = self.study_date.isoformat() if self.study_date else ""
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Study:
        day = data.get("study_date") or ""
        return cls(**{**data, "study_date": datetime.date.fromisoformat(day) if day else None})


def _text(dataset: Dataset, keyword: str) -> str:
    from pydicom.multival import MultiValue

    value = dataset.get(keyword, "")
    if value is None:
        return ""
    if isinstance(value, list | tuple | MultiValue):
        return "\\".join(str(item) for item in value)
    return str(value).strip()


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        return None


def study_query(patient_id: str) -> Dataset:
    """The C-FIND identifier: match on PatientID, return the study's summary attributes."""
    from pydicom.dataset import Dataset

    query = Dataset()
    query.QueryRetrieveLevel = "STUDY"
    query.PatientID = patient_id
    for keyword in (
        "StudyInstanceUID",
        "StudyDate",
        "StudyTime",
        "ModalitiesInStudy",
        "StudyDescription",
        "AccessionNumber",
        "PatientName",
    ):
        setattr(query, keyword, "")
    return query


def study_from(identifier: Dataset, patient_id: str) -> Study | None:
    uid = _text(identifier, "StudyInstanceUID")
    if not uid:
        return None
    return Study(
        study_uid=uid[:64],
        patient_id=_text(identifier, "PatientID") or patient_id,
        study_date=_date(_text(identifier, "StudyDate")),
        modality=_text(identifier, "ModalitiesInStudy")[:64],
        description=_text(identifier, "StudyDescription")[:200],
        accession=_text(identifier, "AccessionNumber")[:16],
    )


def find_studies(
    *, host: str, port: int, called_ae: str, patient_ids: list[str], calling_ae: str = "DCC", timeout: float = 2.0
) -> list[Study]:
    """Studies of any of ``patient_ids`` on one PACS (one association, one C-FIND per identifier).

    Every network step is bounded by ``timeout`` and the whole query by twice that: a PACS that is
    down, slow or refuses the DCC raises ``PacsUnavailable`` quickly.
    """
    deadline = time.monotonic() + 2 * timeout
    try:
        # A plain TCP probe first: pynetdicom leaves its socket unclosed when the connection is refused.
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        raise PacsUnavailable(f"connexion impossible ({error.strerror or error})") from error
    from pynetdicom import AE
    from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind

    ae = AE(ae_title=calling_ae)
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelFind)
    ae.connection_timeout = timeout
    ae.acse_timeout = timeout
    ae.dimse_timeout = timeout
    ae.network_timeout = timeout
    try:
        association = ae.associate(host, port, ae_title=called_ae)
    except (OSError, ValueError) as error:
        raise PacsUnavailable(f"connexion impossible ({error})") from error
    if not association.is_established:
        reason = "association refusée" if association.is_rejected else "pas de réponse"
        raise PacsUnavailable(reason)
    studies: dict[str, Study] = {}
    failed = True
    try:
        for patient_id in patient_ids:
            for status, identifier in association.send_c_find(
                study_query(patient_id), StudyRootQueryRetrieveInformationModelFind
            ):
                if time.monotonic() > deadline:
                    raise PacsUnavailable("réponse trop lente")
                code = getattr(status, "Status", None)
                if code is None:
                    raise PacsUnavailable("pas de réponse à la recherche")
                if code in PENDING and identifier is not None:
                    study = study_from(identifier, patient_id)
                    if study is not None and len(studies) < MAX_STUDIES:
                        studies.setdefault(study.study_uid, study)
                elif code != SUCCESS:
                    raise PacsUnavailable(f"recherche refusée (statut 0x{code:04X})")
        failed = False
    finally:
        if failed or not association.is_established:
            association.abort()
        else:
            association.release()
    return sorted(studies.values(), key=lambda s: (s.study_date or datetime.date.min, s.study_uid), reverse=True)


def find_studies_qido(*, base_url: str, patient_ids: list[str], timeout: float = 2.0) -> list[Study]:
    """The same search over DICOMweb: QIDO-RS ``GET {base_url}/studies?PatientID=…`` (DICOM JSON answers)."""
    from pydicom.dataset import Dataset

    if urllib.parse.urlsplit(base_url).scheme not in {"http", "https"}:
        raise PacsUnavailable("URL QIDO-RS invalide (http ou https attendu)")
    deadline = time.monotonic() + 2 * timeout
    studies: dict[str, Study] = {}
    for patient_id in patient_ids:
        query = urllib.parse.urlencode([("PatientID", patient_id), *(("includefield", key) for key in QIDO_FIELDS)])
        request = urllib.request.Request(  # noqa: S310 (http or https, checked above)
            f"{base_url.rstrip('/')}/studies?{query}", headers={"Accept": "application/dicom+json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                body = response.read(QIDO_MAX_BYTES + 1) if response.status != 204 else b"[]"
        except urllib.error.HTTPError as error:
            raise PacsUnavailable(f"recherche refusée (HTTP {error.code})") from error
        except (OSError, ValueError) as error:
            raise PacsUnavailable(f"pas de réponse ({error})") from error
        if time.monotonic() > deadline:
            raise PacsUnavailable("réponse trop lente")
        if len(body) > QIDO_MAX_BYTES:
            raise PacsUnavailable("réponse trop volumineuse")
        try:
            items = json.loads(body or b"[]")
            datasets = [Dataset.from_json(item) for item in items]
        except (ValueError, TypeError, AttributeError) as error:
            raise PacsUnavailable("réponse DICOM JSON illisible") from error
        for dataset in datasets:
            study = study_from(dataset, patient_id)
            if study is not None and len(studies) < MAX_STUDIES:
                studies.setdefault(study.study_uid, study)
    return sorted(studies.values(), key=lambda s: (s.study_date or datetime.date.min, s.study_uid), reverse=True)
