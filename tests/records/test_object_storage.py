"""Stored documents in an S3-compatible object store, over HTTP, and the migration between storage backends.

The S3 server is moto's standalone server (``moto[server]``), started by the fixture on an ephemeral port in a
thread: boto3 (django-storages) talks to it over real sockets, as it would to MinIO. MinIO itself stays the
compose service; it cannot be installed on the development machines.
"""

from __future__ import annotations

import datetime
import hashlib
from io import StringIO

import boto3
import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer

from dcc.records import documents_services
from dcc.records.enums import CareRelationshipKind, DocumentOrigin
from dcc.records.models import Document
from dcc.records.services import care_relationship_add
from tests.identity.factories import PatientFactory

pytestmark = pytest.mark.django_db
BUCKET = "dcc-documents-test"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, settings, tmp_path):
    """Both backends configured (local under tmp_path, s3 on the moto server); a fresh bucket."""
    client = boto3.client(
        "s3", endpoint_url=s3_server, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client.create_bucket(Bucket=BUCKET)
    local = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}
    remote = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": s3_server,
            "access_key": "test",
            "secret_key": "test",
            "region_name": "us-east-1",
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": False,
        },
    }
    settings.STORAGES = {**settings.STORAGES, "local": local, "s3": remote, "default": local}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _use(settings, alias: str) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": settings.STORAGES[alias]}


def _patient(personas):
    patient = PatientFactory()
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    return patient


def _store(patient, content: bytes = PDF) -> Document:
    return documents_services.document_store(
        patient=patient,
        type_code="34794-8",
        title="Compte rendu",
        origin=DocumentOrigin.UPLOADED,
        act_date=timezone.now() - datetime.timedelta(days=1),
        pdf=content,
    )


def _object(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_documents_are_stored_in_the_bucket_and_served_from_it(client, personas, s3, settings):
    _use(settings, "s3")
    document = _store(_patient(personas))

    assert _object(s3, document.pdf_file.name) == PDF  # in the bucket, under the row's name
    client.force_login(personas["doctor"])
    response = client.get(reverse("records:document_pdf", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == PDF


def test_storage_migrate_copies_every_file_and_checks_its_sha256(personas, s3, settings):
    patient = _patient(personas)
    documents = [_store(patient, PDF + str(number).encode()) for number in range(3)]  # on the local disk
    out = StringIO()

    call_command("storage_migrate", "--from", "local", "--to", "s3", stdout=out)

    assert "3 fichier(s) copié(s)" in out.getvalue()
    for document in documents:
        assert hashlib.sha256(_object(s3, document.pdf_file.name)).hexdigest() == document.pdf_sha256
    _use(settings, "s3")  # switching the backend is enough: the rows keep their names
    assert Document.objects.get(pk=documents[0].pk).pdf_file.read() == PDF + b"0"

    again = StringIO()
    call_command("storage_migrate", "--from", "local", "--to", "s3", stdout=again)
    assert "0 fichier(s) copié(s), 3 déjà présent(s) et vérifié(s)" in again.getvalue()


def test_storage_migrate_refuses_a_file_whose_content_changed(personas, s3):
    document = _store(_patient(personas))
    with storages["local"].open(document.pdf_file.name, "wb") as handle:
        handle.write(b"%PDF-1.4 altered")
    err = StringIO()

    with pytest.raises(SystemExit) as exit_info:
        call_command("storage_migrate", "--from", "local", "--to", "s3", stdout=StringIO(), stderr=err)

    assert exit_info.value.code == 1
    assert "empreinte à la source" in err.getvalue()
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET)


def test_storage_migrate_needs_two_configured_backends(settings):
    settings.STORAGES = {key: value for key, value in settings.STORAGES.items() if key != "s3"}
    with pytest.raises(Exception, match="non configuré"):
        call_command("storage_migrate", "--from", "local", "--to", "s3")
