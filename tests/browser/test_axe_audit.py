"""The axe-core audit of the browser journeys finds what it must, under the app's strict CSP."""

import pytest
from playwright.sync_api import Page

from tests.browser.axe import AxeAuditor, audit_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_audit_runs_under_the_strict_csp_and_reports_a_serious_violation(page: Page, live_server, axe):
    response = page.goto(f"{live_server.url}/compte/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert axe.audited == [page.url]  # audited on load, and clean

    probe = AxeAuditor()
    page.evaluate("() => { const img = document.createElement('img'); img.src = 'x.png'; document.body.append(img); }")
    audit_now(page, probe)

    assert any("image-alt" in problem for problem in probe.problems)
