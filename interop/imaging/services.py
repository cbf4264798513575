"""Attaching a PACS study to a demande d'avis (or detaching it), traced."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from dcc.records.enums import TrailAction
from dcc.records.trail import trail_record
from interop.imaging.models import AttachedStudy
from interop.imaging.selectors import StudyRow


class AttachmentRefused(Exception):
    """A French reason for the user."""


def study_attach(*, row: StudyRow, patient, source_type: str, source_id, by, request=None) -> AttachedStudy:
    """Join ``row`` (a study the PACS listed for ``patient``) to the object ``source_type``/``source_id``."""
    study = row.study
    try:
        with transaction.atomic():
            attached = AttachedStudy.objects.create(
                pacs=row.pacs,
                patient=patient,
                source_type=source_type,
                source_id=str(source_id),
                study_uid=study.study_uid,
                pacs_patient_id=study.patient_id,
                study_date=study.study_date,
                modality=study.modality,
                description=study.description,
                accession=study.accession,
                attached_by=by,
            )
            trail_record(
                user=by,
                action=TrailAction.UPDATE,
                patient=patient,
                obj=attached,
                request=request,
                detail=f"examen d'imagerie joint à {source_type}:{source_id}",
            )
    except IntegrityError as error:
        raise AttachmentRefused("Cet examen est déjà joint à la demande d'avis.") from error
    return attached


@transaction.atomic
def study_detach(*, attached: AttachedStudy, by, request=None) -> None:
    trail_record(
        user=by,
        action=TrailAction.DELETE,
        patient=attached.patient_id,
        obj=attached,
        request=request,
        detail=f"examen d'imagerie retiré de {attached.source_type}:{attached.source_id}",
    )
    attached.delete()
