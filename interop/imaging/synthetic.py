"""Synthetic DICOM made with pydicom: study-level datasets for the stand-in, whole instances for Orthanc.

Nothing here is a real patient: names and identifiers come from the demo or the tests.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import PYDICOM_ROOT_UID, ExplicitVRLittleEndian, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
# Demo and test UIDs are derived from the study's identity (stable across restarts) under pydicom's root.
UID_PREFIX = PYDICOM_ROOT_UID


@dataclass(frozen=True)
class SyntheticStudy:
    patient_id: str
    patient_name: str  # DICOM PN: FAMILY^GIVEN
    birth_date: datetime.date
    sex: str  # M, F, O
    study_date: datetime.date
    modality: str
    description: str
    accession: str
    issuer: str = ""  # IssuerOfPatientID (the establishment, or the INS OID)

    @property
    def study_uid(self) -> str:
        # Stable across stand-in restarts: derived from the study's identity.
        return generate_uid(
            prefix=UID_PREFIX, entropy_srcs=[self.patient_id, self.accession, self.study_date.isoformat()]
        )

    def as_dict(self) -> dict:
        return {
            "patient_id": self.patient_id,
            "patient_name": self.patient_name,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "study_date": self.study_date.isoformat(),
            "modality": self.modality,
            "description": self.description,
            "accession": self.accession,
            "issuer": self.issuer,
        }

    @classmethod
    def from_dict(cls, data: dict) -> SyntheticStudy:
        return cls(
            **{
                **data,
                "birth_date": datetime.date.fromisoformat(data["birth_date"]),
                "study_date": datetime.date.fromisoformat(data["study_date"]),
            }
        )


def study_dataset(study: SyntheticStudy) -> Dataset:
    """The study-level attributes a PACS answers C-FIND with."""
    ds = Dataset()
    ds.PatientID = study.patient_id
    if study.issuer:
        ds.IssuerOfPatientID = study.issuer
    ds.PatientName = study.patient_name
    ds.PatientBirthDate = study.birth_date.strftime("%Y%m%d")
    ds.PatientSex = study.sex
    ds.StudyInstanceUID = study.study_uid
    ds.StudyDate = study.study_date.strftime("%Y%m%d")
    ds.StudyTime = "093000"
    ds.AccessionNumber = study.accession
    ds.StudyDescription = study.description
    ds.ModalitiesInStudy = study.modality
    ds.StudyID = study.accession[-8:]
    ds.ReferringPhysicianName = ""
    return ds


def instance_bytes(study: SyntheticStudy) -> bytes:
    """One small secondary-capture image of the study, as a DICOM Part 10 file (for uploading to a PACS)."""
    ds = study_dataset(study)
    del ds.ModalitiesInStudy
    ds.Modality = study.modality
    ds.SOPClassUID = SECONDARY_CAPTURE
    ds.SOPInstanceUID = generate_uid(prefix=UID_PREFIX, entropy_srcs=[study.study_uid, "image-1"])
    ds.SeriesInstanceUID = generate_uid(prefix=UID_PREFIX, entropy_srcs=[study.study_uid, "series-1"])
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.ConversionType = "WSD"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = 8
    ds.Columns = 8
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = bytes(range(64))
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()
