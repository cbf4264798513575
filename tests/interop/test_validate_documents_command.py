import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from dcc.records import documents_services
from dcc.records.enums import DocumentOrigin, ValidationStatus
from tests.records.documents_helpers import record_patient, sample_frcp, store_frcp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "default": default}


def test_valid_documents_pass_and_the_command_exits_zero(personas, capsys):
    store_frcp(record_patient(personas))

    call_command("validate_documents")

    assert "1 valide, 0 invalide" in capsys.readouterr().out


def test_an_invalid_cda_is_reported_with_its_reason_and_the_exit_code_is_not_zero(personas, capsys):
    patient = record_patient(personas)
    store_frcp(patient)
    _, cda = sample_frcp()
    broken = documents_services.document_store(
        patient=patient, type_code="34794-8", title="Fiche cassée", origin=DocumentOrigin.MIGRATION,
        act_date=timezone.now(), cda=cda.replace(b'code="34794-8"', b'code="00000-0"', 1),
    )  # fmt: skip

    with pytest.raises(SystemExit) as exit_:
        call_command("validate_documents")

    out = capsys.readouterr().out
    assert exit_.value.code == 1
    assert "1 valide, 1 invalide" in out
    assert "Fiche cassée" in out and "règle" in out
    broken.refresh_from_db()
    assert broken.validation_status == ValidationStatus.INVALID


def test_since_limits_the_revalidation_to_recent_documents(personas, capsys):
    store_frcp(record_patient(personas))
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    call_command("validate_documents", "--since", tomorrow)

    assert "0 valide, 0 invalide" in capsys.readouterr().out
