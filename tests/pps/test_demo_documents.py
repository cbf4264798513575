"""The documents the demo seeds through the apps they belong to: the FRCP and PPS documents of the first demo
patients (``pps.demo_documents``) and the official CR-ACP example in quarantine (``interop.demo``)."""

from __future__ import annotations

import hashlib

import pytest

from dcc.records.enums import DocumentOrigin, GenerationStatus, QuarantineStatus
from dcc.records.models import Document, DocumentGeneration, QuarantinedDocument
from interop.demo import EXAMPLE_CR_ACP
from pps.demo_documents import PATIENTS
from pps.models import Pps
from rcp.enums import FICHE_DOCUMENT_SOURCE

pytestmark = pytest.mark.django_db


def test_the_demo_files_pps_documents_with_their_frcp_and_quarantines_the_cr_acp(demo):
    filed = DocumentGeneration.objects.filter(source_type="pps.pps", status=GenerationStatus.SUCCEEDED)
    assert filed.count() == PATIENTS
    for generation in filed:
        pps = Pps.objects.get(pk=generation.source_id)
        assert pps.rcp_fiche_id is not None and pps.patient.ins_matricule
        # The FRCP the PPS cites was filed before it, for the same patient.
        frcp = Document.objects.filter(patient=pps.patient, source_type=FICHE_DOCUMENT_SOURCE)
        assert frcp.exists()
        assert generation.document.patient_id == pps.patient_id

    quarantined = QuarantinedDocument.objects.get(filename=EXAMPLE_CR_ACP.name)
    assert quarantined.status == QuarantineStatus.PENDING
    assert quarantined.origin == DocumentOrigin.MIGRATION and quarantined.document_id is None
    assert quarantined.sha256 == hashlib.sha256(EXAMPLE_CR_ACP.read_bytes()).hexdigest()
