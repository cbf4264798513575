"""Detailed exports: the registry layout (identified and pseudonymised), the worker's job, streaming, tracing."""

from __future__ import annotations

import csv
import io
import time
import tracemalloc

import pytest
from django.urls import reverse

from dcc.dashboards import export_jobs, writers
from dcc.dashboards.enums import ExportKind, ExportStatus
from dcc.dashboards.exports import DETAIL_EXPORTS, pseudonym
from dcc.dashboards.filters import StatsScope
from dcc.dashboards.models import DataExport
from dcc.dashboards.tables import Column
from dcc.records.enums import TrailAction
from dcc.records.models import AccessTrail

pytestmark = pytest.mark.django_db


def _request(user, *, kind=ExportKind.REGISTRY, fmt="csv", pseudonymised=False, **scope):
    scope = StatsScope(
        **{"start": __import__("datetime").date(2025, 1, 1), "end": __import__("datetime").date(2025, 12, 31), **scope}
    )
    return export_jobs.export_request(
        user=user, kind=kind, fmt=fmt, target="test", scope=scope, pseudonymised=pseudonymised
    )


def _rows(export) -> list[list[str]]:
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))


def test_registry_export_has_the_documented_columns_and_traces_the_patients(world, django_capture_on_commit_callbacks):
    registry = world.personas["registry"]
    with django_capture_on_commit_callbacks(execute=False):
        export = _request(registry)
    assert export_jobs.export_run(export_id=export.pk) == "ready"
    assert export_jobs.export_run(export_id=export.pk) == "ignored"  # a second delivery does nothing
    rows = _rows(export)
    header = [column.label for column in DETAIL_EXPORTS[ExportKind.REGISTRY].columns(pseudonymised=False)]
    assert rows[0] == header
    assert header[:10] == [
        "id_fiche",
        "version_fiche",
        "date_rcp",
        "rcp",
        "3c",
        "finess_etablissement",
        "motif",
        "nom_naissance",
        "prenoms",
        "sexe",
    ]
    assert len(rows) == 1 + 3  # the three fiches validated on 2025 sessions
    p1 = world.patients["p1"]
    first = dict(zip(header, rows[1], strict=True))
    assert first["date_rcp"] == "10/03/2025"
    assert first["nom_naissance"] == p1.birth_name and first["ins"] == p1.ins_matricule
    assert first["topographie_cim10"] == "C18.7" and first["tnm_t"] == "T3"
    assert first["traitements_proposes"] == "387713003"
    assert first["quorum"] == "oui" and first["conforme_referentiel"] == "oui" and first["essai_propose"] == "oui"
    export.refresh_from_db()
    assert (export.status, export.rows_done, export.rows_total) == (ExportStatus.READY, 3, 3)
    assert [t.to_status for t in export.transitions.all()] == ["en_attente", "en_cours", "pret"]
    line = AccessTrail.objects.get(action=TrailAction.EXPORT)
    assert line.user == registry and "3 fiches" in line.detail and "Période : 2025" in line.detail


def test_pseudonymised_registry_export_hides_names_and_ins(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        export = _request(world.personas["registry"], pseudonymised=True)
    export_jobs.export_run(export_id=export.pk)
    rows = _rows(export)
    assert "nom_naissance" not in rows[0] and "ins" not in rows[0]
    record = dict(zip(rows[0], rows[1], strict=True))
    p1 = world.patients["p1"]
    assert record["pseudonyme"] == pseudonym(f"INS:{p1.ins_matricule}")
    assert record["annee_naissance"] == "1950" and record["departement"] == "86"
    flat = ";".join(";".join(row) for row in rows)
    assert p1.birth_name not in flat and p1.ins_matricule not in flat


def test_fiches_export_of_a_3c_secretary_stays_in_her_3c(world, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    secretary = world.personas["secretary_3c"]
    client_scope = frozenset({world.personas.three_c.pk})
    with django_capture_on_commit_callbacks(execute=False):
        export = _request(secretary, kind=ExportKind.FICHES, fmt="xlsx", three_c_ids=client_scope)
    export_jobs.export_run(export_id=export.pk)
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).worksheets[0]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2 and {row[4] for row in rows} == {"3C Vienne (test)"}
    header = [cell.value for cell in sheet[1]]
    assert "nom_naissance" not in header
    assert rows[0][header.index("age_a_la_rcp")] == 75 and isinstance(rows[0][0], int)


def test_exports_page_bad_input_and_download_rights(client, world):
    client.force_login(world.personas["registry"])
    url = reverse("dashboards:exports")
    response = client.post(url, {"nature": "nope", "format": "csv", "annee": "2025"})
    assert response.status_code == 400 and "Choisissez la nature de l" in response.content.decode()
    assert client.post(url, {"nature": "registre", "format": "pdf", "annee": "2025"}).status_code == 400
    assert client.post(url, {"nature": "registre", "format": "csv", "annee": "1900"}).status_code == 400
    client.force_login(world.personas["secretary_3c"])
    other = world.personas.other_three_c.pk
    assert client.post(url, {"nature": "fiches", "format": "csv", "3c": other}).status_code == 403
    export = DataExport.objects.create(user=world.personas["registry"], kind="fiches", fmt="csv")
    assert client.get(reverse("dashboards:export_download", args=[export.pk])).status_code == 404


def test_csv_writer_streams_in_constant_memory():
    columns = [Column("id", "int"), Column("texte", "text"), Column("valeur", "pct")]

    def rows(n):
        for index in range(n):
            yield [index, f"ligne {index}", index / 7]

    class Sink:
        size = 0

        def write(self, chunk):
            self.size += len(chunk)

    peaks = []
    for n in (20_000, 200_000):
        tracemalloc.start()
        writers.write_csv(Sink(), columns, rows(n))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 2 * peaks[0] + 200_000, peaks  # ten times the rows, not ten times the memory


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_prepares_the_export_and_the_page_links_it(client, celery_queue, route_to_worker):
    from dcc.dashboards.tasks import run_export
    from tests.dashboards.factories import build_world
    from tests.personas import build_personas

    route_to_worker(run_export)
    world = build_world(build_personas())
    client.force_login(world.personas["registry"])
    response = client.post(reverse("dashboards:exports"), {"nature": "registre", "format": "csv", "annee": "2025"})
    assert response.status_code == 302
    export = DataExport.objects.get(kind=ExportKind.REGISTRY)
    for _ in range(120):
        export.refresh_from_db()
        if export.status in (ExportStatus.READY, ExportStatus.FAILED):
            break
        time.sleep(0.5)
    assert export.status == ExportStatus.READY, export.failure_reason
    listing = client.get(reverse("dashboards:exports_status")).content.decode()
    assert reverse("dashboards:export_download", args=[export.pk]) in listing
    download = client.get(reverse("dashboards:export_download", args=[export.pk]))
    assert b"".join(download.streaming_content).startswith(b"\xef\xbb\xbfid_fiche;")
    assert AccessTrail.objects.filter(action=TrailAction.DOWNLOAD, object_id=str(export.pk)).exists()
