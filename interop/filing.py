"""Filing produced documents into the patient record: build (PDF, then CDA embedding it), validate, store.

Producers are registered by source type in ``settings.DCC_DOCUMENT_PRODUCERS`` (dotted path of a module
offering ``source_info(source_id)`` and ``produce(source_id, chain)``), so this module never imports the
apps above it. An invalid CDA is never stored: the generation records the reason, in French, for the author.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import ModuleType

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_module

from dcc.records import documents_services as services
from dcc.records.enums import DocumentOrigin, DocumentStatus, GenerationStatus, ValidationStatus
from dcc.records.models import Document, DocumentGeneration
from dcc.records.selectors import source_generation
from interop.cda.builders import BuildError
from interop.documents import ProducedDocument


class ProductionError(ValueError):
    """The source cannot make a document (missing INS, no diagnosis…); the message is French, for the author."""


IN_PROGRESS = (GenerationStatus.PENDING, GenerationStatus.RUNNING)


class PreviousVersionPending(Exception):
    """Version n-1 of the source is still queued or being produced: version n must wait to take its place in the
    chain (same setId, RPLC), so its task runs again later."""


@dataclass(frozen=True)
class SourceInfo:
    patient: object
    previous_source_id: str | None = None


@dataclass(frozen=True)
class Chain:
    """Where the new document sits in its version chain (CDA setId, versionNumber, relatedDocument RPLC)."""

    set_id: str | None
    version: int
    replaced_document_id: str


@dataclass(frozen=True)
class Production:
    produced: ProducedDocument
    type_code: str
    title: str
    act_date: dt.datetime
    author: object = None
    author_label: str = ""
    establishment: object = None
    confidentiality: str = "N"


def versioned_title(title: str, version: int) -> str:
    """The record's title of a produced document: « PPS », then « PPS — version 2 » for the later versions."""
    return f"{title} — version {version}" if version > 1 else title


def producer(source_type: str) -> ModuleType:
    path = settings.DCC_DOCUMENT_PRODUCERS.get(source_type)
    if path is None:
        raise LookupError(f"Aucun producteur de document pour {source_type}.")
    return import_module(path)


def source_document(source_type: str, source_id) -> Document | None:
    return Document.objects.filter(source_type=source_type, source_id=str(source_id)).first()


def document_generate(
    *, source_type: str, source_id, requested_by_id: int | None = None, wait_for_previous: bool = True
) -> DocumentGeneration:
    """Produce, validate and store the document of one source object. Idempotent: once stored, a rerun is a no-op.

    Transient errors (database, storage) propagate so the Celery task retries; content errors become a failed
    generation with a French reason. When the previous version's document is still queued or being produced,
    ``PreviousVersionPending`` is raised (the generation goes back to pending) or, with ``wait_for_previous``
    false (the task's last attempt), the generation fails with a reason: a version never starts a new chain
    while its predecessor's document is on its way.
    """
    from django.contrib.auth import get_user_model

    module = producer(source_type)
    info: SourceInfo = module.source_info(source_id)
    requested_by = get_user_model().objects.filter(pk=requested_by_id).first() if requested_by_id else None
    generation, should_run = services.generation_start(
        source_type=source_type, source_id=source_id, patient=info.patient, requested_by=requested_by
    )
    if not should_run:
        return generation
    existing = source_document(source_type, source_id)
    if existing is not None:  # stored by an earlier attempt that died before recording success
        return services.generation_succeed(generation=generation, document=existing)

    previous = source_document(source_type, info.previous_source_id) if info.previous_source_id else None
    if previous is not None and previous.status == DocumentStatus.REPLACED:
        previous = previous.replaced_by if hasattr(previous, "replaced_by") else None
    waited_for = None
    if previous is None and info.previous_source_id:
        waited_for = source_generation(source_type, info.previous_source_id)
    if waited_for is not None and waited_for.status in IN_PROGRESS:
        if not wait_for_previous:
            return services.generation_fail(
                generation=generation,
                reason="Le document de la version précédente est toujours en cours de production : celui-ci doit "
                "le remplacer et n'a pas pu être produit. Relancez la production une fois la version précédente "
                "produite.",
            )
        services.generation_wait(generation=generation, note="En attente du document de la version précédente")
        raise PreviousVersionPending(f"{source_type} {info.previous_source_id}")
    chain = Chain(
        set_id=previous.set_id if previous else None,
        version=previous.version + 1 if previous else 1,
        replaced_document_id=previous.document_id if previous else "",
    )
    try:
        production: Production = module.produce(source_id, chain)
    except (ProductionError, BuildError) as error:
        return services.generation_fail(generation=generation, reason=str(error))
    if not production.produced.valid:
        return services.generation_fail(generation=generation, reason=production.produced.validation.summary_fr())

    cda = production.produced.cda
    with transaction.atomic():
        document = services.document_store(
            patient=info.patient,
            type_code=production.type_code,
            title=production.title,
            origin=DocumentOrigin.PRODUCED,
            act_date=production.act_date,
            pdf=production.produced.pdf,
            cda=cda.xml,
            document_id=cda.document_id,
            set_id=cda.set_id,
            replaces=previous,
            author=production.author,
            author_label=production.author_label,
            establishment=production.establishment,
            confidentiality=production.confidentiality,
            validation_status=ValidationStatus.VALID,
            validation_report=production.produced.validation.summary_fr(),
            source_type=source_type,
            source_id=source_id,
        )
        return services.generation_succeed(generation=generation, document=document)
