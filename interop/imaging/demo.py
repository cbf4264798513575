"""Demo: the CHU's PACS is the local DICOM stand-in, holding synthetic studies of a few demo patients.

The studies are written to ``.data/imaging/standin-studies.json`` (``DCC_IMAGING_STANDIN_STUDIES``),
which ``make run`` hands to ``python -m interop.imaging.standin``.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.conf import settings

from dcc.directory.models import Establishment
from identity.models import LocalIdentifier
from interop.imaging.dicom import DEMO_AE_TITLE
from interop.imaging.models import Pacs

ORDER = 66
CHU = "CHU LA MILETRIE - POITIERS"
PATIENTS = 6
# (days before today, modality, description)
EXAMS = [
    [(12, "CT", "Scanner thoraco-abdomino-pelvien injecté"), (95, "PT", "TEP-TDM au 18F-FDG"),
     (190, "MR", "IRM hépatique")],
    [(30, "MG", "Mammographie bilatérale"), (33, "US", "Échographie mammaire"), (40, "MR", "IRM mammaire")],
    [(8, "CT", "Scanner thoracique"), (60, "PT", "TEP-TDM corps entier")],
    [(21, "MR", "IRM pelvienne"), (140, "CT", "Scanner abdomino-pelvien")],
    [(5, "CR", "Radiographie thoracique"), (47, "CT", "Scanner cérébral")],
    [(70, "MR", "IRM rachis entier")],
]  # fmt: skip


def studies_path() -> Path:
    return Path(settings.DCC_IMAGING_STANDIN_STUDIES)


def seed(context: dict) -> None:
    log = context["log"]
    chu = Establishment.objects.filter(name=CHU).first()
    if chu is None:
        log("Imagerie : CHU de démonstration absent, rien à faire")
        return
    pacs, _ = Pacs.objects.get_or_create(
        establishment=chu,
        ae_title=DEMO_AE_TITLE,
        defaults={
            "name": "PACS du CHU (démonstration)",
            "host": "127.0.0.1",
            "port": settings.DCC_IMAGING_STANDIN_PORT,
            "matches_ins": True,
        },
    )
    viewer = f"http://127.0.0.1:{settings.DCC_IMAGING_STANDIN_WEB_PORT}/viewer?StudyInstanceUID={{study_uid}}"
    if not pacs.viewer_url_template:  # a template an administrator changed is kept
        pacs.viewer_url_template = viewer
        pacs.full_clean()
        pacs.save(update_fields=["viewer_url_template"])
    identifiers = list(
        LocalIdentifier.objects.filter(establishment=chu, patient__merged_into__isnull=True)
        .select_related("patient")
        .order_by("value")[:PATIENTS]
    )
    from interop.imaging.synthetic import SyntheticStudy  # pydicom: imported only when seeding

    today = datetime.date.today()
    studies = []
    for number, (identifier, exams) in enumerate(zip(identifiers, EXAMS, strict=False), start=1):
        patient = identifier.patient
        for index, (days, modality, description) in enumerate(exams, start=1):
            studies.append(
                SyntheticStudy(
                    patient_id=identifier.value,
                    patient_name=f"{patient.birth_name}^{patient.first_given_name}",
                    birth_date=patient.birth_date,
                    sex=patient.sex if patient.sex in ("M", "F") else "O",
                    study_date=today - datetime.timedelta(days=days),
                    modality=modality,
                    description=description,
                    accession=f"DEMO{number:03d}{index:02d}",
                    issuer=chu.oid or chu.finess_geo,
                )
            )
    path = studies_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([study.as_dict() for study in studies], ensure_ascii=False, indent=1), encoding="utf-8")
    log(
        f"Imagerie : {pacs.name} ({pacs.ae_title}@{pacs.host}:{pacs.port}, visionneuse {pacs.viewer_url_template}), "
        f"{len(studies)} examens synthétiques "
        f"pour {len(identifiers)} patients (IPP {', '.join(i.value for i in identifiers)})"
    )
