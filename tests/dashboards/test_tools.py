"""Delays, predefined queries, attendance certificates and the liberal doctors' indemnification."""

from __future__ import annotations

import datetime
import io
import os
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from dcc.dashboards import indemnity
from dcc.dashboards.models import DataExport, IndemnityRule, QueryRun
from rcp.dashboard_selectors import attendance_rows
from tests.helpers import assert_access

pytestmark = pytest.mark.django_db
Y2025 = {"annee": 2025}


def test_tool_pages_allow_and_deny(client, personas):
    assert_access(client, personas, reverse("dashboards:delays"), allowed=("secretary_3c", "registry", "admin"))
    assert_access(client, personas, reverse("dashboards:queries"), allowed=("secretary_3c", "registry", "admin"))
    assert_access(client, personas, reverse("dashboards:indemnity"), allowed=("secretary_3c", "registry", "admin"))
    # Certificates: every professional for their own; the 3C secretary and the admin for their RCPs' members.
    assert_access(
        client,
        personas,
        reverse("dashboards:certificates"),
        allowed=("secretary_3c", "doctor", "doctor_other_3c", "annonce_nurse", "gp", "admin"),
    )


def test_delays_distribution_and_worklist(client, world):
    client.force_login(world.personas["secretary_3c"])
    response = client.get(reverse("dashboards:delays"), Y2025)
    assert response.status_code == 200
    tables = {table.slug: table for table in response.context["tables"]}
    # p1 alone has a first presentation in 2025 (p2 and p4 were presented in 2024): diagnosis 01/01,
    # RCP 10/03 (68 days), first treatment EDP (clinical trial) 22/04 (43 days).
    assert tables["delais-3c"].rows == [["3C Vienne (test)", 1, 1, 68.0, 68.0, 100.0, 1, 43.0, 43.0, 100.0]]
    assert tables["delais-organe"].rows[0][0] == "digestif"
    worklist = response.context["worklist"]
    assert [(item.patient_id, item.to_rcp, item.to_treatment) for item, _ in worklist] == [
        (world.patients["p1"].pk, 68, 43)
    ]


def test_delay_thresholds_are_edited_by_the_admin_only(client, world):
    client.force_login(world.personas["registry"])
    data = {"valid_from": "2025-01-01", "diagnosis_to_rcp_days": 90, "rcp_to_treatment_days": 60}
    assert client.post(reverse("dashboards:delays"), data).status_code == 403
    client.force_login(world.personas["admin"])
    assert client.post(reverse("dashboards:delays"), {**data, "diagnosis_to_rcp_days": 0}).status_code == 400
    assert client.post(reverse("dashboards:delays"), data).status_code == 302
    response = client.get(reverse("dashboards:delays"), Y2025)
    assert response.context["worklist"] == []  # 68 ≤ 90 and 43 ≤ 60


def test_a_predefined_query_runs_on_one_3c_and_is_logged(client, world):
    secretary = world.personas["secretary_3c"]
    client.force_login(secretary)
    url = reverse("dashboards:queries")
    response = client.get(url, {**Y2025, "requete": "activite_rcp"})
    assert response.status_code == 200
    assert response.context["table"].rows == [["RCP digestive", 2, 3, 2]]
    run = QueryRun.objects.get()
    assert (run.user, run.three_c, run.query, run.rows) == (secretary, world.personas.three_c, "activite_rcp", 1)
    other = world.personas.other_three_c.pk
    assert client.get(url, {**Y2025, "requete": "activite_rcp", "3c": other}).status_code == 403
    assert client.get(url, {**Y2025, "requete": "inconnue"}).status_code == 400
    client.force_login(world.personas["registry"])
    response = client.get(url, {**Y2025, "requete": "qualite"})
    assert response.status_code == 400
    assert "Choisissez le 3C" in response.content.decode()
    response = client.get(url, {**Y2025, "requete": "qualite", "3c": other, "format": "csv"})
    assert b"RCP sein" in b"".join(response.streaming_content)
    assert QueryRun.objects.count() == 2
    assert DataExport.objects.filter(kind="tableau", target="requete-qualite").exists()


def test_indemnification_rule_applies_video_month_and_year_caps(world):
    rows = list(attendance_rows(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31), liberal_only=True))
    rule = IndemnityRule(valid_from=datetime.date(2025, 1, 1), amount_per_session=Decimal("100.00"), count_video=True)
    (statement,) = indemnity.statements(rows, rule)
    assert (statement.attended, statement.paid, statement.amount) == (3, 3, Decimal("300.00"))
    rule.count_video = False
    (statement,) = indemnity.statements(rows, rule)
    assert (statement.paid, statement.amount) == (2, Decimal("200.00"))
    assert [line.reason for line in statement.lines if not line.paid] == ["Présence en visioconférence non indemnisée"]
    rule.count_video, rule.max_amount_per_year = True, Decimal("150.00")
    (statement,) = indemnity.statements(rows, rule)
    assert (statement.paid, statement.amount) == (1, Decimal("100.00"))
    rule.max_amount_per_year, rule.max_sessions_per_month = None, 0
    (statement,) = indemnity.statements(rows, rule)
    assert statement.paid == 0 and "Plafond de 0 séances par mois" in statement.lines[0].reason


def test_indemnification_page_payment_export_and_statement(client, world):
    admin = world.personas["admin"]
    client.force_login(admin)
    url = reverse("dashboards:indemnity")
    rule = {
        "valid_from": "2025-01-01",
        "amount_per_session": "80",
        "count_video": "",
        "max_sessions_per_month": "",
        "max_amount_per_year": "",
    }
    assert client.post(url, {**rule, "amount_per_session": "-5"}).status_code == 400
    assert client.post(url, rule).status_code == 302
    response = client.get(url, Y2025)
    (item,) = response.context["items"]
    assert (item.last_name, item.paid, item.amount) == ("LIBERAL", 2, Decimal("160.00"))
    statement = client.get(url, {**Y2025, "medecin": world.liberal.pk})
    assert "Présence en visioconférence non indemnisée" in statement.content.decode()
    payment = client.get(url, {**Y2025, "format": "csv"})
    lines = b"".join(payment.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[1].split(";")[1:] == ["LIBERAL", world.liberal.first_name, "3", "2", "160"]
    client.force_login(world.personas["registry"])
    assert client.post(url, rule).status_code == 403


def test_a_3c_secretary_indemnifies_her_3c_only(client, world):
    client.force_login(world.personas["secretary_3c"])
    (item,) = client.get(reverse("dashboards:indemnity"), Y2025).context["items"]
    assert item.attended == 2  # the Landes session is not hers


def test_certificates_per_doctor_and_three_c(client, world):
    client.force_login(world.personas["secretary_3c"])
    url = reverse("dashboards:certificates")
    response = client.get(url, {**Y2025, "tous": "1"})
    items = {(item.name.split()[-1], item.three_c): len(item.sessions) for item in response.context["items"]}
    assert items == {("LIBERAL", "3C Vienne (test)"): 2, ("HOSPITALIER", "3C Vienne (test)"): 1}
    assert client.get(url, {**Y2025, "tous": "1", "3c": world.personas.other_three_c.pk}).status_code == 403


def test_the_certificate_zip_is_built_by_the_worker_with_its_progress_and_link(
    client, world, django_capture_on_commit_callbacks
):
    from dcc.dashboards import export_jobs
    from dcc.dashboards.enums import ExportStatus

    client.force_login(world.personas["secretary_3c"])
    url = reverse("dashboards:certificates")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url, {**Y2025, "tous": "1", "zip": "1"})
    assert response.status_code == 302 and response["Location"].startswith(url)
    assert len(queued) == 1  # the task, queued on commit; nothing built in the request
    export = DataExport.objects.get(kind="attestations", fmt="zip")
    assert (export.status, export.target, export.scope_three_c_ids) == (
        ExportStatus.PENDING,
        "2 attestations",
        [world.personas.three_c.pk],
    )
    page = client.get(response["Location"]).content.decode()
    assert "Avancement de l'archive" in page and 'hx-trigger="every 2s"' in page
    assert export_jobs.export_run(export_id=export.pk) == "ready"
    assert export_jobs.export_run(export_id=export.pk) == "ignored"
    export.refresh_from_db()
    assert (export.rows_total, export.rows_done, export.progress) == (2, 2, 100)
    fragment = client.get(reverse("dashboards:certificate_zips")).content.decode()
    link = reverse("dashboards:export_download", args=[export.pk])
    assert link in fragment and "every 2s" not in fragment
    download = client.get(link)
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    # One doctor only: the export keeps the choice and the worker honours it.
    client.post(url, {**Y2025, "tous": "1", "zip": "1", "medecin": world.liberal.pk})
    single = DataExport.objects.filter(kind="attestations", fmt="zip").order_by("-pk").first()
    assert single.filters["medecin"] == world.liberal.pk
    assert export_jobs.export_run(export_id=single.pk) == "ready"
    single.refresh_from_db()
    assert single.rows_done == 1


def test_a_3c_secretary_sees_her_members_certificates_on_first_load(client, world):
    """She has no certificate of her own: the page lists her RCPs' members without asking « tous »."""
    secretary = world.personas["secretary_3c"]
    assert secretary.professional_id is None
    client.force_login(secretary)
    response = client.get(reverse("dashboards:certificates"), Y2025)
    assert {item.name.split()[-1] for item in response.context["items"]} == {"LIBERAL", "HOSPITALIER"}


def test_only_who_runs_the_rcps_asks_for_a_certificate_zip(client, world):
    doctor = world.personas["doctor"]
    client.force_login(doctor)
    response = client.post(reverse("dashboards:certificates"), {**Y2025, "tous": "1", "zip": "1"})
    assert response.status_code == 403
    assert not DataExport.objects.filter(kind="attestations").exists()


def test_a_doctor_sees_only_his_own_certificates(client, world):
    doctor = world.personas["doctor"]
    from dcc.accounts.models import User

    User.objects.filter(pk=doctor.pk).update(professional=world.liberal)
    client.force_login(doctor)
    response = client.get(
        reverse("dashboards:certificates"), {**Y2025, "tous": "1", "medecin": world.hospital_doctor.pk}
    )
    assert {item.professional_id for item in response.context["items"]} == {world.liberal.pk}
    assert len(response.context["items"]) == 2  # one per 3C
    bad = client.get(reverse("dashboards:certificates"), {"annee": "3000"})
    assert bad.status_code == 400


@pytest.mark.skipif(
    not __import__("interop.pdf.preflight", fromlist=["available"]).available()
    and os.environ.get("CI", "").lower() != "true",
    reason="Apache PDFBox Preflight (libpdfbox2-java) n'est pas installé",
)
def test_certificate_is_pdfa_1b(client, world):
    from interop.pdf import preflight

    client.force_login(world.personas["secretary_3c"])
    url = reverse("dashboards:certificates")
    response = client.get(url, {**Y2025, "tous": "1", "telecharger": f"{world.liberal.pk}-{world.personas.three_c.pk}"})
    assert response["Content-Type"] == "application/pdf"
    report = preflight.preflight(response.content)
    assert report.valid, report.output


def test_query_budget_of_the_tool_pages(client, world, django_assert_max_num_queries):
    client.force_login(world.personas["secretary_3c"])
    for name, query, budget in (
        ("dashboards:delays", Y2025, 25),
        ("dashboards:indemnity", Y2025, 25),
        ("dashboards:certificates", {**Y2025, "tous": "1"}, 20),
        ("dashboards:exports", {}, 20),
        ("dashboards:queries", {**Y2025, "requete": "activite_rcp"}, 25),
    ):
        with django_assert_max_num_queries(budget):
            assert client.get(reverse(name), query).status_code == 200, name


def test_own_certificates_menu_for_professionals_without_dashboards(personas):
    from dcc.accounts.navigation import nav_items

    def sections(name):
        return {item.section for item in nav_items(personas[name])}

    assert "certificates" in sections("doctor") and "dashboards" not in sections("doctor")
    assert "dashboards" in sections("registry") and "certificates" not in sections("registry")
    assert "certificates" not in sections("medical_secretary")
